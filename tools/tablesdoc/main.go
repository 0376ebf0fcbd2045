// Command tablesdoc prints docs/tables.md, every table and column of the
// catalogue in tables/ with its type and meaning:
//
//	go run ./tools/tablesdoc > docs/tables.md
//
// tables.TestTablesPageIsCurrent fails when the committed page differs.
package main

import (
	"fmt"

	"talkwarehouse/tables"
)

func main() { fmt.Print(tables.Markdown()) }
