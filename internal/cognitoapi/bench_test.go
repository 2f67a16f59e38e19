package cognitoapi_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/trigger"
)

func benchStores() map[string][]cognitotest.Option {
	return map[string][]cognitotest.Option{"memory": nil, "sqlite": {cognitotest.WithSQLite()}}
}

// BenchmarkSignIn measures USER_PASSWORD_AUTH of an existing user over
// HTTP with the AWS SDK: the verifier check (one 3072-bit exponentiation),
// two RS256 signatures and the refresh-token write. Run with a bounded
// -benchtime (e.g. 200x): the machine is shared.
func BenchmarkSignIn(b *testing.B) {
	for name, opts := range benchStores() {
		b.Run(name, func(b *testing.B) {
			s := cognitotest.NewServer(b, opts...)
			s.CreateUser(b, "alice", "Passw0rd!")
			for b.Loop() {
				if _, err := s.SignIn(b.Context(), "alice", "Passw0rd!"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMigration measures first sign-ins: each iteration migrates a new
// user through an in-process trigger that answers at once, so the figure
// is the pool's own cost of a migration (lookup miss, trigger round trip,
// verifier computation, create, tokens).
func BenchmarkMigration(b *testing.B) {
	fn := lambdainvoke.InProcess(func(_ context.Context, ev trigger.Event) (trigger.Event, error) {
		ev.Response = trigger.Response{UserAttributes: map[string]string{"email": ev.UserName + "@example.com", "email_verified": "true"},
			FinalUserStatus: "CONFIRMED", MessageAction: "SUPPRESS"}
		return ev, nil
	})
	for name, opts := range benchStores() {
		b.Run(name, func(b *testing.B) {
			s := cognitotest.NewServer(b, append(opts, cognitotest.WithMigration(fn))...)
			n := 0
			for b.Loop() {
				n++
				if _, err := s.SignIn(b.Context(), fmt.Sprintf("user%d", n), "Legacy-pass1"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
