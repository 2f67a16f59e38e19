package userpool

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseFilter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		filter  string
		want    ListUsersQuery
		wantErr bool
	}{
		{name: "empty", filter: "  "},
		{name: "equals", filter: `email = "a@b.c"`, want: ListUsersQuery{Attribute: "email", Value: "a@b.c"}},
		{name: "prefix, no spaces", filter: `email^="a"`, want: ListUsersQuery{Attribute: "email", Prefix: true, Value: "a"}},
		{name: "escaped quote", filter: `name = "say \"hi\""`, want: ListUsersQuery{Attribute: "name", Value: `say "hi"`}},
		{name: "status attribute", filter: `cognito:user_status = "CONFIRMED"`, want: ListUsersQuery{Attribute: "cognito:user_status", Value: "CONFIRMED"}},
		{name: "unquoted value", filter: `email = a`, wantErr: true},
		{name: "unknown operator", filter: `email != "a"`, wantErr: true},
		{name: "unsearchable attribute", filter: `custom:tenant = "a"`, wantErr: true},
		{name: "stray quote", filter: `email = "a"b"`, wantErr: true},
		{name: "no attribute", filter: `= "a"`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseFilter(tt.filter)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				if !errors.Is(err, ErrInvalidParameter) {
					t.Errorf("err kind = %v", err)
				}
				return
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("query (-want +got):\n%s", d)
			}
		})
	}
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{`email = "a"`, `name^="x\"y"`, `sub = ""`, `"`, `status="Enabled"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseFilter(s)
		if err == nil && q.Attribute == "" && len(s) > 0 && q.Value != "" {
			t.Fatalf("value without attribute: %+v", q)
		}
	})
}

func TestPasswordPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		policy   PasswordPolicy
		password string
		wantMsg  string
	}{
		{name: "default policy met", policy: DefaultPasswordPolicy(), password: "Passw0rd!"},
		{name: "space counts as a symbol inside", policy: DefaultPasswordPolicy(), password: "Pass w0rd"},
		{name: "leading space", policy: DefaultPasswordPolicy(), password: " Passw0rd!", wantMsg: "Password did not conform with password policy: Password must not begin or end with a space"},
		{name: "too short", policy: DefaultPasswordPolicy(), password: "Pa0!", wantMsg: "Password did not conform with password policy: Password not long enough"},
		{name: "relaxed policy", policy: PasswordPolicy{MinimumLength: 6}, password: "abcdef"},
		{name: "minimum six whatever the policy", policy: PasswordPolicy{MinimumLength: 1}, password: "abc", wantMsg: "Password did not conform with password policy: Password not long enough"},
		{name: "non-ASCII letters count", policy: DefaultPasswordPolicy(), password: "Ünïcödé1!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			set := PoolSettings{Policies: Policies{PasswordPolicy: tt.policy}}
			err := set.checkPassword(tt.password)
			var e *Error
			switch {
			case tt.wantMsg == "" && err != nil:
				t.Fatalf("err = %v", err)
			case tt.wantMsg != "" && (!errors.As(err, &e) || e.Message != tt.wantMsg || !errors.Is(err, ErrInvalidPassword)):
				t.Fatalf("err = %v, want %q", err, tt.wantMsg)
			}
		})
	}
}

func TestAliases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		set   PoolSettings
		attrs map[string]string
		want  map[string]string
	}{
		{name: "no sign-in attributes", attrs: map[string]string{"email": "a@b.c", "email_verified": "true"}, want: map[string]string{}},
		{name: "unverified email alias is inactive", set: PoolSettings{AliasAttributes: []string{"email"}},
			attrs: map[string]string{"email": "a@b.c"}, want: map[string]string{}},
		{name: "verified email alias", set: PoolSettings{AliasAttributes: []string{"email"}},
			attrs: map[string]string{"email": "A@B.c", "email_verified": "true"}, want: map[string]string{"email": "A@B.c"}},
		{name: "case-insensitive pool folds email and preferred_username", set: PoolSettings{AliasAttributes: []string{"email", "preferred_username"},
			UsernameConfiguration: &UsernameConfiguration{CaseSensitive: false}},
			attrs: map[string]string{"email": "A@B.c", "email_verified": "true", "preferred_username": "Ally"},
			want:  map[string]string{"email": "a@b.c", "preferred_username": "ally"}},
		{name: "username attribute needs no verification", set: PoolSettings{UsernameAttributes: []string{"email", "phone_number"}},
			attrs: map[string]string{"email": "a@b.c", "phone_number": "+15555550100"},
			want:  map[string]string{"email": "a@b.c", "phone_number": "+15555550100"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if d := cmp.Diff(tt.want, tt.set.aliases(tt.attrs)); d != "" {
				t.Errorf("aliases (-want +got):\n%s", d)
			}
		})
	}
}

func TestMaskDestination(t *testing.T) {
	t.Parallel()
	tests := []struct{ medium, dest, want string }{
		{"EMAIL", "jane@example.com", "j***@e***"},
		{"EMAIL", "broken", "***"},
		{"SMS", "+15555551212", "+*******1212"},
		{"SMS", "+1", "+*******"},
	}
	for _, tt := range tests {
		if got := maskDestination(tt.medium, tt.dest); got != tt.want {
			t.Errorf("maskDestination(%s, %s) = %q, want %q", tt.medium, tt.dest, got, tt.want)
		}
	}
}

func TestClientFlows(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		flows []string
		allow map[string]bool
	}{
		{name: "defaults", allow: map[string]bool{FlowUserSRP: true, FlowRefresh: true, FlowCustom: true, FlowUserPassword: false}},
		{name: "explicit", flows: []string{FlowUserPassword}, allow: map[string]bool{FlowUserPassword: true, FlowUserSRP: false, FlowRefresh: false}},
		{name: "legacy names", flows: []string{"ADMIN_NO_SRP_AUTH"}, allow: map[string]bool{FlowAdminUserPassword: true, FlowUserSRP: true, FlowRefresh: true, FlowUserPassword: false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := ClientSettings{ExplicitAuthFlows: tt.flows}
			for flow, want := range tt.allow {
				if got := c.allows(flow); got != want {
					t.Errorf("allows(%s) = %v, want %v", flow, got, want)
				}
			}
		})
	}
}

func TestCheckAttributes(t *testing.T) {
	t.Parallel()
	schema, err := mergeSchema([]SchemaAttribute{
		{Name: "tenant", AttributeDataType: "String", Mutable: false},
		{Name: "age", AttributeDataType: "Number", Mutable: true, NumberAttributeConstraints: &NumberConstraints{MinValue: "0", MaxValue: "150"}},
		{Name: "email", Required: true, Mutable: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	set := PoolSettings{SchemaAttributes: schema}
	tests := []struct {
		name    string
		attrs   map[string]string
		mode    attrMode
		wantErr bool
	}{
		{name: "fine", attrs: map[string]string{"email": "a@b.c", "custom:tenant": "x", "custom:age": "40"}, mode: attrCreate},
		{name: "required missing on create", attrs: map[string]string{"name": "A"}, mode: attrCreate, wantErr: true},
		{name: "required not needed on update", attrs: map[string]string{"name": "A"}, mode: attrUpdate},
		{name: "immutable on update", attrs: map[string]string{"custom:tenant": "y"}, mode: attrUpdate, wantErr: true},
		{name: "number out of range", attrs: map[string]string{"email": "a@b.c", "custom:age": "200"}, mode: attrCreate, wantErr: true},
		{name: "boolean", attrs: map[string]string{"email": "a@b.c", "email_verified": "yes"}, mode: attrCreate, wantErr: true},
		{name: "birthdate length", attrs: map[string]string{"email": "a@b.c", "birthdate": "1990-1-1"}, mode: attrCreate, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := set.checkAttributes(tt.attrs, tt.mode)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}
