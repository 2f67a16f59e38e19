package migration_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ferry-migrate/ferry/internal/guard"
	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/source"
)

func TestCheckAnswer(t *testing.T) {
	t.Parallel()
	us := migration.Policy{PhoneRegion: "US"}
	tests := []struct {
		name      string
		policy    migration.Policy
		username  string
		attrs     map[string]string
		want      map[string]string
		refusals  []migration.Refusal
		wantFatal string // the UnmigratableError's reason, "" for a valid answer
	}{
		{name: "valid answer passes unchanged", username: "alice",
			attrs: map[string]string{"email": "a@example.com", "email_verified": "true", "custom:id": "7"},
			want:  map[string]string{"email": "a@example.com", "email_verified": "true", "custom:id": "7"}},
		{name: "empty answer: Django user without email or names", username: "dj",
			attrs: map[string]string{"email": "", "given_name": "", "family_name": ""}, wantFatal: migration.ReasonNoAttributes},
		{name: "username with a space (WordPress login)", username: "john smith",
			attrs: map[string]string{"email": "j@example.com"}, wantFatal: migration.ReasonUsernamePattern},
		{name: "username too long", username: strings.Repeat("a", 129),
			attrs: map[string]string{"email": "j@example.com"}, wantFatal: migration.ReasonUsernameLength},
		{name: "128-character username is fine", username: strings.Repeat("ä", 128),
			attrs: map[string]string{"nickname": "x"}, want: map[string]string{"nickname": "x"}},
		{name: "the answer's own username is checked", username: "bob@example.com",
			attrs: map[string]string{"username": "bob smith", "email": "bob@example.com"}, wantFatal: migration.ReasonUsernamePattern},
		{name: "email-as-username pool: no username to check", username: "",
			attrs: map[string]string{"email": "e@example.com"}, want: map[string]string{"email": "e@example.com"}},
		{name: "ASP.NET phone 555-0100 with a region: not a valid US number, dropped", policy: us, username: "asp",
			attrs:    map[string]string{"phone_number": "555-0100", "phone_number_verified": "true", "email": "a@example.com"},
			want:     map[string]string{"email": "a@example.com"},
			refusals: []migration.Refusal{{Attribute: "phone_number", Reason: migration.ReasonPhoneFormat}, {Attribute: "phone_number_verified", Reason: migration.ReasonNotVerifiable}}},
		{name: "national number normalised with the region", policy: us, username: "asp",
			attrs:    map[string]string{"phone_number": "(201) 555-0123"},
			want:     map[string]string{"phone_number": "+12015550123"},
			refusals: []migration.Refusal{{Attribute: "phone_number", Reason: migration.ReasonPhoneFormat, Repaired: true}}},
		{name: "national number without a region is dropped", username: "asp",
			attrs:    map[string]string{"phone_number": "(201) 555-0123", "email": "a@example.com"},
			want:     map[string]string{"email": "a@example.com"},
			refusals: []migration.Refusal{{Attribute: "phone_number", Reason: migration.ReasonPhoneFormat}}},
		{name: "international form normalised without a region", username: "asp",
			attrs:    map[string]string{"phone_number": "+44 20 7946 0958"},
			want:     map[string]string{"phone_number": "+442079460958"},
			refusals: []migration.Refusal{{Attribute: "phone_number", Reason: migration.ReasonPhoneFormat, Repaired: true}}},
		{name: "required phone that cannot be fixed", policy: migration.Policy{Schema: migration.PoolSchema{Required: []string{"phone_number"}}},
			username: "asp", attrs: map[string]string{"phone_number": "555-0100", "email": "a@example.com"}, wantFatal: migration.ReasonRequired},
		{name: "bad email dropped with its flag", username: "u",
			attrs:    map[string]string{"email": "not an email", "email_verified": "true", "nickname": "n"},
			want:     map[string]string{"nickname": "n"},
			refusals: []migration.Refusal{{Attribute: "email", Reason: migration.ReasonEmailFormat}, {Attribute: "email_verified", Reason: migration.ReasonNotVerifiable}}},
		{name: "required email missing", policy: migration.Policy{Schema: migration.PoolSchema{Required: []string{"email"}}},
			username: "u", attrs: map[string]string{"nickname": "n"}, wantFatal: migration.ReasonRequired},
		{name: "boolean flags only true or false", username: "u",
			attrs:    map[string]string{"email": "a@example.com", "email_verified": "1"},
			want:     map[string]string{"email": "a@example.com"},
			refusals: []migration.Refusal{{Attribute: "email_verified", Reason: migration.ReasonNotBoolean}}},
		{name: "value over 2048 characters dropped", username: "u",
			attrs:    map[string]string{"email": "a@example.com", "profile": strings.Repeat("x", 2049)},
			want:     map[string]string{"email": "a@example.com"},
			refusals: []migration.Refusal{{Attribute: "profile", Reason: migration.ReasonTooLong}}},
		{name: "undeclared custom attribute dropped", policy: migration.Policy{Schema: migration.PoolSchema{Custom: []string{"custom:id"}}},
			username: "u", attrs: map[string]string{"custom:id": "1", "custom:other": "2"},
			want:     map[string]string{"custom:id": "1"},
			refusals: []migration.Refusal{{Attribute: "custom:other", Reason: migration.ReasonCustomUndecl}}},
		{name: "custom attribute over its declared maximum", policy: migration.Policy{Schema: migration.PoolSchema{MaxLength: map[string]int{"custom:id": 3}}},
			username: "u", attrs: map[string]string{"custom:id": "1234", "nickname": "n"},
			want:     map[string]string{"nickname": "n"},
			refusals: []migration.Refusal{{Attribute: "custom:id", Reason: migration.ReasonTooLong}}},
		{name: "sub and non-standard names are not Cognito's to take", username: "u",
			attrs:    map[string]string{"sub": "x", "shoe_size": "9", "nickname": "n"},
			want:     map[string]string{"nickname": "n"},
			refusals: []migration.Refusal{{Attribute: "shoe_size", Reason: migration.ReasonUnknown}, {Attribute: "sub", Reason: migration.ReasonUnknown}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, refusals, err := tc.policy.CheckAnswer("42", tc.username, tc.attrs)
			if tc.wantFatal != "" {
				var un *migration.UnmigratableError
				if !errors.As(err, &un) || un.Reason() != tc.wantFatal || un.UserID != "42" {
					t.Fatalf("err = %v, want unmigratable (%s)", err, tc.wantFatal)
				}
				if !errors.Is(err, migration.ErrNotMigrated) {
					t.Error("unmigratable must be a \"no\", not a fault")
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("attributes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.refusals, refusals); diff != "" {
				t.Errorf("refusals (-want +got):\n%s", diff)
			}
		})
	}
}

// A user whose answer Cognito would refuse ends unmigratable: no answer,
// no mark, no fault, not a failed attempt; the log names the reason and
// the legacy id, never a value.
func TestMigrateUnmigratableIsNotMarked(t *testing.T) {
	t.Parallel()
	dj := fakeUser{password: "pw-dj", user: source.User{ID: "5", Username: "dj", Attributes: map[string]string{"given_name": ""}}}
	src := newSource(dj, alice())
	var logs strings.Builder
	m, err := migration.New(migration.Options{
		Sources: []migration.NamedSource{{Name: "django", Source: src}},
		Policy:  migration.Policy{MarkMigrated: true},
		Logger:  newTextLogger(&logs),
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := m.Migrate(t.Context(), migration.Request{Kind: migration.Authentication, Username: "dj", Password: "pw-dj"})
	var f *migration.Fault
	if !errors.Is(err, migration.ErrUnmigratable) || errors.As(err, &f) {
		t.Fatalf("err = %v, want unmigratable, not a fault", err)
	}
	if res.Outcome != migration.OutcomeUnmigratable || res.Reason != migration.ReasonNoAttributes || res.Source != "django" {
		t.Errorf("result = %+v", res)
	}
	if len(src.marked) != 0 {
		t.Errorf("marked %v, want nothing", src.marked)
	}
	if st := m.Stats(); st.Unmigratable != 1 || st.Migrated != 0 || st.Faults != 0 {
		t.Errorf("stats = %+v", st)
	}
	if !strings.Contains(logs.String(), `level=WARN msg="user cannot migrate"`) || !strings.Contains(logs.String(), "legacy_id=5") ||
		!strings.Contains(logs.String(), "outcome=unmigratable") {
		t.Errorf("log:\n%s", logs.String())
	}
	// The next user migrates and is marked.
	if _, err := m.Migrate(t.Context(), migration.Request{Kind: migration.Authentication, Username: "alice", Password: "Corr3ct-horse"}); err != nil {
		t.Fatal(err)
	}
	if len(src.marked) != 1 || src.marked[0] != "17" {
		t.Errorf("marked %v, want [17]", src.marked)
	}
}

// badRowSource answers one name with the user's own unusable row.
type badRowSource struct {
	*fakeSource
	bad string
}

func (s badRowSource) Authenticate(ctx context.Context, name, password string) (*source.User, error) {
	if name == s.bad {
		return nil, &source.RecordError{UserID: "99", Reason: source.RecordHashUnknown}
	}
	return s.fakeSource.Authenticate(ctx, name, password)
}

// 200 requests at one bad row are that user's outcome: the breaker stays
// closed and every other user migrates.
func TestBadRecordFloodLeavesOthersAlone(t *testing.T) {
	t.Parallel()
	src := badRowSource{fakeSource: newSource(alice()), bad: "broken"}
	var logs strings.Builder
	m, err := migration.New(migration.Options{
		Sources: []migration.NamedSource{{Name: "main", Source: src}},
		Policy:  migration.Policy{MarkMigrated: true},
		Breaker: &guard.BreakerConfig{},
		Logger:  newTextLogger(&logs),
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 200 {
		res, err := m.Migrate(t.Context(), migration.Request{Kind: migration.Authentication, Username: "broken", Password: "x"})
		var f *migration.Fault
		if !errors.Is(err, migration.ErrNotMigrated) || !errors.Is(err, source.ErrBadRecord) || errors.As(err, &f) {
			t.Fatalf("err = %v, want a bad-record \"no\"", err)
		}
		if res.Outcome != migration.OutcomeBadRecord || res.Reason != source.RecordHashUnknown {
			t.Fatalf("result = %+v", res)
		}
	}
	if _, err := m.Migrate(t.Context(), migration.Request{Kind: migration.Authentication, Username: "alice", Password: "Corr3ct-horse"}); err != nil {
		t.Fatalf("after the flood: %v", err)
	}
	if st := m.Stats(); st.BadRecord != 200 || st.Faults != 0 || st.CircuitOpen != 0 || st.Migrated != 1 {
		t.Errorf("stats = %+v", st)
	}
	if !strings.Contains(logs.String(), `level=WARN msg="legacy record unusable"`) || !strings.Contains(logs.String(), "legacy_id=99") {
		t.Errorf("log lacks the bad-record warning:\n%.500s", logs.String())
	}
}

// A password longer than Cognito's 256 characters reaches no source with
// its length: every source is asked for an absent name with at most 256
// characters, as for an unknown user, and the answer is a "no".
func TestOverLongPasswordReachesNoSource(t *testing.T) {
	t.Parallel()
	first, second := &lengthSource{fakeSource: newSource(alice())}, &lengthSource{fakeSource: newSource()}
	m := newMigrator(t, migration.Policy{},
		migration.NamedSource{Name: "a", Source: first}, migration.NamedSource{Name: "b", Source: second})
	long := strings.Repeat("p", 80<<10)
	res, err := m.Migrate(t.Context(), migration.Request{Kind: migration.Authentication, Username: "alice", Password: long})
	if !errors.Is(err, migration.ErrPasswordTooLong) || !errors.Is(err, migration.ErrNotMigrated) || res.Outcome != migration.OutcomePasswordTooLong {
		t.Fatalf("err = %v, outcome %q", err, res.Outcome)
	}
	for i, s := range []*lengthSource{first, second} {
		if s.calls != 1 || s.longest > migration.MaxPasswordLength || s.verifies != 1 {
			t.Errorf("source %d: %d calls, longest password %d, %d verifications; want one unknown-user call with ≤ 256", i, s.calls, s.longest, s.verifies)
		}
		for _, n := range s.names {
			if n == "alice" {
				t.Errorf("source %d was asked for the typed name", i)
			}
		}
	}
	// 256 characters are still a password.
	if _, err := m.Migrate(t.Context(), migration.Request{Kind: migration.Authentication, Username: "alice", Password: strings.Repeat("é", 256)}); !errors.Is(err, migration.ErrNotMigrated) || errors.Is(err, migration.ErrPasswordTooLong) {
		t.Errorf("256 characters: err = %v, want a wrong password", err)
	}
}

type lengthSource struct {
	*fakeSource
	calls, longest int
}

func (s *lengthSource) Authenticate(ctx context.Context, name, password string) (*source.User, error) {
	s.calls++
	s.longest = max(s.longest, len([]rune(password)))
	return s.fakeSource.Authenticate(ctx, name, password)
}

func BenchmarkCheckAnswer(b *testing.B) {
	p := migration.Policy{PhoneRegion: "US", Schema: migration.PoolSchema{Required: []string{"email"}, Custom: []string{"custom:legacy_id"}}}
	for _, tc := range []struct {
		name  string
		attrs map[string]string
	}{
		{"valid", map[string]string{"email": "alice@example.com", "email_verified": "true", "given_name": "Alice",
			"family_name": "Liddell", "phone_number": "+12015550123", "phone_number_verified": "false", "custom:legacy_id": "17"}},
		{"phone normalised", map[string]string{"email": "alice@example.com", "email_verified": "true", "given_name": "Alice",
			"family_name": "Liddell", "phone_number": "(201) 555-0123", "phone_number_verified": "false", "custom:legacy_id": "17"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			for b.Loop() {
				if _, _, err := p.CheckAnswer("17", "alice", tc.attrs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func newTextLogger(w *strings.Builder) *slog.Logger {
	return slog.New(slog.NewTextHandler(&lockedWriter{w: w}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type lockedWriter struct {
	mu sync.Mutex
	w  *strings.Builder
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
