package filesource

import "testing"

// FuzzParseCSV checks that no CSV file, however broken, panics the parser.
func FuzzParseCSV(f *testing.F) {
	f.Add([]byte("username,password_hash\nalice,$2a$04$x\n"))
	f.Add([]byte("# c\nid,username,email_verified,groups,given_name\n1,a,true,x;y,A\n"))
	f.Add([]byte("username\n\"unterminated\n"))
	f.Add([]byte("username,disabled\na,maybe\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := parseCSV(data)
		if err == nil {
			for _, e := range entries {
				_ = e.Username
			}
		}
	})
}

// FuzzParseYAML checks that no YAML file panics the parser.
func FuzzParseYAML(f *testing.F) {
	f.Add([]byte("users:\n  - username: a\n    password_hash: x\n    attributes: {a: b}\n"))
	f.Add([]byte("users: [{username: a, groups: [x, y], disabled: true}]\n"))
	f.Add([]byte("users: {a: 1}\n"))
	f.Add([]byte("&a [*a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = parseYAML(data)
	})
}
