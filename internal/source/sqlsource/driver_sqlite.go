//go:build !ferry_nosqlite

package sqlsource

// SQLite's driver (pure Go, about 4 MB of binary) is in every build but the
// Lambda one, which is built with the ferry_nosqlite tag: a Lambda reads its
// legacy users from a database server, never from a local file, and the
// trigger's binary stays under 15 MB without it.
import _ "modernc.org/sqlite"
