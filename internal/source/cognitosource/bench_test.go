package cognitosource

import (
	"testing"
)

// BenchmarkAuthenticate measures one sign-in's calls against the local
// pool on loopback: what the source itself adds, and whether an unknown
// user costs what a wrong password costs (one AdminInitiateAuth each; a
// success adds RevokeToken and AdminGetUser). Against Cognito the round
// trips dominate and the old pool's own timing applies.
//
//	go test -run '^$' -bench Authenticate -benchtime 200x ./internal/source/cognitosource/
func BenchmarkAuthenticate(b *testing.B) {
	cases := []struct {
		name, user, password string
	}{
		{"RightPassword", "alice", alicePassword},
		{"WrongPassword", "alice", alicePassword + "x"},
		{"UnknownUser", "nobody-here", alicePassword},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			p := newOldPool(b)
			s := p.config().openTest(b, nil)
			for b.Loop() {
				_, _ = s.Authenticate(b.Context(), c.user, c.password)
			}
		})
	}
}
