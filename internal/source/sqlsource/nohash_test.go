package sqlsource

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/internal/source"
)

// A legacy user whose row holds no verifiable hash (a social sign-in, an
// encrypted ASP.NET Membership password) is refused like a wrong password,
// and the operator's log says why, with the user's id and no password.
func TestUserWithoutHashIsRefusedAndLogged(t *testing.T) {
	t.Parallel()
	tdb := newTestDB(t, DriverSQLite)
	ids := seedMembers(t, tdb, testCost)
	tdb.exec(t, `UPDATE "members" SET "pw" = NULL WHERE "login" = $1`, "bob")

	c := membersConfig(tdb.d)
	c.Driver, c.DSN = tdb.driver, tdb.dsn
	var buf bytes.Buffer
	s, err := c.Open(t.Context(), "legacy", slog.New(slog.NewJSONHandler(&buf, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	const typed = "b0b's pass"
	if _, err := s.Authenticate(t.Context(), "bob", typed); !errors.Is(err, source.ErrInvalidPassword) {
		t.Fatalf("Authenticate = %v, want ErrInvalidPassword", err)
	}
	out := buf.String()
	if !strings.Contains(out, "no verifiable password hash") || !strings.Contains(out, `"user_id":"`+ids["bob"]+`"`) {
		t.Errorf("log lacks the reason or the user id:\n%s", out)
	}
	if strings.Contains(out, typed) {
		t.Errorf("log contains the password:\n%s", out)
	}
	// Forgot-password still finds the user.
	if u, err := s.Lookup(t.Context(), "bob"); err != nil || u.ID != ids["bob"] {
		t.Errorf("Lookup = %+v, %v", u, err)
	}
}
