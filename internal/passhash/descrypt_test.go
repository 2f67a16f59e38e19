package passhash

import (
	"crypto/des"
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// TestDESMatchesStdlib checks the hand-written DES (salt zero) against
// crypto/des on random keys and blocks: the tables are right.
func TestDESMatchesStdlib(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		var key, block [8]byte
		binary.BigEndian.PutUint64(key[:], rng.Uint64())
		binary.BigEndian.PutUint64(block[:], rng.Uint64())
		c, err := des.NewCipher(key[:])
		if err != nil {
			t.Fatal(err)
		}
		var want [8]byte
		c.Encrypt(want[:], block[:])
		sub := desSubkeys(binary.BigEndian.Uint64(key[:]))
		got := desEncrypt(binary.BigEndian.Uint64(block[:]), &sub, 0)
		if got != binary.BigEndian.Uint64(want[:]) {
			t.Fatalf("key %x block %x: got %016x, want %x", key, block, got, want)
		}
	}
}
