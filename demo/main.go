// Command demo runs the main job on one machine with embedded defaults (a
// local ClickHouse, the embedded Temporal devserver with its web UI, the
// Zendesk Talk simulator, the worker), one full sync and a few analytics
// queries. The demo itself is talkwarehouse/tools/demo; this one-file module
// exists so that `go run ./demo` works from the repository root.
//
//	go run ./demo [--calls 20000] [--keep]
package main

import "talkwarehouse/tools/demo"

func main() { demo.Main() }
