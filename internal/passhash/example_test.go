package passhash_test

import (
	"context"
	"fmt"

	"github.com/ferry-migrate/ferry/internal/passhash"
)

func ExampleVerifier_Verify() {
	v, err := passhash.New(passhash.Options{})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	// A Django hash (made by Django 3.2) describes itself; an ASP.NET
	// Identity hash (aspnetcore's test vector) needs its Format. The latter
	// is weak: 10,000 PBKDF2-SHA256 iterations are below OWASP's 600,000.
	for _, h := range []passhash.Hash{
		{Encoded: "pbkdf2_sha256$600000$somesalt$pVg6E+XzfHKMmpInESk0NKP2Q8s0KkpoPoQFM6yekE8="},
		{Format: "aspnet-identity", Encoded: "AQAAAAEAACcQAAAAEAABAgMEBQYHCAkKCwwNDg+yWU7rLgUwPZb1Itsmra7cbxw2EFpwpVFIEtP+JIuUEw=="},
	} {
		res, err := v.Verify(ctx, "my password", h)
		fmt.Println(res.Family, res.Match, res.Weak, err)
	}
	// Output:
	// django-pbkdf2-sha256 true false <nil>
	// aspnet-identity-v3 true true <nil>
}

func ExampleVerifier_Verify_template() {
	v, err := passhash.New(passhash.Options{})
	if err != nil {
		panic(err)
	}
	// sha1("--" . $salt . "--" . $password . "--"), as restful_authentication stored it.
	h := passhash.Hash{
		Format:  "template:sha1('--'$salt'--'$password'--')",
		Salt:    "NaCl",
		Encoded: "7034b6b67abcb4d96f67396a9fe684b3cc89a089",
	}
	res, err := v.Verify(context.Background(), "secret", h)
	fmt.Println(res.Match, res.Weak, err)
	// Output: true true <nil>
}
