package tokens

import (
	"testing"
	"time"
)

func BenchmarkIssue(b *testing.B) {
	k, err := testKeys()
	if err != nil {
		b.Fatal(err)
	}
	iss := &Issuer{Keys: k, Issuer: AWSIssuer(testPool)}
	id := testIdentity()
	for b.Loop() {
		if _, _, err := iss.Issue(id, time.Hour, time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseAccess(b *testing.B) {
	k, err := testKeys()
	if err != nil {
		b.Fatal(err)
	}
	iss := &Issuer{Keys: k, Issuer: AWSIssuer(testPool)}
	access, _, err := iss.Issue(testIdentity(), time.Hour, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := iss.ParseAccess(access); err != nil {
			b.Fatal(err)
		}
	}
}
