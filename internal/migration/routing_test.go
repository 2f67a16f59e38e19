package migration_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/internal/migration"
)

// corpPolicy routes corporate addresses to "ldap" and numeric names to
// "sql"; "file" is the default chain.
func corpPolicy() migration.Policy {
	return migration.Policy{PoolMode: migration.PoolAlias, Routing: []migration.Route{
		{Match: migration.RouteMatch{EmailDomain: "corp.example.com"}, Sources: []string{"ldap"}},
		{Match: migration.RouteMatch{UsernameRegexp: `^\d+$`}, Sources: []string{"sql", "ldap"}},
	}}
}

func TestRouting(t *testing.T) {
	t.Parallel()
	corp := alice()
	corp.user.Username, corp.user.Email, corp.user.ID, corp.user.Phone = "jdoe", "jdoe@corp.example.com", "c1", ""
	numeric := alice()
	numeric.user.Username, numeric.user.Email, numeric.user.ID, numeric.user.Phone = "12345", "", "n1", ""
	plain := alice()
	plain.user.Username, plain.user.Email, plain.user.ID, plain.user.Phone = "carol", "carol@example.org", "p1", ""
	// Every user exists in every source, so only routing decides which
	// source answers.
	everyone := []fakeUser{corp, numeric, plain}

	tests := []struct {
		name       string
		username   string
		password   string
		down       string // a source that faults
		wantSource string
		wantErr    error
		wantFault  bool
		wantAsked  []string // sources asked for the typed name
		wantSpent  []string // sources asked for an absent name after a "no"
	}{
		{name: "email domain routes to ldap", username: "jdoe@corp.example.com", password: "Corr3ct-horse",
			wantSource: "ldap", wantAsked: []string{"ldap"}},
		{name: "domain compared without case", username: "jdoe@CORP.Example.com", password: "Corr3ct-horse",
			wantErr: migration.ErrNotMigrated, wantAsked: []string{"ldap"}},
		{name: "subdomain is not the domain", username: "jdoe@eu.corp.example.com", password: "Corr3ct-horse",
			wantErr: migration.ErrNotMigrated, wantAsked: []string{"file"}},
		{name: "regexp routes in rule order", username: "12345", password: "Corr3ct-horse",
			wantSource: "sql", wantAsked: []string{"sql"}},
		{name: "unmatched name takes the default chain", username: "carol", password: "Corr3ct-horse",
			wantSource: "file", wantAsked: []string{"file"}},
		{name: "unknown moves on within the routed chain", username: "99999", password: "Corr3ct-horse",
			wantErr: migration.ErrNotMigrated, wantAsked: []string{"sql", "ldap"}},
		{name: "wrong password stops and spends the rest of the routed chain", username: "12345", password: "bad",
			wantSource: "sql", wantErr: migration.ErrNotMigrated, wantAsked: []string{"sql"}, wantSpent: []string{"ldap"}},
		{name: "fault in the routed chain fails closed", username: "12345", password: "Corr3ct-horse", down: "sql",
			wantSource: "sql", wantErr: errDown, wantFault: true, wantAsked: nil},
		{name: "fault outside the routed chain is not met", username: "jdoe@corp.example.com", password: "Corr3ct-horse", down: "sql",
			wantSource: "ldap", wantAsked: []string{"ldap"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srcs := map[string]*fakeSource{"ldap": newSource(everyone...), "sql": newSource(everyone...), "file": newSource(everyone...)}
			if tc.down != "" {
				srcs[tc.down].fault = errDown
			}
			// "ldap" first in the configuration: routing, not order, decides.
			m := newMigrator(t, corpPolicy(),
				migration.NamedSource{Name: "ldap", Source: srcs["ldap"]},
				migration.NamedSource{Name: "sql", Source: srcs["sql"]},
				migration.NamedSource{Name: "file", Source: srcs["file"]})
			got, err := m.Migrate(t.Context(), migration.Request{Kind: migration.Authentication, Username: tc.username, Password: tc.password})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			var f *migration.Fault
			if errors.As(err, &f) != tc.wantFault {
				t.Errorf("fault = %v, want %v", errors.As(err, &f), tc.wantFault)
			}
			if tc.wantSource != "" && got.Source != tc.wantSource {
				t.Errorf("source = %q, want %q", got.Source, tc.wantSource)
			}
			var asked, spent []string
			for _, name := range []string{"ldap", "sql", "file"} {
				for _, n := range srcs[name].names {
					switch {
					case n == tc.username:
						asked = append(asked, name)
					case strings.HasPrefix(n, "ferry-absent-"):
						spent = append(spent, name)
					}
				}
			}
			slices.Sort(asked)
			want := slices.Clone(tc.wantAsked)
			slices.Sort(want)
			if !slices.Equal(asked, want) {
				t.Errorf("sources asked for %q = %v, want %v", tc.username, asked, want)
			}
			if !slices.Equal(spent, tc.wantSpent) {
				t.Errorf("sources asked for an absent name = %v, want %v", spent, tc.wantSpent)
			}
		})
	}
}

func TestRoutingEveryNameRouted(t *testing.T) {
	t.Parallel()
	src := newSource(alice())
	m := newMigrator(t, migration.Policy{PoolMode: migration.PoolAlias, Routing: []migration.Route{
		{Match: migration.RouteMatch{EmailDomain: "@example.com"}, Sources: []string{"only"}},
	}}, migration.NamedSource{Name: "only", Source: src})
	if _, err := m.Migrate(t.Context(), migration.Request{Kind: migration.Authentication, Username: "alice@example.com", Password: "Corr3ct-horse"}); err != nil {
		t.Fatalf("routed user: %v", err)
	}
	_, err := m.Migrate(t.Context(), migration.Request{Kind: migration.Authentication, Username: "alice", Password: "Corr3ct-horse"})
	if !errors.Is(err, migration.ErrNotMigrated) {
		t.Fatalf("unrouted name with no default chain: err = %v, want ErrNotMigrated", err)
	}
	if slices.Contains(src.names, "alice") {
		t.Error("a name no rule routes was asked of a routed source")
	}
}

func TestRoutingForgotPassword(t *testing.T) {
	t.Parallel()
	ldap, file := newSource(alice()), newSource(alice())
	m := newMigrator(t, migration.Policy{Routing: []migration.Route{
		{Match: migration.RouteMatch{UsernameRegexp: "^ali"}, Sources: []string{"ldap"}},
	}}, migration.NamedSource{Name: "file", Source: file}, migration.NamedSource{Name: "ldap", Source: ldap})
	got, err := m.Migrate(t.Context(), migration.Request{Kind: migration.ForgotPassword, Username: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Source != "ldap" || file.lookups != 0 {
		t.Errorf("source = %q, default chain lookups = %d; want ldap and 0", got.Source, file.lookups)
	}
}

func TestRoutingValidate(t *testing.T) {
	t.Parallel()
	names := []string{"corp-ldap", "legacy-sql"}
	tests := []struct {
		name    string
		routing []migration.Route
		want    []string // substrings of the error, one per problem; none for valid
	}{
		{name: "valid", routing: []migration.Route{
			{Match: migration.RouteMatch{EmailDomain: "corp.example.com"}, Sources: []string{"corp-ldap"}},
			{Match: migration.RouteMatch{UsernameRegexp: `^\d+$`}, Sources: []string{"legacy-sql"}},
		}},
		{name: "both criteria", routing: []migration.Route{
			{Match: migration.RouteMatch{EmailDomain: "@corp.example.com", UsernameRegexp: "^a"}, Sources: names},
		}},
		{name: "empty list", routing: []migration.Route{}, want: []string{"routing: empty list"}},
		{name: "empty rule", routing: []migration.Route{{}}, want: []string{
			"routing[0].match: empty", "routing[0].sources: empty",
		}},
		{name: "bad regexp", routing: []migration.Route{
			{Match: migration.RouteMatch{UsernameRegexp: "^(a"}, Sources: names},
		}, want: []string{"routing[0].match.username_regexp: error parsing regexp"}},
		{name: "bad domain", routing: []migration.Route{
			{Match: migration.RouteMatch{EmailDomain: "a@b.com"}, Sources: names},
			{Match: migration.RouteMatch{EmailDomain: "localhost"}, Sources: names},
		}, want: []string{"routing[0].match.email_domain", "routing[1].match.email_domain"}},
		{name: "unknown and repeated sources", routing: []migration.Route{
			{Match: migration.RouteMatch{UsernameRegexp: "x"}, Sources: []string{"corp-ldap", "nope", "corp-ldap", ""}},
		}, want: []string{
			`routing[0].sources[1]: unknown source "nope"`, `routing[0].sources[2]: "corp-ldap" is listed twice`,
			"routing[0].sources[3]: empty source name",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := migration.Policy{Routing: tc.routing}
			err := errors.Join(p.Validate(), p.ValidateRouting(names))
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if got, want := strings.Count(err.Error(), "\n")+1, len(tc.want); got != want {
				t.Errorf("%d problems reported, want %d:\n%v", got, want, err)
			}
		})
	}
}

func TestNewRejectsUnknownRouteSource(t *testing.T) {
	t.Parallel()
	_, err := migration.New(migration.Options{
		Sources: []migration.NamedSource{{Name: "legacy-sql", Source: newSource(alice())}},
		Policy: migration.Policy{Routing: []migration.Route{
			{Match: migration.RouteMatch{EmailDomain: "corp.example.com"}, Sources: []string{"corp-ldap"}},
		}},
	})
	if !errors.Is(err, migration.ErrUnknownRouteSource) || !strings.Contains(err.Error(), "routing[0].sources[0]") {
		t.Fatalf("err = %v, want unknown source at routing[0].sources[0]", err)
	}
}
