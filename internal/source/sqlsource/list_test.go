package sqlsource

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/internal/source"
)

// listAll lists s into a slice.
func listAll(t *testing.T, s *Source) []source.Entry {
	t.Helper()
	var out []source.Entry
	if err := s.List(t.Context(), func(e source.Entry) error {
		out = append(out, e)
		return nil
	}); err != nil {
		t.Fatalf("List: %v", err)
	}
	return out
}

// TestListPresets lists each preset's seeded tables on every driver and
// checks each listed user against what Lookup answers for it, then marks
// one user and reads the mark back.
func TestListPresets(t *testing.T) {
	t.Parallel()
	for _, name := range Presets() {
		pc := presetCases[name]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			forEachDriver(t, func(t *testing.T, driver string) {
				tdb := newTestDB(t, driver)
				s, _ := pc.openSeeded(t, tdb, name, bcryptHasher(pc.bcryptSalt))

				entries := listAll(t, s)
				if len(entries) == 0 {
					t.Fatal("List visited no user")
				}
				seen := map[string]bool{}
				for _, e := range entries {
					if seen[e.User.ID] {
						t.Errorf("user %s listed twice", e.User.ID)
					}
					seen[e.User.ID] = true
					if e.Migrated {
						t.Errorf("user %s listed as migrated before any write-back", e.User.ID)
					}
					got, err := s.Lookup(t.Context(), e.User.Username)
					switch {
					case e.Disabled:
						if !errors.Is(err, source.ErrUserDisabled) {
							t.Errorf("listed disabled user %s: Lookup = %v, want ErrUserDisabled", e.User.Username, err)
						}
					case err != nil:
						t.Errorf("listed user %s: Lookup: %v", e.User.Username, err)
					default:
						got.HashFamily, got.WeakHash = "", false
						if got.ID != e.User.ID || got.Email != e.User.Email || got.EmailVerified != e.User.EmailVerified ||
							fmt.Sprint(got.Attributes) != fmt.Sprint(e.User.Attributes) {
							t.Errorf("listed %+v, Lookup found %+v", e.User, got)
						}
					}
				}
				counts, err := s.Count(t.Context())
				if err != nil {
					t.Fatalf("Count: %v", err)
				}
				if want := (source.Counts{Total: len(entries), Marked: true}); counts != want {
					t.Errorf("Count = %+v, want %+v", counts, want)
				}

				marked := entries[len(entries)-1].User
				if err := s.MarkMigrated(t.Context(), marked); err != nil {
					t.Fatalf("MarkMigrated: %v", err)
				}
				for _, e := range listAll(t, s) {
					if e.Migrated != (e.User.ID == marked.ID) {
						t.Errorf("after marking %s: user %s migrated = %v", marked.ID, e.User.ID, e.Migrated)
					}
				}
				counts, err = s.Count(t.Context())
				if err != nil {
					t.Fatalf("Count: %v", err)
				}
				if counts.Migrated != 1 {
					t.Errorf("after marking one user: Count = %+v", counts)
				}
			})
		})
	}
}

// seedDjango inserts n Django users named user00000…, in one transaction;
// every third one is inactive and every fifth one marked migrated.
func seedDjango(t *testing.T, tdb *testDB, n int) { seedDjangoTB(t, tdb, n) }

func seedDjangoTB(t testing.TB, tdb *testDB, n int) {
	t.Helper()
	tx, err := tdb.db.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(t.Context(), tdb.d.sql(`INSERT INTO "auth_user" ("password", "is_superuser", "username", `+
		`"first_name", "last_name", "email", "is_staff", "is_active", "date_joined", "ferry_migrated_at") `+
		`VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`))
	if err != nil {
		t.Fatal(err)
	}
	defer stmt.Close()
	for i := range n {
		var mark any
		if i%5 == 0 {
			mark = past
		}
		name := fmt.Sprintf("user%05d", i)
		if _, err := stmt.ExecContext(t.Context(), "pbkdf2_sha256$1$salt$x", false, name, "First", "Last",
			name+"@example.com", false, i%3 != 0, past, mark); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// TestListPages lists more than two pages and checks every user comes once,
// in key order, with its mark and disabled state.
func TestListPages(t *testing.T) {
	t.Parallel()
	const n = 2*ListPageSize + 345
	forEachDriver(t, func(t *testing.T, driver string) {
		tdb := newTestDB(t, driver)
		tdb.preset(t, "django")
		seedDjango(t, tdb, n)
		s := tdb.open(t, Config{Preset: "django"})
		entries := listAll(t, s)
		if len(entries) != n {
			t.Fatalf("listed %d users, want %d", len(entries), n)
		}
		var migrated int
		for i, e := range entries {
			if want := fmt.Sprintf("user%05d", i); e.User.Username != want {
				t.Fatalf("entry %d is %s, want %s", i, e.User.Username, want)
			}
			if e.Migrated != (i%5 == 0) || e.Disabled != (i%3 == 0) {
				t.Errorf("%s: migrated %v disabled %v", e.User.Username, e.Migrated, e.Disabled)
			}
			if e.Migrated {
				migrated++
			}
		}
		counts, err := s.Count(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if want := (source.Counts{Total: n, Migrated: migrated, Marked: true}); counts != want {
			t.Errorf("Count = %+v, want %+v", counts, want)
		}
	})
}

func TestListWithoutMarks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		config     Config
		dropColumn bool
		wantReason string
	}{
		{name: "write-back off", config: Config{Preset: "django", Query: Queries{Migrated: "none"}}, wantReason: "off"},
		{name: "custom write-back", config: Config{Preset: "django",
			Query: Queries{Migrated: `UPDATE auth_user SET last_login = CURRENT_TIMESTAMP WHERE id = ?`}}, wantReason: "custom"},
		{name: "column not added", config: Config{Preset: "django"}, dropColumn: true, wantReason: MigratedColumn},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tdb := newTestDB(t, DriverSQLite)
			tdb.preset(t, "django")
			seedDjango(t, tdb, 7)
			if tt.dropColumn {
				tdb.exec(t, `ALTER TABLE "auth_user" DROP COLUMN "`+MigratedColumn+`"`)
			}
			s := tdb.open(t, tt.config)
			counts, err := s.Count(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if counts.Total != 7 || counts.Marked || counts.Migrated != 0 || !strings.Contains(counts.MarksReason, tt.wantReason) {
				t.Errorf("Count = %+v; want 7 users, no marks, a reason mentioning %q", counts, tt.wantReason)
			}
			for _, e := range listAll(t, s) {
				if e.Migrated {
					t.Errorf("user %s listed as migrated by a source without marks", e.User.ID)
				}
			}
		})
	}
}

func TestListFaults(t *testing.T) {
	t.Parallel()
	tdb := newTestDB(t, DriverSQLite)
	seedMembers(t, tdb, testCost)
	custom := tdb.open(t, membersConfig(tdb.d))
	if _, err := custom.Count(t.Context()); !errors.Is(err, ErrNoListing) {
		t.Errorf("Count without a preset = %v, want ErrNoListing", err)
	}
	if err := custom.List(t.Context(), func(source.Entry) error { return nil }); !errors.Is(err, ErrNoListing) {
		t.Errorf("List without a preset = %v, want ErrNoListing", err)
	}

	missing := tdb.open(t, Config{Preset: "django"}) // no auth_user table
	var se *source.Error
	if _, err := missing.Count(t.Context()); !errors.As(err, &se) || se.Op != "count" {
		t.Errorf("Count on a missing table = %v, want a *source.Error for count", err)
	}

	django := newTestDB(t, DriverSQLite)
	django.preset(t, "django")
	seedDjango(t, django, 3)
	s := django.open(t, Config{Preset: "django"})
	stop := errors.New("stop")
	calls := 0
	if err := s.List(t.Context(), func(source.Entry) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
		t.Errorf("List with a failing callback = %v after %d calls, want stop after 1", err, calls)
	}
}

// BenchmarkList lists a directory of 50,000 users (50 pages). Run with
// -benchtime=3x: seeding takes longer than listing.
func BenchmarkList(b *testing.B) {
	const n = 50_000
	for _, driver := range []string{DriverSQLite, DriverPostgres} {
		b.Run(driver, func(b *testing.B) {
			tdb := newTestDB(b, driver)
			tdb.preset(b, "django")
			seedDjangoTB(b, tdb, n)
			s := tdb.open(b, Config{Preset: "django"})
			b.ReportAllocs()
			for b.Loop() {
				users := 0
				if err := s.List(b.Context(), func(source.Entry) error { users++; return nil }); err != nil {
					b.Fatal(err)
				}
				if users != n {
					b.Fatalf("listed %d users, want %d", users, n)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*n), "µs/user")
		})
	}
}

// TestPageQueryDialects checks the listing statements each dialect gets,
// SQL Server's included (no SQL Server runs in CI).
func TestPageQueryDialects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, preset, driver string
		after                bool
		want, notWant        []string
	}{
		{name: "postgres first page", preset: "django", driver: DriverPostgres,
			want: []string{`FROM "auth_user" ORDER BY "id" LIMIT 1000`, `CASE WHEN "auth_user"."ferry_migrated_at" IS NULL`}},
		{name: "postgres next page", preset: "django", driver: DriverPostgres, after: true,
			want: []string{`WHERE "id" > $1 ORDER BY "id" LIMIT 1000`}},
		{name: "keycloak binds the realm first", preset: "keycloak", driver: DriverPostgres, after: true,
			want: []string{`WHERE r."name" = $1 AND u."service_account_client_link" IS NULL AND u."id" > $2 ORDER BY u."id"`}},
		{name: "mysql", preset: "wordpress", driver: DriverMySQL, after: true,
			want: []string{"WHERE u.`ID` > ? ORDER BY u.`ID` LIMIT 1000"}},
		{name: "sqlserver", preset: "aspnet-membership", driver: DriverSQLServer, after: true,
			want:    []string{"SELECT TOP 1000 CAST(u.[UserId] AS NVARCHAR(36)) AS [UserId]", "CAST(u.[UserId] AS NVARCHAR(36)) AS ferry_key", "u.[UserId] > @p1 ORDER BY u.[UserId]"},
			notWant: []string{"LIMIT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := Config{Preset: tt.preset, Driver: tt.driver, DSN: "unused", Realm: "r"}
			r, sh, err := c.resolve(nil)
			if err != nil {
				t.Fatal(err)
			}
			s := &Source{cfg: r, given: c, shape: sh}
			s.isReady.Store(true)
			s.setParams()
			l, err := s.listing(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			q := s.pageQuery(l, true, tt.after)
			for _, w := range tt.want {
				if !strings.Contains(q, w) {
					t.Errorf("query lacks %q:\n%s", w, q)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(q, w) {
					t.Errorf("query holds %q:\n%s", w, q)
				}
			}
		})
	}
}
