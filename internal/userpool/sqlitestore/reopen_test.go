package sqlitestore_test

import (
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	"github.com/ferry-migrate/ferry/internal/userpool"
	"github.com/ferry-migrate/ferry/internal/userpool/sqlitestore"
)

func TestReopenKeepsData(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := open(t, dir)
	p := &userpool.Pool{ID: "eu-west-1_keep", Name: "keep"}
	if err := s.CreatePool(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	u := &userpool.User{PoolID: p.ID, Username: "kept", UsernameKey: "kept", Sub: "sub-kept", Status: "CONFIRMED",
		Enabled: true, Attributes: map[string]string{"email": "kept@example.com"}, Aliases: map[string]string{"email": "kept@example.com"}}
	if err := s.CreateUser(t.Context(), u, userpool.CreateUserOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}

	s = open(t, dir)
	defer s.Close()
	got, err := s.GetUserByAlias(t.Context(), p.ID, "email", "kept@example.com")
	if err != nil || got.Sub != u.Sub {
		t.Fatalf("after reopen: %v, %v", got, err)
	}
	var v int
	db := rawDB(t, dir)
	if err := db.QueryRowContext(t.Context(), "PRAGMA user_version").Scan(&v); err != nil || v != sqlitestore.SchemaVersion {
		t.Errorf("user_version = %d, %v; want %d", v, err, sqlitestore.SchemaVersion)
	}
	var mode string
	if err := db.QueryRowContext(t.Context(), "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	open(t, dir).Close()
	db := rawDB(t, dir)
	if _, err := db.ExecContext(t.Context(), "PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	_, err := sqlitestore.Open(t.Context(), sqlitestore.Config{Dir: dir}, nil)
	if !errors.Is(err, sqlitestore.ErrSchemaTooNew) {
		t.Fatalf("Open of a newer schema: %v, want ErrSchemaTooNew", err)
	}
}

func rawDB(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, sqlitestore.FileName))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
