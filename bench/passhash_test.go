package bench

import (
	"testing"

	"github.com/ferry-migrate/ferry/internal/passhash"
)

// Stored hashes produced by passlib 1.7 for the password below; the handler
// benchmarks compare their per-invocation cost against these raw figures.
const (
	benchPassword = "correct horse battery staple"
	pbkdf2SHA256  = "$pbkdf2-sha256$10000$Xut9733PWYsxJiTEOKcUIg$w43fkKGuR.bRNONB80NH/kq8QbhZ31pUSpcD9fWOVHA"
	bcrypt10      = "$2b$10$99Tti/dxcmhnuhcCRu6kEu6ugi2P6QCDVbG6iHJ5oYYveQEvcTT22"
)

func benchVerify(b *testing.B, encoded string) {
	v, err := passhash.New(passhash.Options{})
	if err != nil {
		b.Fatal(err)
	}
	h := passhash.Hash{Encoded: encoded}
	ctx := b.Context()
	res, err := v.Verify(ctx, benchPassword, h)
	if err != nil || !res.Match {
		b.Fatalf("Verify = %+v, %v", res, err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, benchPassword, h); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawPBKDF2SHA256_10k verifies a PBKDF2-HMAC-SHA256 hash of 10,000
// iterations (the ASP.NET Identity V3 default before .NET 7).
func BenchmarkRawPBKDF2SHA256_10k(b *testing.B) { benchVerify(b, pbkdf2SHA256) }

// BenchmarkRawBcrypt10 verifies a bcrypt hash of cost 10 (the default of
// PHP, Devise, Laravel and Spring).
func BenchmarkRawBcrypt10(b *testing.B) { benchVerify(b, bcrypt10) }
