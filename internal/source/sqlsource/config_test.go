package sqlsource

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/ferry-migrate/ferry/internal/source"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	minimal := func() Config {
		return Config{Driver: DriverSQLite, DSN: "file:x.db",
			Query:   Queries{ByUsername: "SELECT 1", Sample: "SELECT 1"},
			Columns: Columns{ID: "id", Username: "u", PasswordHash: "pw"}}
	}
	tests := []struct {
		name  string
		cfg   func() Config
		wants []string // each must appear in the error; none means valid
	}{
		{"minimal", minimal, nil},
		{"every preset on every driver", func() Config {
			return Config{Preset: "django", Driver: DriverPostgres, DSN: "postgres://x"}
		}, nil},
		{"empty", func() Config { return Config{} }, []string{
			"driver: required", "dsn: required", "query.by_username: required", "columns.id: required",
			"columns.username: required", "columns.password_hash: required", "query.sample: required"}},
		{"unknown driver", func() Config { c := minimal(); c.Driver = "oracle"; return c }, []string{`driver: unknown driver "oracle"`}},
		{"unknown preset", func() Config { c := minimal(); c.Preset = "joomla"; return c }, []string{`preset: unknown preset "joomla"`}},
		{"dsn and dsn_file", func() Config { c := minimal(); c.DSNFile = "/x"; return c }, []string{"dsn: set either"}},
		{"pepper and pepper_file", func() Config { c := minimal(); c.Pepper, c.PepperFile = "a", "/b"; return c }, []string{"pepper: set either"}},
		{"email mode without by_email", func() Config { c := minimal(); c.Lookup = LookupEmail; return c }, []string{"query.by_email: required"}},
		{"both mode without by_email", func() Config { c := minimal(); c.Lookup = LookupBoth; return c }, []string{"query.by_email: required"}},
		{"unknown mode", func() Config { c := minimal(); c.Lookup = "phone"; return c }, []string{`lookup: unknown mode "phone"`}},
		{"unknown hash format", func() Config { c := minimal(); c.HashFormat = "rot13"; return c }, []string{`hash_format: unknown format "rot13"`}},
		{"template hash format", func() Config { c := minimal(); c.HashFormat = "template:sha256($salt$password)"; return c }, nil},
		{"unknown fold", func() Config { c := minimal(); c.Fold = "title"; return c }, []string{`fold: unknown fold "title"`}},
		{"dummy hash replaces sample", func() Config { c := minimal(); c.Query.Sample, c.DummyHash = "", "$2a$10$x"; return c }, nil},
		{"idle above open", func() Config { c := minimal(); c.Pool.MaxOpen, c.Pool.MaxIdle = 2, 4; return c }, []string{"pool.max_idle: 4 is more than max_open 2"}},
		{"empty attribute", func() Config { c := minimal(); c.Attributes = map[string]string{"given": ""}; return c }, []string{"attributes: empty"}},
		{"keycloak without realm", func() Config {
			return Config{Preset: "keycloak", Driver: DriverPostgres, DSN: "postgres://x"}
		}, []string{"realm: required"}},
		{"preset override to nothing still valid", func() Config {
			return Config{Preset: "laravel", Driver: DriverMySQL, DSN: "u:p@tcp(h)/d", Query: Queries{Migrated: "none"}}
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := tt.cfg()
			err := c.Validate()
			if len(tt.wants) == 0 {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate: nil, want %q", tt.wants)
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate: %v\nwant it to contain %q", err, w)
				}
			}
		})
	}
	t.Run("all presets on all drivers", func(t *testing.T) {
		t.Parallel()
		for _, p := range Presets() {
			for _, d := range driverNames() {
				c := Config{Preset: p, Driver: d, DSN: "x", Realm: "acme"}
				if err := c.Validate(); err != nil {
					t.Errorf("%s on %s: %v", p, d, err)
				}
			}
		}
	})
}

func TestYAMLAndOverrides(t *testing.T) {
	t.Parallel()
	doc := `
preset: aspnet-identity
driver: postgres
dsn: postgres://app@db/legacy
hash_format: aspnet-identity-v3
columns:
  phone: Mobile
attributes:
  Id: custom:legacy_id
pool:
  max_open: 4
query_timeout: 1500ms
`
	var c Config
	dec := yaml.NewDecoder(strings.NewReader(doc))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		t.Fatal(err)
	}
	r, err := c.resolved()
	if err != nil {
		t.Fatal(err)
	}
	want := `SELECT "Id", "UserName", "Email", "EmailConfirmed", "PhoneNumber", "PhoneNumberConfirmed", "PasswordHash", "LockoutEnd", "LockoutEnabled" FROM "AspNetUsers" WHERE "NormalizedUserName" = $1`
	if r.Query.ByUsername != want {
		t.Errorf("by_username:\n got %s\nwant %s", r.Query.ByUsername, want)
	}
	checks := []struct{ name, got, want string }{
		{"hash_format overridden", r.HashFormat, "aspnet-identity-v3"},
		{"phone column overridden", r.Columns.Phone, "Mobile"},
		{"id column from preset", r.Columns.ID, "Id"},
		{"fold from preset", r.Fold, FoldUpper},
		{"lookup defaults to both", r.Lookup, LookupBoth},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
		}
	}
	if diff := cmp.Diff(Pool{MaxOpen: 4, MaxIdle: 2, ConnMaxLifetime: DefaultConnMaxLifetime, ConnMaxIdleTime: DefaultConnMaxIdleTime}, r.Pool); diff != "" {
		t.Errorf("pool (-want +got):\n%s", diff)
	}
	if r.QueryTimeout != 1500*time.Millisecond {
		t.Errorf("query_timeout = %v", r.QueryTimeout)
	}
}

func TestDialectSQL(t *testing.T) {
	t.Parallel()
	in := `SELECT "a", "b" FROM "T" WHERE "a" = $1 AND "b" = $2 LIMIT 1`
	tests := []struct{ driver, want string }{
		{DriverPostgres, in},
		{DriverSQLite, `SELECT "a", "b" FROM "T" WHERE "a" = ? AND "b" = ? LIMIT 1`},
		{DriverMySQL, "SELECT `a`, `b` FROM `T` WHERE `a` = ? AND `b` = ? LIMIT 1"},
		{DriverSQLServer, `SELECT TOP 1 [a], [b] FROM [T] WHERE [a] = @p1 AND [b] = @p2`},
	}
	for _, tt := range tests {
		t.Run(tt.driver, func(t *testing.T) {
			t.Parallel()
			if got := dialects[tt.driver].sql(in); got != tt.want {
				t.Errorf("sql:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestPresetPlaceholders checks that every preset statement uses its
// driver's placeholder style and no other.
func TestPresetPlaceholders(t *testing.T) {
	t.Parallel()
	foreign := map[string][]string{
		DriverPostgres:  {"?", "@p1", "`"},
		DriverMySQL:     {"$1", "@p1", `"`},
		DriverSQLite:    {"$1", "@p1", "`"},
		DriverSQLServer: {"$1", "?", "`", `"`},
	}
	own := map[string]string{DriverPostgres: "$1", DriverMySQL: "?", DriverSQLite: "?", DriverSQLServer: "@p1"}
	for _, p := range Presets() {
		for _, d := range driverNames() {
			c, ok := PresetConfig(p, d)
			if !ok {
				t.Fatalf("PresetConfig(%s, %s)", p, d)
			}
			for name, q := range map[string]string{"by_username": c.Query.ByUsername, "by_email": c.Query.ByEmail, "migrated": c.Query.Migrated} {
				if !strings.Contains(q, own[d]) {
					t.Errorf("%s/%s %s lacks %q: %s", p, d, name, own[d], q)
				}
				for _, f := range foreign[d] {
					if strings.Contains(q, f) {
						t.Errorf("%s/%s %s contains %q: %s", p, d, name, f, q)
					}
				}
			}
		}
	}
}

func TestValues(t *testing.T) {
	t.Parallel()
	ts := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	bools := []struct {
		name    string
		in      any
		want    bool
		wantErr bool
	}{
		{"nil", nil, false, false},
		{"bool", true, true, false},
		{"int", int64(1), true, false},
		{"zero", int64(0), false, false},
		{"bit(1) one", []byte{1}, true, false},
		{"bit(1) zero", []byte{0}, false, false},
		{"text t", "t", true, false},
		{"text 0", []byte("0"), false, false},
		{"text number", "2", true, false},
		{"timestamp", ts, true, false},
		{"text timestamp", "2024-05-06 07:08:09", true, false},
		{"garbage", "maybe", false, true},
	}
	for _, tt := range bools {
		t.Run("bool/"+tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := asBool(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("asBool(%v) = %v, %v; want %v (error %v)", tt.in, got, err, tt.want, tt.wantErr)
			}
			if err != nil && !errors.Is(err, errValue) {
				t.Errorf("error %v does not wrap errValue", err)
			}
		})
	}
	times := []struct {
		name string
		in   any
		ok   bool
	}{
		{"nil", nil, false},
		{"time", ts, true},
		{"rfc3339", "2024-05-06T07:08:09Z", true},
		{"sql", []byte("2024-05-06 07:08:09.123456"), true},
		{"offset", "2024-05-06 07:08:09+00:00", true},
		{"go string", ts.String(), true},
	}
	for _, tt := range times {
		t.Run("time/"+tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok, err := asTime(tt.in)
			if err != nil || ok != tt.ok || (ok && !got.Truncate(time.Second).Equal(ts)) {
				t.Errorf("asTime(%v) = %v, %v, %v", tt.in, got, ok, err)
			}
		})
	}
	if got := asString([16]byte{0x0b, 0x6c, 0x0f, 0x0e, 0x1d, 0x1a, 0x4c, 0x55, 0x9d, 0x7e, 0, 0, 0, 0, 0, 1}); got != "0b6c0f0e-1d1a-4c55-9d7e-000000000001" {
		t.Errorf("asString(uuid) = %q", got)
	}
}

func TestSecretsFromFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "legacy.db")
	dsnFile := filepath.Join(dir, "dsn")
	pepperFile := filepath.Join(dir, "pepper")
	if err := os.WriteFile(dsnFile, []byte("file:"+dbPath+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pepperFile, []byte("pep\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := Config{Preset: "devise", Driver: DriverSQLite, DSNFile: dsnFile, PepperFile: pepperFile}
	s, err := c.Open(t.Context(), "legacy", discard())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	stmts, err := SchemaVariant("devise", "confirmable-lockable", DriverSQLite)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range stmts {
		mustExec(t, s.DB(), q)
	}
	mustExec(t, s.DB(), `INSERT INTO users (email, encrypted_password, failed_attempts, confirmed_at, created_at, updated_at)
		VALUES (?, ?, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`,
		"a@example.com", bcryptHash(t, "pw"+"pep", testCost))
	if _, err := s.Authenticate(t.Context(), "a@example.com", "pw"); err != nil {
		t.Errorf("Authenticate with the pepper from pepper_file: %v", err)
	}

	c.DSNFile = filepath.Join(dir, "missing")
	var se *source.Error
	if _, err := c.Open(t.Context(), "legacy", discard()); !errors.As(err, &se) || se.Op != "open" {
		t.Errorf("Open with a missing dsn_file = %v, want a source.Error from open", err)
	}
}
