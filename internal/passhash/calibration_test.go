package passhash

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/scrypt"
)

// The Calibrate benchmarks measure the constants of calibration.go: each
// reports ns/unit for one of them (see the command there).

func reportUnit(b *testing.B, units float64) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/units, "ns/unit")
}

func BenchmarkCalibratePBKDF2(b *testing.B) {
	const iter = 20_000
	for _, c := range []struct {
		name string
		h    func() hash.Hash
	}{{"sha1", sha1.New}, {"sha256", sha256.New}, {"sha512", sha512.New}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := pbkdf2Key(context.Background(), c.h, []byte("password"), []byte("salt"), iter, c.h().Size()); err != nil {
					b.Fatal(err)
				}
			}
			reportUnit(b, iter)
		})
	}
}

func BenchmarkCalibrateArgon2(b *testing.B) {
	const mem, passes = 16 << 10, 2
	for b.Loop() {
		argon2.IDKey([]byte("password"), []byte("saltsalt"), passes, mem, 1, 32)
	}
	reportUnit(b, mem*passes)
}

func BenchmarkCalibrateScrypt(b *testing.B) {
	const n, r = 1 << 14, 8
	for b.Loop() {
		if _, err := scrypt.Key([]byte("password"), []byte("salt"), n, r, 1, 32); err != nil {
			b.Fatal(err)
		}
	}
	reportUnit(b, n*r)
}

func BenchmarkCalibrateBcrypt(b *testing.B) {
	const cost = 8
	for b.Loop() {
		if _, err := bcrypt.GenerateFromPassword([]byte("password"), cost); err != nil {
			b.Fatal(err)
		}
	}
	reportUnit(b, 1<<cost)
}

// BenchmarkCalibrateDigest measures hashSpeed: "block" is ns per
// compression of a long message, "call" ns per Reset/Write/Sum cycle of a
// one-block message less one compression.
func BenchmarkCalibrateDigest(b *testing.B) {
	for _, c := range []struct {
		name string
		h    func() hash.Hash
	}{{"md5", md5.New}, {"sha256", sha256.New}, {"sha512", sha512.New}} {
		d := c.h()
		long := make([]byte, 1<<16)
		b.Run(c.name+"/block", func(b *testing.B) {
			for b.Loop() {
				d.Reset()
				d.Write(long)
				d.Sum(nil)
			}
			reportUnit(b, float64(len(long)/d.BlockSize()))
		})
		b.Run(c.name+"/call", func(b *testing.B) {
			short, sum := make([]byte, 16), make([]byte, 0, 64)
			start := time.Now()
			const n = 1 << 10
			for b.Loop() {
				for range n {
					d.Reset()
					d.Write(short)
					sum = d.Sum(sum[:0])
				}
			}
			per := float64(time.Since(start).Nanoseconds()) / float64(b.N) / n
			b.ReportMetric(per, "ns/unit")
		})
	}
}
