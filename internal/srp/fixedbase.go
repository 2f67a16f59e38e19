package srp

import (
	"math/big"
	"sync"
)

// The server raises the fixed generator g = 2 to short exponents on every
// sign-in: x = H(salt || H(pool + user + ":" + password)) is a 256-bit
// SHA-256 output (ComputeVerifier, which USER_PASSWORD_AUTH runs to check a
// typed password) and b is 256 bits (NewServerSession). big.Int.Exp spends
// about 256 squarings and 64 multiplications of 3072-bit numbers on each.
// With the base fixed, the powers g^(d·256^i) for every byte position i and
// byte value d can be computed once; g^e is then the product of one table
// entry per non-zero byte of e: at most 31 modular multiplications.

const (
	// fixedBaseWindowBits is the width of one exponent digit: a byte, so
	// a digit is read straight from the big-endian bytes of e. Eight bits
	// keep the table at 3 MB; ten would save 6 of 31 multiplications for a
	// table four times as large.
	fixedBaseWindowBits = 8
	// fixedBaseMaxBits is the longest exponent the table covers: the
	// 256-bit x and b the server draws. Longer exponents (the client's
	// 1024-bit a) go to big.Int.Exp.
	fixedBaseMaxBits = 256
	fixedBaseWindows = fixedBaseMaxBits / fixedBaseWindowBits
	fixedBaseDigits  = 1 << fixedBaseWindowBits
)

// fixedBaseTable holds g^(d·256^i) mod N at [i][d], for the 32 byte
// positions i (least significant first) and d = 1…255; [i][0] stays unused.
// 32 × 255 entries of 384 bytes: about 3 MB, built once on first use (about
// 40 ms) and only read afterwards, so sessions share it without locks.
type fixedBaseTable [fixedBaseWindows][fixedBaseDigits]big.Int

var (
	gTableOnce sync.Once
	gTable     *fixedBaseTable
)

// generatorTable returns the table for g, building it on first use.
func generatorTable() *fixedBaseTable {
	gTableOnce.Do(func() { gTable = newFixedBaseTable(groupG, groupN) })
	return gTable
}

// newFixedBaseTable computes the powers of base mod m for expFixedBase.
func newFixedBaseTable(base, m *big.Int) *fixedBaseTable {
	t := new(fixedBaseTable)
	step := new(big.Int).Mod(base, m) // base^(256^i)
	prod, quo := new(big.Int), new(big.Int)
	for i := range t {
		row := &t[i]
		row[1].Set(step)
		for d := 2; d < fixedBaseDigits; d++ {
			prod.Mul(&row[d-1], step)
			quo.QuoRem(prod, m, &row[d])
		}
		// base^(256^(i+1)) = base^(255·256^i) · base^(256^i)
		prod.Mul(&row[fixedBaseDigits-1], step)
		quo.QuoRem(prod, m, step)
	}
	return t
}

// exp returns base^e mod m for the base and modulus the table was built
// for, and 0 ≤ e < 2^fixedBaseMaxBits. Like big.Int.Exp, which it replaces,
// it is not constant-time: which entries it reads, and how many products it
// forms, depend on e. (big.Int.Exp's 4-bit windows likewise pick one of 16
// precomputed powers per digit of e.)
func (t *fixedBaseTable) exp(e, m *big.Int) *big.Int {
	var digits [fixedBaseMaxBits / 8]byte
	e.FillBytes(digits[:])
	acc := big.NewInt(1)
	started := false
	prod, quo := new(big.Int), new(big.Int)
	for i := range t {
		d := digits[len(digits)-1-i]
		if d == 0 {
			continue
		}
		if !started {
			acc.Set(&t[i][d])
			started = true
			continue
		}
		prod.Mul(acc, &t[i][d])
		quo.QuoRem(prod, m, acc)
	}
	return acc
}

// expG returns g^e mod N: from the precomputed table when e fits in 256
// bits (every exponent the server uses), else with big.Int.Exp.
func expG(e *big.Int) *big.Int {
	if e.Sign() < 0 || e.BitLen() > fixedBaseMaxBits {
		return new(big.Int).Exp(groupG, e, groupN)
	}
	return generatorTable().exp(e, groupN)
}
