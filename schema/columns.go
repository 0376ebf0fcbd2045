package schema

import (
	"regexp"
	"strings"
)

// addColumn matches "ALTER TABLE t [ON CLUSTER c] ADD COLUMN name …", one
// column per statement.
var addColumn = regexp.MustCompile("(?is)^\\s*ALTER\\s+TABLE\\s+`?([\\w.]+?)`?(?:\\s+ON\\s+CLUSTER\\s+\\S+)?\\s+ADD\\s+COLUMN\\s+`?(\\w+)`?\\s")

// AddedColumn returns the table (as written, possibly database.table) and
// the column a statement adds, if it is an ADD COLUMN. ClickHouse 18.16
// knows no ADD COLUMN IF NOT EXISTS, so whoever applies migrations skips
// such a statement when the table has the column already (a database made
// since the column joined its CREATE TABLE, or another worker's migration).
func AddedColumn(stmt string) (table, column string, ok bool) {
	m := addColumn.FindStringSubmatch(stmt)
	if m == nil {
		return "", "", false
	}
	return strings.Trim(m[1], "`"), m[2], true
}
