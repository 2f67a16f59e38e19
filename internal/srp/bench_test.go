package srp

import (
	"encoding/base64"
	"testing"
	"time"
)

// The server's cost per SRP sign-in is one NewServerSession (InitiateAuth)
// and one VerifyClaim (RespondToAuthChallenge); ComputeVerifier runs
// whenever a password is set.

func BenchmarkComputeVerifier(b *testing.B) {
	salt, _ := GenerateSalt()
	for b.Loop() {
		ComputeVerifier("AbC123", "alice", "correct horse", salt)
	}
}

func BenchmarkNewServerSession(b *testing.B) {
	salt, _ := GenerateSalt()
	v := ComputeVerifier("AbC123", "alice", "correct horse", salt)
	for b.Loop() {
		if _, err := NewServerSession(v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyClaim(b *testing.B) {
	salt, _ := GenerateSalt()
	v := ComputeVerifier("AbC123", "alice", "correct horse", salt)
	server, err := NewServerSession(v)
	if err != nil {
		b.Fatal(err)
	}
	client, err := NewClient("AbC123", "correct horse")
	if err != nil {
		b.Fatal(err)
	}
	block := base64.StdEncoding.EncodeToString([]byte("block"))
	ts, sig, err := client.Respond("alice", SaltHex(salt), server.SRPB(), block, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	p := ClaimParams{PoolName: "AbC123", UserIDForSRP: "alice", Salt: salt, Verifier: v,
		SRPA: client.SRPA(), SecretBlock: block, Timestamp: ts, Signature: sig}
	for b.Loop() {
		if ok, err := server.VerifyClaim(p); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkClientRespond(b *testing.B) {
	salt, _ := GenerateSalt()
	server, err := NewServerSession(ComputeVerifier("AbC123", "alice", "correct horse", salt))
	if err != nil {
		b.Fatal(err)
	}
	block := base64.StdEncoding.EncodeToString([]byte("block"))
	for b.Loop() {
		c, err := NewClient("AbC123", "correct horse")
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := c.Respond("alice", SaltHex(salt), server.SRPB(), block, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}
