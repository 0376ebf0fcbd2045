package schema

import (
	"fmt"
	"regexp"
	"strings"
)

// Cluster says how the migrations run on a replicated ClickHouse cluster.
// The migration files are written for one server; OnCluster turns each
// statement into its cluster form, so every migration, present and future,
// runs on a cluster without a second copy of the schema.
type Cluster struct {
	// Name is the cluster's name in the servers' remote_servers.
	Name string
	// Database is the warehouse's database. Statements run ON CLUSTER are
	// executed on each node with that node's default database, so every
	// object name is qualified with it, inside views' queries too.
	Database string
	// ReplicaPath is the ZooKeeper path pattern of a replicated table:
	// {database} and {table} are filled in here, {shard} and any other
	// macro by each server from its <macros>.
	ReplicaPath string
}

var (
	createRE   = regexp.MustCompile(`(?is)^\s*CREATE\s+(TABLE|VIEW|MATERIALIZED\s+VIEW)\s+(IF\s+NOT\s+EXISTS\s+)?(\w+)\b`)
	dropRE     = regexp.MustCompile(`(?is)^\s*DROP\s+(TABLE|VIEW|DICTIONARY)\s+(IF\s+EXISTS\s+)?(\w+)\b`)
	alterRE    = regexp.MustCompile(`(?is)^\s*ALTER\s+TABLE\s+(\w+)\b`)
	truncateRE = regexp.MustCompile(`(?is)^\s*TRUNCATE\s+TABLE\s+(IF\s+EXISTS\s+)?(\w+)\b`)
	renameRE   = regexp.MustCompile(`(?is)^\s*RENAME\s+TABLE\s+`)
	renamePair = regexp.MustCompile(`(?is)\b(\w+)\s+TO\s+(\w+)\b`)
	insertRE   = regexp.MustCompile(`(?is)^\s*INSERT\s+INTO\s+(\w+)\b`)
	// An engine of the MergeTree family that is not replicated yet, with
	// its arguments if it has any.
	engineRE = regexp.MustCompile(`(?is)\bENGINE\s*=\s*(\w*?)MergeTree\b(\s*\(([^()]*)\))?`)
	// A table named after FROM or JOIN (inside views and INSERT … SELECT).
	sourceRE = regexp.MustCompile(`(?is)\b(FROM|JOIN)(\s+)(\w+)\b`)
)

// Objects is the name of every table and view the migrations create, and
// schema_migrations: the names OnCluster qualifies with the database.
func Objects(ms []Migration) map[string]bool {
	out := map[string]bool{"schema_migrations": true}
	for _, m := range ms {
		for _, s := range m.Statements {
			if g := createRE.FindStringSubmatch(s); g != nil {
				out[g[3]] = true
			}
		}
	}
	return out
}

// OnCluster rewrites one migration statement for the cluster:
//   - CREATE, DROP, ALTER, TRUNCATE and RENAME get ON CLUSTER Name, so
//     ClickHouse's distributed DDL queue (in ZooKeeper) applies them on
//     every node, in the same order, including on a node that was down
//     when it comes back;
//   - a MergeTree-family engine becomes its Replicated form with the
//     table's ZooKeeper path and the {replica} macro, its own arguments
//     kept (ReplacingMergeTree(_version) becomes
//     ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/db/t', '{replica}', _version));
//   - the names in objects are qualified with the database, after the
//     statement's verb and after FROM and JOIN.
//
// An INSERT stays a plain statement (its rows replicate). Any other kind
// of statement is an error, so that a migration this cannot run on a
// cluster fails its tests instead of a deployment.
func (c Cluster) OnCluster(stmt string, objects map[string]bool) (string, error) {
	db := "`" + c.Database + "`"
	on := " ON CLUSTER `" + c.Name + "`"
	qualify := func(name string) string {
		if objects[name] {
			return db + "." + name
		}
		return name
	}
	var head, rest string
	switch {
	case createRE.MatchString(stmt):
		loc := createRE.FindStringSubmatchIndex(stmt)
		g := createRE.FindStringSubmatch(stmt)
		head = "CREATE " + strings.ToUpper(strings.Join(strings.Fields(g[1]), " ")) + " " + ifClause(g[2]) + db + "." + g[3] + on
		rest = stmt[loc[1]:]
		var err error
		if rest, err = c.replicate(rest, g[3]); err != nil {
			return "", err
		}
	case dropRE.MatchString(stmt):
		loc := dropRE.FindStringSubmatchIndex(stmt)
		g := dropRE.FindStringSubmatch(stmt)
		head = "DROP " + strings.ToUpper(g[1]) + " " + ifClause(g[2]) + db + "." + g[3] + on
		rest = stmt[loc[1]:]
	case alterRE.MatchString(stmt):
		loc := alterRE.FindStringSubmatchIndex(stmt)
		head = "ALTER TABLE " + db + "." + alterRE.FindStringSubmatch(stmt)[1] + on
		rest = stmt[loc[1]:]
	case truncateRE.MatchString(stmt):
		loc := truncateRE.FindStringSubmatchIndex(stmt)
		g := truncateRE.FindStringSubmatch(stmt)
		head = "TRUNCATE TABLE " + ifClause(g[1]) + db + "." + g[2] + on
		rest = stmt[loc[1]:]
	case renameRE.MatchString(stmt):
		pairs := renamePair.ReplaceAllStringFunc(stmt[renameRE.FindStringIndex(stmt)[1]:], func(p string) string {
			g := renamePair.FindStringSubmatch(p)
			return db + "." + g[1] + " TO " + db + "." + g[2]
		})
		return "RENAME TABLE " + strings.TrimSpace(pairs) + on, nil
	case insertRE.MatchString(stmt):
		loc := insertRE.FindStringSubmatchIndex(stmt)
		head = "INSERT INTO " + qualify(insertRE.FindStringSubmatch(stmt)[1])
		rest = stmt[loc[1]:]
	default:
		return "", fmt.Errorf("schema: cannot run this statement ON CLUSTER (only CREATE, DROP, ALTER, TRUNCATE, RENAME and INSERT): %.60s", strings.TrimSpace(stmt))
	}
	rest = sourceRE.ReplaceAllStringFunc(rest, func(m string) string {
		g := sourceRE.FindStringSubmatch(m)
		return g[1] + g[2] + qualify(g[3])
	})
	return head + rest, nil
}

// replicate turns a MergeTree-family engine into its Replicated form.
func (c Cluster) replicate(body, table string) (string, error) {
	path := strings.NewReplacer("{database}", c.Database, "{table}", table).Replace(c.ReplicaPath)
	if strings.ContainsAny(path, "'\\") {
		return "", fmt.Errorf("schema: replica path %q must not contain quotes or backslashes", path)
	}
	return engineRE.ReplaceAllStringFunc(body, func(m string) string {
		g := engineRE.FindStringSubmatch(m)
		if strings.HasPrefix(strings.ToLower(g[1]), "replicated") {
			return m
		}
		args := "'" + path + "', '{replica}'"
		if a := strings.TrimSpace(g[3]); a != "" {
			args += ", " + a
		}
		return "ENGINE = Replicated" + g[1] + "MergeTree(" + args + ")"
	}), nil
}

func ifClause(s string) string {
	if s == "" {
		return ""
	}
	return strings.ToUpper(strings.Join(strings.Fields(s), " ")) + " "
}
