package passhash

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2 bounds, read from untrusted PHC strings before any allocation.
const (
	// argon2MaxMemoryKiB: 1 GiB. Argon2 allocates m KiB up front; more than
	// 1 GiB would not fit the largest sensible Lambda next to the runtime,
	// and no mainstream default goes beyond 64 MiB.
	argon2MaxMemoryKiB = 1 << 20
	// argon2MaxTime: 10 passes. Defaults use 1–5; at 10 passes over 1 GiB a
	// single verification already blows Cognito's 5 s budget.
	argon2MaxTime = 10
	// argon2MaxThreads: 64 lanes. x/crypto accepts up to 255, but lanes
	// beyond the cores available only multiply memory bookkeeping.
	argon2MaxThreads = 64
	// argon2MaxKeyLen / argon2MaxSaltLen bound the decoded hash and salt.
	argon2MaxKeyLen  = 256
	argon2MaxSaltLen = 256
	// argon2WeakMemoryTime: OWASP's lightest Argon2id configuration is
	// m=7 MiB, t=5 (its list m·t ≥ 35,840 KiB·passes: 46 MiB×1, 19 MiB×2,
	// 12 MiB×3, 9 MiB×4, 7 MiB×5); less memory×time is weak.
	argon2WeakMemoryTime = 7168 * 5
)

// argon2Params is a parsed Argon2 hash.
type argon2Params struct {
	variant string // "argon2id" or "argon2i"
	memory  uint64 // KiB
	time    uint64
	threads uint64
	salt    []byte
	want    []byte
}

func (p *argon2Params) check() error {
	switch {
	case p.variant != "argon2id" && p.variant != "argon2i":
		return malformed("argon2", "unsupported variant "+p.variant)
	case p.memory > argon2MaxMemoryKiB:
		return tooCostly(p.variant, "memory KiB", p.memory, argon2MaxMemoryKiB)
	case p.time > argon2MaxTime:
		return tooCostly(p.variant, "time", p.time, argon2MaxTime)
	case p.threads > argon2MaxThreads:
		return tooCostly(p.variant, "threads", p.threads, argon2MaxThreads)
	case p.time < 1 || p.threads < 1:
		return malformed(p.variant, "time and parallelism must be at least 1")
	case p.memory < 8*p.threads:
		return malformed(p.variant, "memory below 8 KiB per lane")
	case len(p.want) < 4 || len(p.want) > argon2MaxKeyLen:
		return malformed(p.variant, "hash length out of range")
	case len(p.salt) < 1 || len(p.salt) > argon2MaxSaltLen:
		return malformed(p.variant, "salt length out of range")
	}
	return nil
}

func (p *argon2Params) info(family string) Info {
	return Info{Family: family, Weak: p.memory*p.time < argon2WeakMemoryTime,
		Params: fmt.Sprintf("m=%d t=%d p=%d", p.memory, p.time, p.threads)}
}

// cost is the model's estimate: memory × passes of CPU, and the memory
// itself (Argon2 cannot be interrupted, so it must fit before it starts).
func (p *argon2Params) cost() cost {
	return cost{ns: float64(p.memory) * float64(p.time) * nsArgon2KiBPass, mem: int64(p.memory) << 10}
}

func (p *argon2Params) compare(ctx context.Context, v *Verifier, family string, password []byte) (Result, error) {
	if err := p.check(); err != nil {
		return Result{}, err
	}
	release, err := v.admit(ctx, family, p.cost())
	if err != nil {
		return Result{}, err
	}
	defer release()
	keyFn := argon2.IDKey
	if p.variant == "argon2i" {
		keyFn = argon2.Key
	}
	got := keyFn(password, p.salt, uint32(p.time), uint32(p.memory), uint8(p.threads), uint32(len(p.want)))
	return outcome(ctEqual(got, p.want), p.info(family)), nil
}

// argon2Family verifies PHC strings "$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>"
// and "$argon2i$…" (standard base64 without padding). Only version 19 (0x13)
// exists in x/crypto; argon2d is for cryptocurrencies, not passwords.
type argon2Family struct{}

func (argon2Family) formats() []string { return []string{"argon2", "argon2id", "argon2i"} }

func (argon2Family) detect(s string) bool {
	return strings.HasPrefix(s, "$argon2id$") || strings.HasPrefix(s, "$argon2i$") ||
		strings.HasPrefix(s, "$argon2d$")
}

func (argon2Family) identify(_ *Verifier, h Hash) (Info, error) {
	p, err := parseArgon2PHC(h.Encoded)
	if err != nil {
		return Info{}, err
	}
	if err := p.check(); err != nil {
		return Info{}, err
	}
	return p.info(p.variant), nil
}

func (argon2Family) verify(ctx context.Context, v *Verifier, password string, h Hash) (Result, error) {
	p, err := parseArgon2PHC(h.Encoded)
	if err != nil {
		return Result{}, err
	}
	return p.compare(ctx, v, p.variant, []byte(password))
}

func parseArgon2PHC(s string) (*argon2Params, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return nil, malformed("argon2", "want $argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>")
	}
	p := &argon2Params{variant: parts[1]}
	if p.variant != "argon2id" && p.variant != "argon2i" {
		return nil, malformed("argon2", "unsupported variant "+p.variant)
	}
	if parts[2] != "v=19" {
		return nil, malformed(p.variant, "only version 19 is supported")
	}
	if err := parseArgon2Costs(p, parts[3]); err != nil {
		return nil, err
	}
	var err error
	if p.salt, err = decodeB64(parts[4]); err != nil {
		return nil, malformed(p.variant, "salt is not base64")
	}
	if p.want, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(parts[5], "=")); err != nil {
		return nil, malformed(p.variant, "hash is not base64")
	}
	return p, nil
}

func parseArgon2Costs(p *argon2Params, s string) error {
	kvs := strings.Split(s, ",")
	if len(kvs) != 3 {
		return malformed(p.variant, "want m=…,t=…,p=…")
	}
	for i, spec := range []struct {
		key   string
		dst   *uint64
		limit int
	}{{"m", &p.memory, argon2MaxMemoryKiB}, {"t", &p.time, argon2MaxTime}, {"p", &p.threads, argon2MaxThreads}} {
		val, ok := strings.CutPrefix(kvs[i], spec.key+"=")
		if !ok {
			return malformed(p.variant, "want m=…,t=…,p=… in that order")
		}
		n, err := atoiBounded(p.variant, spec.key, val, spec.limit)
		if err != nil {
			return err
		}
		*spec.dst = uint64(n)
	}
	return nil
}
