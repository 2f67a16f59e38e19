package sqlitestore

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

func TestPrefixEnd(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"empty has no end", "", "", false},
		{"ascii", "ab", "ac", true},
		{"multi-byte", "ä", "\xc3\xa5", true},
		{"trailing 0xff carries", "a\xff\xff", "b", true},
		{"all 0xff has no end", "\xff\xff", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := prefixEnd(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Errorf("prefixEnd(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
			}
			if ok && tc.in != "" && !(tc.in+"\xff\xff\xff" < got) {
				t.Errorf("%q does not bound every extension of %q", got, tc.in)
			}
		})
	}
}

// TestQueryPlans checks that every lookup and listing is an index search,
// never a scan of users or of the filter table: that is what keeps them
// flat at a million users.
func TestQueryPlans(t *testing.T) {
	t.Parallel()
	s, err := Open(t.Context(), Config{Dir: t.TempDir()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	plan := func(t *testing.T, q string, args ...any) string {
		t.Helper()
		rows, err := s.r.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q, args...)
		if err != nil {
			t.Fatalf("explain: %v", err)
		}
		defer rows.Close()
		var lines []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, detail)
		}
		return strings.Join(lines, "; ")
	}
	type tc struct {
		name string
		q    string
		args []any
	}
	var cases []tc
	for _, lq := range []userpool.ListUsersQuery{
		{},
		{Attribute: "email", Value: "a@example.com"},
		{Attribute: "email", Prefix: true, Value: "a"},
		{Attribute: "email", Prefix: true, Value: ""},
		{Attribute: "cognito:user_status", Value: "CONFIRMED", After: "x"},
	} {
		q, args := listUsersSQL("p", lq, userpool.Cursor{Key: "k", Value: "v"}, 61)
		cases = append(cases, tc{"ListUsers " + lq.Attribute + " " + lq.Value, q, args})
	}
	cases = append(cases,
		tc{"GetUser", `SELECT ` + userCols + ` FROM users WHERE pool_id = ? AND username_key = ?`, []any{"p", "k"}},
		tc{"GetUserBySub", `SELECT ` + userCols + ` FROM users WHERE pool_id = ? AND sub = ?`, []any{"p", "s"}},
		tc{"GetUserByAlias", `SELECT ` + userColsOf("u") + ` FROM aliases a
			JOIN users u ON u.id = a.user_id
			WHERE a.pool_id = ? AND a.attribute = ? AND a.key = ?`, []any{"p", "email", "k"}},
	)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := plan(t, c.q, c.args...)
			if strings.Contains(p, "SCAN ") || strings.Contains(p, "TEMP B-TREE") || !strings.Contains(p, "SEARCH") {
				t.Errorf("plan is not an ordered index search: %s", p)
			}
		})
	}
}

// TestMigratesFromV1 opens a database left at schema 1 and checks the
// users come through every later rebuild intact.
func TestMigratesFromV1(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for _, q := range []string{
		migrations[0],
		`PRAGMA user_version = 1`,
		`INSERT INTO pools (id, name, user_count) VALUES ('p', 'pool', 1)`,
		`INSERT INTO users (pool_id, username_key, username, sub, status, enabled, version, data)
			VALUES ('p', 'old', 'Old', 'sub-old', 'CONFIRMED', 1, 7, '{"aliases":{"email":"old@example.com"},"attributes":{"email":"old@example.com"}}')`,
		`INSERT INTO aliases VALUES ('p', 'email', 'old@example.com', 'old')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s, err := Open(ctx, Config{Dir: dir}, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	for name, get := range map[string]func() (*userpool.User, error){
		"by key":   func() (*userpool.User, error) { return s.GetUser(ctx, "p", "old") },
		"by alias": func() (*userpool.User, error) { return s.GetUserByAlias(ctx, "p", "email", "old@example.com") },
		"by sub":   func() (*userpool.User, error) { return s.GetUserBySub(ctx, "p", "sub-old") },
	} {
		u, err := get()
		if err != nil || u.Username != "Old" || u.Version != 7 {
			t.Errorf("%s after migration: %+v, %v", name, u, err)
		}
	}
	var v int
	if err := s.r.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil || v != SchemaVersion {
		t.Errorf("user_version = %d, %v; want %d", v, err, SchemaVersion)
	}
	var linked int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM aliases a JOIN users u ON u.id = a.user_id`).Scan(&linked); err != nil || linked != 1 {
		t.Errorf("aliases linked to users by rowid after migration: %d, %v; want 1", linked, err)
	}
}

func TestNewDatabasePageSize(t *testing.T) {
	t.Parallel()
	s, err := Open(t.Context(), Config{Dir: t.TempDir()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var size int
	if err := s.r.QueryRowContext(t.Context(), "PRAGMA page_size").Scan(&size); err != nil || size != dbPageSize {
		t.Errorf("page_size = %d, %v; want %d", size, err, dbPageSize)
	}
}
