package migration_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/source"
)

func alice() fakeUser {
	return fakeUser{password: "Corr3ct-horse", user: source.User{
		ID: "17", Username: "alice", Email: "alice@example.com", EmailVerified: true,
		Phone: "+15550100", PhoneVerified: false,
		Attributes: map[string]string{
			"given_name": "Alice", "custom:legacy_id": "17", "sub": "legacy-sub",
			"nickname": "al", "unknown_attr": "x", "cognito:user_status": "X", "username": "evil",
		},
		HashFamily: "bcrypt",
	}}
}

func newSource(users ...fakeUser) *fakeSource {
	s := &fakeSource{users: map[string]fakeUser{}}
	for _, u := range users {
		s.users[u.user.Username] = u
		if u.user.Email != "" {
			s.users[u.user.Email] = u
		}
		if u.user.Phone != "" {
			s.users[u.user.Phone] = u
		}
	}
	return s
}

func newMigrator(t *testing.T, p migration.Policy, srcs ...migration.NamedSource) *migration.Migrator {
	t.Helper()
	m, err := migration.New(migration.Options{Sources: srcs, Policy: p})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMigrateAuthentication(t *testing.T) {
	t.Parallel()
	weak := alice()
	weak.user.Username, weak.user.Email, weak.user.ID, weak.user.WeakHash = "weak", "weak@example.com", "18", true
	noEmail := alice()
	noEmail.user.Username, noEmail.user.Email, noEmail.user.ID = "bob@example.com", "", "19"
	weak.user.Phone, noEmail.user.Phone = "+15550101", "+15550102"
	mustReset := alice()
	mustReset.user.Username, mustReset.user.Email, mustReset.user.ID, mustReset.user.ResetRequired = "reset", "reset@example.com", "20", true
	mustReset.user.Phone = "+15550103"

	tests := []struct {
		name     string
		policy   migration.Policy
		username string
		password string
		want     migration.Result
		wantErr  error
	}{
		{
			name: "username pool, plain username", username: "alice", password: "Corr3ct-horse",
			want: migration.Result{
				UserAttributes: map[string]string{
					"email": "alice@example.com", "email_verified": "true",
					"phone_number": "+15550100", "phone_number_verified": "false",
					"given_name": "Alice", "nickname": "al", "custom:legacy_id": "17",
				},
				FinalUserStatus: "CONFIRMED", MessageAction: "SUPPRESS",
				DesiredDeliveryMediums: []string{"EMAIL"}, Source: "main",
			},
		},
		{
			name: "trimmed and lower-cased", policy: migration.Policy{UsernameCase: migration.FoldLower, PoolCaseSensitive: new(false)},
			username: "  ALICE ", password: "Corr3ct-horse",
			want: migration.Result{
				UserAttributes: map[string]string{
					"email": "alice@example.com", "email_verified": "true",
					"phone_number": "+15550100", "phone_number_verified": "false",
					"given_name": "Alice", "nickname": "al", "custom:legacy_id": "17",
				},
				FinalUserStatus: "CONFIRMED", MessageAction: "SUPPRESS",
				DesiredDeliveryMediums: []string{"EMAIL"}, Source: "main",
			},
		},
		{
			name: "case kept by default", username: "ALICE", password: "Corr3ct-horse",
			wantErr: migration.ErrNotMigrated,
		},
		{
			name: "alias pool, email typed: email and legacy username",
			policy: migration.Policy{PoolMode: migration.PoolAlias, Attributes: []string{"email", "email_verified"},
				DesiredDeliveryMediums: []string{"EMAIL", "SMS"}, ForceAliasCreation: true, SendWelcomeMessage: true},
			username: "alice@example.com", password: "Corr3ct-horse",
			want: migration.Result{
				UserAttributes: map[string]string{
					"email": "alice@example.com", "email_verified": "true", "username": "alice", "custom:legacy_id": "17",
				},
				FinalUserStatus: "CONFIRMED", DesiredDeliveryMediums: []string{"EMAIL", "SMS"},
				ForceAliasCreation: true, Source: "main",
			},
		},
		{
			name:     "alias pool, email typed: username from a configured attribute",
			policy:   migration.Policy{PoolMode: migration.PoolAlias, AliasUsernameAttribute: "custom:legacy_id", Attributes: []string{"email"}},
			username: "alice@example.com", password: "Corr3ct-horse",
			want: migration.Result{
				UserAttributes:  map[string]string{"email": "alice@example.com", "username": "17", "custom:legacy_id": "17"},
				FinalUserStatus: "CONFIRMED", MessageAction: "SUPPRESS", DesiredDeliveryMediums: []string{"EMAIL"}, Source: "main",
			},
		},
		{
			name:     "alias pool, phone typed: phone_number and legacy username",
			policy:   migration.Policy{PoolMode: migration.PoolAlias, Attributes: []string{"phone_number"}},
			username: "+15550100", password: "Corr3ct-horse",
			want: migration.Result{
				UserAttributes:  map[string]string{"phone_number": "+15550100", "username": "alice", "custom:legacy_id": "17"},
				FinalUserStatus: "CONFIRMED", MessageAction: "SUPPRESS", DesiredDeliveryMediums: []string{"EMAIL"}, Source: "main",
			},
		},
		{
			name:     "email-as-username pool, phone typed",
			policy:   migration.Policy{PoolMode: migration.PoolEmailAsUsername, Attributes: []string{"phone_number"}},
			username: "+15550100", password: "Corr3ct-horse",
			want: migration.Result{
				UserAttributes:  map[string]string{"phone_number": "+15550100", "custom:legacy_id": "17"},
				FinalUserStatus: "CONFIRMED", MessageAction: "SUPPRESS", DesiredDeliveryMediums: []string{"EMAIL"}, Source: "main",
			},
		},
		{
			name:     "alias pool, username typed: no username attribute",
			policy:   migration.Policy{PoolMode: migration.PoolAlias, Attributes: []string{"email"}},
			username: "alice", password: "Corr3ct-horse",
			want: migration.Result{
				UserAttributes:  map[string]string{"email": "alice@example.com", "custom:legacy_id": "17"},
				FinalUserStatus: "CONFIRMED", MessageAction: "SUPPRESS", DesiredDeliveryMediums: []string{"EMAIL"}, Source: "main",
			},
		},
		{
			name:     "alias pool, email-shaped legacy username is unmigratable",
			policy:   migration.Policy{PoolMode: migration.PoolAlias},
			username: "bob@example.com", password: "Corr3ct-horse",
			wantErr: migration.ErrUnmigratable,
		},
		{
			name:     "email-as-username pool: email is what was typed, no username",
			policy:   migration.Policy{PoolMode: migration.PoolEmailAsUsername, Attributes: []string{"email", "email_verified"}},
			username: "alice@example.com", password: "Corr3ct-horse",
			want: migration.Result{
				UserAttributes:  map[string]string{"email": "alice@example.com", "email_verified": "true", "custom:legacy_id": "17"},
				FinalUserStatus: "CONFIRMED", MessageAction: "SUPPRESS", DesiredDeliveryMediums: []string{"EMAIL"}, Source: "main",
			},
		},
		{
			name:     "weak hash resets when policy says so",
			policy:   migration.Policy{ResetWeakHash: true, Attributes: []string{"email"}},
			username: "weak", password: "Corr3ct-horse",
			want: migration.Result{
				UserAttributes:  map[string]string{"email": "weak@example.com", "custom:legacy_id": "17"},
				FinalUserStatus: "RESET_REQUIRED", MessageAction: "SUPPRESS", DesiredDeliveryMediums: []string{"EMAIL"}, Source: "main",
			},
		},
		{
			name:     "weak hash kept confirmed by default",
			policy:   migration.Policy{Attributes: []string{"email"}},
			username: "weak", password: "Corr3ct-horse",
			want: migration.Result{
				UserAttributes:  map[string]string{"email": "weak@example.com", "custom:legacy_id": "17"},
				FinalUserStatus: "CONFIRMED", MessageAction: "SUPPRESS", DesiredDeliveryMediums: []string{"EMAIL"}, Source: "main",
			},
		},
		{
			name:     "a reset the legacy directory requires, whatever the policy",
			policy:   migration.Policy{Attributes: []string{"email"}},
			username: "reset", password: "Corr3ct-horse",
			want: migration.Result{
				UserAttributes:  map[string]string{"email": "reset@example.com", "custom:legacy_id": "17"},
				FinalUserStatus: "RESET_REQUIRED", MessageAction: "SUPPRESS", DesiredDeliveryMediums: []string{"EMAIL"}, Source: "main",
			},
		},
		{
			name:     "password failing the pool policy resets",
			policy:   migration.Policy{Attributes: []string{"email"}, PasswordPolicy: &migration.PasswordPolicy{MinLength: 14}},
			username: "alice", password: "Corr3ct-horse",
			want: migration.Result{
				UserAttributes:  map[string]string{"email": "alice@example.com", "custom:legacy_id": "17"},
				FinalUserStatus: "RESET_REQUIRED", MessageAction: "SUPPRESS", DesiredDeliveryMediums: []string{"EMAIL"}, Source: "main",
			},
		},
		{
			name:     "SMS MFA only with a phone number",
			policy:   migration.Policy{Attributes: []string{"phone_number"}, EnableSMSMFA: true},
			username: "alice", password: "Corr3ct-horse",
			want: migration.Result{
				UserAttributes:  map[string]string{"phone_number": "+15550100", "custom:legacy_id": "17"},
				FinalUserStatus: "CONFIRMED", MessageAction: "SUPPRESS", DesiredDeliveryMediums: []string{"EMAIL"},
				EnableSMSMFA: true, Source: "main",
			},
		},
		{
			name:     "SMS MFA off without a phone number",
			policy:   migration.Policy{Attributes: []string{"email"}, EnableSMSMFA: true},
			username: "alice", password: "Corr3ct-horse",
			want: migration.Result{
				UserAttributes:  map[string]string{"email": "alice@example.com", "custom:legacy_id": "17"},
				FinalUserStatus: "CONFIRMED", MessageAction: "SUPPRESS", DesiredDeliveryMediums: []string{"EMAIL"}, Source: "main",
			},
		},
		{name: "wrong password", username: "alice", password: "nope", wantErr: migration.ErrNotMigrated},
		{name: "empty password", username: "alice", password: "", wantErr: migration.ErrNotMigrated},
		{name: "unknown user", username: "mallory", password: "x", wantErr: migration.ErrNotMigrated},
		{name: "empty name", username: "   ", password: "x", wantErr: migration.ErrNotMigrated},
		{
			name: "lookup by username rejects an email", policy: migration.Policy{Lookup: migration.LookupUsername},
			username: "alice@example.com", password: "Corr3ct-horse", wantErr: migration.ErrNotMigrated,
		},
		{
			name: "lookup by email rejects a username", policy: migration.Policy{Lookup: migration.LookupEmail},
			username: "alice", password: "Corr3ct-horse", wantErr: migration.ErrNotMigrated,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := newSource(alice(), weak, noEmail, mustReset)
			m := newMigrator(t, tc.policy, migration.NamedSource{Name: "main", Source: src})
			got, err := m.Migrate(t.Context(), migration.Request{
				Kind: migration.Authentication, Username: tc.username, Password: tc.password,
			})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr != nil {
				return
			}
			tc.want.Outcome = migration.OutcomeMigrated
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(migration.Result{}, "User")); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			if _, ok := got.UserAttributes["sub"]; ok {
				t.Error("sub must never be returned")
			}
		})
	}
}

func TestMigrateForgotPassword(t *testing.T) {
	t.Parallel()
	unverified := alice()
	unverified.user.Username, unverified.user.Email, unverified.user.EmailVerified = "carol", "carol@example.com", false
	phoneOnly := alice()
	phoneOnly.user.Username, phoneOnly.user.Email, phoneOnly.user.PhoneVerified = "dave", "", true

	tests := []struct {
		name     string
		policy   migration.Policy
		username string
		want     map[string]string
		wantErr  error
	}{
		{name: "verified email", username: "alice", want: map[string]string{
			"email": "alice@example.com", "email_verified": "true",
			"phone_number": "+15550100", "phone_number_verified": "false",
			"given_name": "Alice", "nickname": "al", "custom:legacy_id": "17",
		}},
		{name: "verified phone only", username: "dave", want: map[string]string{
			"phone_number": "+15550100", "phone_number_verified": "true",
			"given_name": "Alice", "nickname": "al", "custom:legacy_id": "17",
		}},
		{name: "no verified channel is its own outcome, not a fault", username: "carol", wantErr: migration.ErrNoVerifiedChannel},
		{name: "email assumed verified", policy: migration.Policy{AssumeEmailVerified: true, Attributes: []string{"email", "email_verified"}},
			username: "carol", want: map[string]string{"email": "carol@example.com", "email_verified": "true", "custom:legacy_id": "17"}},
		{name: "unknown user", username: "mallory", wantErr: migration.ErrNotMigrated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := newSource(alice(), unverified, phoneOnly)
			m := newMigrator(t, tc.policy, migration.NamedSource{Name: "main", Source: src})
			got, err := m.Migrate(t.Context(), migration.Request{Kind: migration.ForgotPassword, Username: tc.username})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if src.verifies != 0 {
				t.Errorf("forgot-password verified %d passwords, want none", src.verifies)
			}
			if tc.wantErr != nil {
				var f *migration.Fault
				if errors.Is(tc.wantErr, migration.ErrNoVerifiedChannel) {
					if errors.As(err, &f) || !errors.Is(err, migration.ErrNotMigrated) {
						t.Errorf("err %v: want a \"no\" (ErrNotMigrated), not a *Fault", err)
					}
					if got.Outcome != migration.OutcomeNoVerifiedChannel || got.User == nil || got.User.ID != "17" {
						t.Errorf("outcome %q, user %+v; want %q with the legacy user", got.Outcome, got.User, migration.OutcomeNoVerifiedChannel)
					}
					if st := m.Stats(); st.NoVerifiedChannel != 1 || st.Faults != 0 {
						t.Errorf("stats %+v: want 1 no-verified-channel and no fault", st)
					}
				}
				return
			}
			if diff := cmp.Diff(tc.want, got.UserAttributes); diff != "" {
				t.Errorf("attributes (-want +got):\n%s", diff)
			}
			if got.FinalUserStatus != migration.StatusResetRequired {
				t.Errorf("status = %q, want RESET_REQUIRED", got.FinalUserStatus)
			}
		})
	}
}

func TestMigrateChain(t *testing.T) {
	t.Parallel()
	bob := alice()
	bob.user.Username, bob.user.Email, bob.user.ID = "bob", "bob@example.com", "2"

	tests := []struct {
		name       string
		first      *fakeSource
		username   string
		password   string
		wantSource string
		wantErr    error
		wantFault  bool
		wantSecond bool // whether the second source is asked for the typed name
	}{
		{name: "found in the first", first: newSource(alice()), username: "alice", password: "Corr3ct-horse", wantSource: "first"},
		{name: "not found moves on", first: newSource(alice()), username: "bob", password: "Corr3ct-horse", wantSource: "second", wantSecond: true},
		{name: "wrong password stops", first: newSource(alice()), username: "alice", password: "bad", wantSource: "first", wantErr: migration.ErrNotMigrated},
		{name: "disabled stops", first: func() *fakeSource {
			a := alice()
			a.disabled = true
			return newSource(a)
		}(), username: "alice", password: "Corr3ct-horse", wantSource: "first", wantErr: migration.ErrNotMigrated},
		{name: "fault stops and fails closed", first: &fakeSource{fault: errDown}, username: "bob", password: "Corr3ct-horse", wantSource: "first", wantErr: errDown, wantFault: true},
		{name: "unknown everywhere asks every source", first: newSource(alice()), username: "zed", password: "x", wantErr: migration.ErrNotMigrated, wantSecond: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			second := newSource(bob)
			m := newMigrator(t, migration.Policy{},
				migration.NamedSource{Name: "first", Source: tc.first},
				migration.NamedSource{Name: "second", Source: second})
			got, err := m.Migrate(t.Context(), migration.Request{Kind: migration.Authentication, Username: tc.username, Password: tc.password})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			var f *migration.Fault
			if errors.As(err, &f) != tc.wantFault {
				t.Errorf("fault = %v, want %v", errors.As(err, &f), tc.wantFault)
			}
			if tc.wantFault && errors.Is(err, migration.ErrNotMigrated) {
				t.Error("a fault must not look like a not-migrated outcome")
			}
			if got.Source != tc.wantSource {
				t.Errorf("source = %q, want %q", got.Source, tc.wantSource)
			}
			if asked := slices.Contains(second.names, tc.username); asked != tc.wantSecond {
				t.Errorf("second source asked for %q = %v, want %v", tc.username, asked, tc.wantSecond)
			}
			if stopped := errors.Is(err, migration.ErrNotMigrated) && !tc.wantSecond; stopped && second.verifies != 1 {
				t.Errorf("second source did %d verifications after a stop, want 1 (the chain's cost must not depend on where the user is)", second.verifies)
			}
		})
	}
}

// TestOutcomesLookAlike checks that the migration layer gives an observer
// nothing to tell an unknown user from a wrong password or a disabled user:
// the same error value, and one verification in every source of the chain
// for each (the sources' dummy verifications for users they do not hold),
// wherever in the chain the user is.
func TestOutcomesLookAlike(t *testing.T) {
	t.Parallel()
	disabled := alice()
	disabled.user.Username, disabled.user.Email, disabled.disabled = "dis", "dis@example.com", true
	bob := alice()
	bob.user.Username, bob.user.Email = "bob", "bob@example.com"
	for _, name := range []string{"alice", "mallory", "dis", "bob"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			first, second, third := newSource(alice(), disabled), newSource(bob), newSource()
			m := newMigrator(t, migration.Policy{},
				migration.NamedSource{Name: "first", Source: first},
				migration.NamedSource{Name: "second", Source: second},
				migration.NamedSource{Name: "third", Source: third})
			_, err := m.Migrate(t.Context(), migration.Request{Kind: migration.Authentication, Username: name, Password: "wrong"})
			if err != migration.ErrNotMigrated { // identity, not errors.Is: nothing may be wrapped around it
				t.Errorf("err = %#v, want the bare ErrNotMigrated", err)
			}
			for i, s := range []*fakeSource{first, second, third} {
				if s.verifies != 1 {
					t.Errorf("source %d: %d verifications, want 1 (dummy or real)", i, s.verifies)
				}
			}
		})
	}
}

func TestDeadline(t *testing.T) {
	t.Parallel()
	src := newSource(alice())
	m := newMigrator(t, migration.Policy{Deadline: 50 * time.Millisecond}, migration.NamedSource{Name: "main", Source: src})
	if _, err := m.Migrate(t.Context(), migration.Request{Kind: migration.Authentication, Username: "alice", Password: "Corr3ct-horse"}); err != nil {
		t.Fatal(err)
	}
	if !src.deadlineOK {
		t.Error("the source was called without a deadline")
	}
	blocked := blockingSource{}
	m = newMigrator(t, migration.Policy{Deadline: 20 * time.Millisecond}, migration.NamedSource{Name: "slow", Source: blocked})
	_, err := m.Migrate(t.Context(), migration.Request{Kind: migration.Authentication, Username: "alice", Password: "x"})
	var f *migration.Fault
	if !errors.As(err, &f) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want a fault wrapping DeadlineExceeded", err)
	}
}

// blockingSource answers only when ctx is done, as a hung server would.
type blockingSource struct{}

func (blockingSource) Authenticate(ctx context.Context, _, _ string) (*source.User, error) {
	<-ctx.Done()
	return nil, &source.Error{Source: "slow", Op: "authenticate", Err: ctx.Err()}
}

func (blockingSource) Lookup(ctx context.Context, _ string) (*source.User, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func TestIdempotentWriteBack(t *testing.T) {
	t.Parallel()
	src := newSource(alice())
	m := newMigrator(t, migration.Policy{MarkMigrated: true}, migration.NamedSource{Name: "main", Source: src})
	req := migration.Request{Kind: migration.Authentication, Username: "alice", Password: "Corr3ct-horse"}
	var wg sync.WaitGroup
	for range 3 { // Cognito's up to three attempts for one sign-in
		wg.Go(func() {
			if _, err := m.Migrate(t.Context(), req); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := m.Stats().Migrated; got != 1 {
		t.Errorf("migrated = %d, want 1", got)
	}
	if len(src.marked) == 0 || len(src.marked) > 3 {
		t.Errorf("marked %v", src.marked)
	}
	if _, err := m.Migrate(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	if n := len(src.marked); n > 3 {
		t.Errorf("marked again after counting: %v", src.marked)
	}
}

func TestWriteBackFailureIsNotFatal(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	src := newSource(alice())
	src.markFault = errDown
	m, err := migration.New(migration.Options{
		Sources: []migration.NamedSource{{Name: "main", Source: src}},
		Policy:  migration.Policy{MarkMigrated: true},
		Logger:  slog.New(slog.NewJSONHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Migrate(t.Context(), migration.Request{Kind: migration.Authentication, Username: "alice", Password: "Corr3ct-horse"}); err != nil {
		t.Fatalf("write-back failure failed the migration: %v", err)
	}
	if !strings.Contains(logs.String(), `"msg":"migration write-back"`) || !strings.Contains(logs.String(), "connection refused") {
		t.Errorf("write-back failure not logged:\n%s", logs.String())
	}
}

func TestLogsNeverHoldThePassword(t *testing.T) {
	t.Parallel()
	const password = "Sup3r-secret-pa55"
	var logs bytes.Buffer
	a := alice()
	a.password = password
	m, err := migration.New(migration.Options{
		Sources: []migration.NamedSource{{Name: "main", Source: newSource(a)}, {Name: "down", Source: &fakeSource{fault: errDown}}},
		Policy:  migration.Policy{},
		Logger:  slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"alice", "mallory"} {
		req := migration.Request{Kind: migration.Authentication, Username: name, Password: password, RequestID: "req-1"}
		_, _ = m.Migrate(t.Context(), req)
		slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})).Debug("request", "req", req)
	}
	out := logs.String()
	if strings.Contains(out, password) {
		t.Fatalf("password in logs:\n%s", out)
	}
	for _, want := range []string{`"request_id":"req-1"`, `"outcome":"migrated"`, `"hash_family":"bcrypt"`, `"latency_ms"`, `"outcome":"fault"`, `"source":"main"`} {
		if !strings.Contains(out, want) {
			t.Errorf("logs lack %s:\n%s", want, out)
		}
	}
}

func TestPolicyValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		policy migration.Policy
		want   []string
	}{
		{name: "zero is valid", policy: migration.Policy{}},
		{name: "every problem at once", policy: migration.Policy{
			UsernameCase: "upper", Lookup: "phone", PoolMode: "x", Attributes: []string{"sub", ""},
			DesiredDeliveryMediums: []string{"PIGEON"}, PasswordPolicy: &migration.PasswordPolicy{MinLength: 3},
			Deadline: 6 * time.Second, AliasUsernameAttribute: "id",
		}, want: []string{
			"username_case:", "lookup:", "pool_mode:", "attributes[0]:", "attributes[1]:",
			"desired_delivery_mediums[0]:", "password_policy.min_length:", "deadline:", "alias_username_attribute:",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.policy.Validate()
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestPasswordPolicy(t *testing.T) {
	t.Parallel()
	all := migration.PasswordPolicy{MinLength: 8, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true}
	tests := []struct {
		name     string
		password string
		want     bool
	}{
		{"everything", "Abcdef1!", true},
		{"too short", "Abc1!", false},
		{"no upper", "abcdef1!", false},
		{"no lower", "ABCDEF1!", false},
		{"no number", "Abcdefg!", false},
		{"no symbol", "Abcdefg1", false},
		{"inner space counts as symbol", "Abc def1", true},
		{"trailing space does not", "Abcdef1 ", false},
		{"non-Latin letters are not upper case", "Äbcdef1!", false},
		{"backtick is a symbol", "Abcdef1`", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := all.Allows(tc.password); got != tc.want {
				t.Errorf("Allows(%q) = %v, want %v", tc.password, got, tc.want)
			}
		})
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		o    migration.Options
	}{
		{"no sources", migration.Options{}},
		{"unnamed source", migration.Options{Sources: []migration.NamedSource{{Source: newSource()}}}},
		{"bad policy", migration.Options{Sources: []migration.NamedSource{{Name: "a", Source: newSource()}}, Policy: migration.Policy{PoolMode: "x"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := migration.New(tc.o); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestFaultNamesTheSourceOnce(t *testing.T) {
	t.Parallel()
	f := &migration.Fault{Source: "blog", Err: &source.Error{Source: "blog", Op: "authenticate", Err: errors.New("dial tcp: refused")}}
	if got, want := f.Error(), "migration fault in source blog: authenticate: dial tcp: refused"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	var se *source.Error
	if !errors.As(f, &se) {
		t.Error("the source error is no longer reachable with errors.As")
	}
}
