package ldapsource

import (
	"encoding/hex"
	"testing"

	"github.com/go-ldap/ldap/v3"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ferry-migrate/ferry/internal/source"
)

func mustHex(t *testing.T, s string) string {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// adEntry is shaped like an Active Directory user as a search returns it.
// The objectGUID bytes are those of the GUID
// {b20c7f8a-3e6f-414b-9f0e-2d2b6a2f9c11} in Windows byte order (the first
// three fields little-endian); the SID is S-1-5-21-1004336348-1177238915-682003330-1103.
func adEntry(t *testing.T, uac string) *ldap.Entry {
	return ldap.NewEntry("CN=Alice Liddell,OU=Staff,DC=corp,DC=example,DC=com", map[string][]string{
		"objectGUID":         {mustHex(t, "8a7f0cb26f3e4b419f0e2d2b6a2f9c11")},
		"objectSid":          {mustHex(t, "010500000000000515000000dcf4dc3b833d2b46828ba6284f040000")},
		"sAMAccountName":     {"alice"},
		"userPrincipalName":  {"alice@corp.example.com"},
		"mail":               {"Alice.Liddell@example.com"},
		"telephoneNumber":    {"+15550100001"},
		"givenName":          {"Alice"},
		"sn":                 {"Liddell"},
		"displayName":        {"Alice Liddell"},
		"department":         {"Research"},
		"userAccountControl": {uac},
		"memberOf": {
			"CN=Domain Admins,CN=Users,DC=corp,DC=example,DC=com",
			`CN=R\2cD,OU=Groups,DC=corp,DC=example,DC=com`,
		},
	})
}

func adConfig() Config {
	c := validConfig()
	c.Attributes = Attributes{
		ID:       "objectGUID",
		Username: "sAMAccountName",
		Groups:   "memberOf",
		Extra:    map[string]string{"custom:department": "department", "custom:sid": "objectSid"},
	}
	c.EmailVerified = true
	return c.withDefaults()
}

func TestUserFromADEntry(t *testing.T) {
	t.Parallel()
	c := adConfig()
	got, err := c.userFromEntry(adEntry(t, "512"))
	if err != nil {
		t.Fatal(err)
	}
	want := &source.User{
		ID:            "b20c7f8a-3e6f-414b-9f0e-2d2b6a2f9c11",
		Username:      "alice",
		Email:         "Alice.Liddell@example.com",
		EmailVerified: true,
		Phone:         "+15550100001",
		PhoneVerified: false,
		Attributes: map[string]string{
			"given_name":        "Alice",
			"family_name":       "Liddell",
			"name":              "Alice Liddell",
			"custom:department": "Research",
			"custom:sid":        "S-1-5-21-1004336348-1177238915-682003330-1103",
		},
		Groups: []string{"Domain Admins", "R,D"},
	}
	if d := cmp.Diff(want, got, cmpopts.EquateEmpty()); d != "" {
		t.Errorf("userFromEntry (-want +got):\n%s", d)
	}
}

func TestUserFromOpenLDAPEntry(t *testing.T) {
	t.Parallel()
	c := validConfig()
	c.PhoneVerified = true
	c = c.withDefaults()
	e := ldap.NewEntry("uid=bob,ou=people,dc=example,dc=com", map[string][]string{
		"entryUUID":       {"0b1c8f5e-4a4e-103f-8a8b-5f1f0a0b3c2d"},
		"uid":             {"bob"},
		"cn":              {"Bob Builder"},
		"sn":              {"Builder"},
		"telephoneNumber": {"+15550100002"},
		"jpegPhoto":       {"\xff\xd8\xff\xe0"},
	})
	c.Attributes.Extra = map[string]string{"custom:photo": "jpegPhoto"}
	got, err := c.userFromEntry(e)
	if err != nil {
		t.Fatal(err)
	}
	want := &source.User{
		ID:            "0b1c8f5e-4a4e-103f-8a8b-5f1f0a0b3c2d",
		Username:      "bob",
		Phone:         "+15550100002",
		PhoneVerified: true,
		Attributes: map[string]string{
			"family_name":  "Builder",
			"name":         "Bob Builder", // displayName absent: cn
			"custom:photo": "/9j/4A==",    // binary: base64
		},
	}
	if d := cmp.Diff(want, got, cmpopts.EquateEmpty()); d != "" {
		t.Errorf("userFromEntry (-want +got):\n%s", d)
	}
}

func TestDisabledReason(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		attrs map[string][]string
		want  string
	}{
		{"normal AD account", map[string][]string{"userAccountControl": {"512"}}, ""},
		{"AD ACCOUNTDISABLE", map[string][]string{"userAccountControl": {"514"}}, "userAccountControl ACCOUNTDISABLE"},
		{"AD disabled, password never expires", map[string][]string{"userAccountControl": {"66050"}}, "userAccountControl ACCOUNTDISABLE"},
		{"AD lockout bit only", map[string][]string{"userAccountControl": {"528"}}, ""},
		{"garbage userAccountControl", map[string][]string{"userAccountControl": {"x"}}, ""},
		// Locks are lockReason's (TestLockReason): they may expire.
		{"ppolicy locked", map[string][]string{"pwdAccountLockedTime": {"000001010000Z"}}, ""},
		{"389-DS locked", map[string][]string{"nsAccountLock": {"TRUE"}}, "nsAccountLock true"},
		{"389-DS unlocked", map[string][]string{"nsAccountLock": {"false"}}, ""},
		{"nothing", map[string][]string{"uid": {"a"}}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := disabledReason(ldap.NewEntry("uid=a", tc.attrs)); got != tc.want {
				t.Errorf("disabledReason = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestGUIDAndSID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fn      func([]byte) (string, error)
		in      string
		want    string
		wantErr bool
	}{
		{"guid", GUIDString, "8a7f0cb26f3e4b419f0e2d2b6a2f9c11", "b20c7f8a-3e6f-414b-9f0e-2d2b6a2f9c11", false},
		{"guid short", GUIDString, "8a7f", "", true},
		{"well-known sid", SIDString, "010100000000000512000000", "S-1-5-18", false},
		{"domain sid", SIDString, "010500000000000515000000dcf4dc3b833d2b46828ba6284f040000", "S-1-5-21-1004336348-1177238915-682003330-1103", false},
		{"sid truncated", SIDString, "0105000000000005150000", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := tc.fn([]byte(mustHex(t, tc.in)))
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("= %q, %v; want %q (error: %v)", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestSearchName(t *testing.T) {
	t.Parallel()
	c := validConfig()
	c.Domains = []string{"CORP", "corp.example.com"}
	c.EmailFilter = "(mail={email})"
	s := &Source{cfg: c.withDefaults()}
	tests := []struct {
		in, wantName, wantFilter string
	}{
		{"alice", "alice", DefaultUserFilter},
		{`CORP\alice`, "alice", DefaultUserFilter},
		{`corp\alice`, "alice", DefaultUserFilter},
		{"alice@corp.example.com", "alice", DefaultUserFilter},
		{"alice@CORP.EXAMPLE.COM", "alice", DefaultUserFilter},
		{"alice@example.com", "alice@example.com", "(mail={email})"},
		{`OTHER\alice`, `OTHER\alice`, DefaultUserFilter},
		{`CORP\`, `CORP\`, DefaultUserFilter},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			n, f := s.searchName(tc.in)
			if n != tc.wantName || f != tc.wantFilter {
				t.Errorf("searchName(%q) = %q, %q; want %q, %q", tc.in, n, f, tc.wantName, tc.wantFilter)
			}
		})
	}
}

func TestGroupName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"CN=Domain Admins,CN=Users,DC=corp,DC=example,DC=com": "Domain Admins",
		"cn=staff,ou=groups,dc=ferry,dc=test":                 "staff",
		"plain-name":                                          "plain-name",
	} {
		if got := groupName(in); got != want {
			t.Errorf("groupName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFilterEscaping(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"alice":          "(&(objectClass=person)(uid=alice))",
		"*)(uid=*":       `(&(objectClass=person)(uid=\2a\29\28uid=\2a))`,
		"a\x00b":         `(&(objectClass=person)(uid=a\00b))`,
		`back\slash`:     `(&(objectClass=person)(uid=back\5cslash))`,
		"x)(|(objectC=*": `(&(objectClass=person)(uid=x\29\28|\28objectC=\2a))`,
	} {
		got := expand(DefaultUserFilter, map[string]string{"username": ldap.EscapeFilter(in)})
		if got != want {
			t.Errorf("filter for %q = %s, want %s", in, got, want)
		}
		if _, err := ldap.CompileFilter(got); err != nil {
			t.Errorf("filter for %q does not compile: %v", in, err)
		}
	}
}
