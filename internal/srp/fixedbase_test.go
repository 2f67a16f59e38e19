package srp

import (
	"crypto/rand"
	"math/big"
	"testing"
)

// TestExpGMatchesExp checks the fixed-base table against big.Int.Exp on
// edge exponents (zero digits, all-ones digits, the 256-bit limit, the
// fallback beyond it) and many random ones of every length up to 256 bits.
func TestExpGMatchesExp(t *testing.T) {
	t.Parallel()
	allOnes := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), fixedBaseMaxBits), big.NewInt(1))
	tests := []struct {
		name string
		e    *big.Int
	}{
		{"zero", big.NewInt(0)},
		{"one", big.NewInt(1)},
		{"two", big.NewInt(2)},
		{"one full digit", big.NewInt(255)},
		{"second digit only", big.NewInt(256)},
		{"zero digits between", mustHex("ff0000000000000000000000000000000000000000000000000000000000ff")},
		{"top digit only", new(big.Int).Lsh(big.NewInt(0x80), fixedBaseMaxBits-8)},
		{"all ones, 256 bits", allOnes},
		{"published vector exponent", big.NewInt(1234567890)},
		{"257 bits: big.Int.Exp", new(big.Int).Lsh(big.NewInt(1), fixedBaseMaxBits)},
		{"1024 bits: big.Int.Exp", new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 1024), big.NewInt(3))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := new(big.Int).Exp(groupG, tt.e, groupN)
			if got := expG(tt.e); got.Cmp(want) != 0 {
				t.Errorf("expG(%x) = %.16x…, want %.16x…", tt.e, got, want)
			}
		})
	}
}

func TestExpGRandom(t *testing.T) {
	t.Parallel()
	// 64 exponents per length class keep the test fast (one big.Int.Exp
	// each) while covering every byte position many times.
	for _, bits := range []int{8, 64, 128, 200, 255, 256} {
		limit := new(big.Int).Lsh(big.NewInt(1), uint(bits))
		for range 64 {
			e, err := rand.Int(rand.Reader, limit)
			if err != nil {
				t.Fatal(err)
			}
			want := new(big.Int).Exp(groupG, e, groupN)
			if got := expG(e); got.Cmp(want) != 0 {
				t.Fatalf("expG(%x) differs from big.Int.Exp", e)
			}
		}
	}
}

// TestExpGConcurrent runs first use of the table from several goroutines
// (run with -race): the table is built once and only read afterwards.
func TestExpGConcurrent(t *testing.T) {
	t.Parallel()
	e := mustHex("5a3c0f1e2d4b6a7988796a5b4c3d2e1f00112233445566778899aabbccddeeff")
	want := new(big.Int).Exp(groupG, e, groupN)
	errs := make(chan string, 8)
	for range cap(errs) {
		go func() {
			if got := expG(e); got.Cmp(want) != 0 {
				errs <- "expG differs from big.Int.Exp"
				return
			}
			errs <- ""
		}()
	}
	for range cap(errs) {
		if msg := <-errs; msg != "" {
			t.Error(msg)
		}
	}
}

// TestFixedBaseTableOtherBase checks the table construction for a base
// other than 2 and a small modulus, where every power can be checked.
func TestFixedBaseTableOtherBase(t *testing.T) {
	t.Parallel()
	m := big.NewInt(1_000_003)
	base := big.NewInt(5)
	tab := newFixedBaseTable(base, m)
	for _, e := range []int64{0, 1, 255, 256, 65_535, 65_537, 1<<40 + 12_345, 1<<62 - 1} {
		want := new(big.Int).Exp(base, big.NewInt(e), m)
		if got := tab.exp(big.NewInt(e), m); got.Cmp(want) != 0 {
			t.Errorf("5^%d mod %d = %v, want %v", e, m, got, want)
		}
	}
}

func BenchmarkExpG(b *testing.B) {
	e := mustHex("5a3c0f1e2d4b6a7988796a5b4c3d2e1f00112233445566778899aabbccddeeff")
	expG(e) // build the table outside the loop
	b.Run("table", func(b *testing.B) {
		for b.Loop() {
			expG(e)
		}
	})
	b.Run("big.Int.Exp", func(b *testing.B) {
		for b.Loop() {
			new(big.Int).Exp(groupG, e, groupN)
		}
	})
}

func BenchmarkFixedBaseTableBuild(b *testing.B) {
	for b.Loop() {
		newFixedBaseTable(groupG, groupN)
	}
}
