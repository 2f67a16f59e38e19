package passhash

// The cost model's constants: nanoseconds per unit of work on the
// reference core. They were measured on one core of a shared 2-core
// x86-64 build machine (with SHA extensions, which is why SHA-256 beats
// SHA-1 and SHA-512), rounded up. They are measured
// by the Calibrate benchmarks in calibration_test.go:
//
//	go test -run '^$' -bench Calibrate -benchtime 20x ./internal/passhash
//
// Each benchmark reports ns/unit for one constant; copy them here when the
// primitives change (a new Go release, another reference machine). The model need not be exact: it refuses what cannot finish,
// and the loops that can stop do stop at the deadline whatever the model
// said.
const (
	// nsPBKDF2SHA1 … nsPBKDF2SHA512: one HMAC iteration for one output block.
	nsPBKDF2SHA1   = 300
	nsPBKDF2SHA256 = 275
	nsPBKDF2SHA512 = 1270
	// nsArgon2KiBPass: one KiB of memory for one pass, one lane.
	nsArgon2KiBPass = 1250
	// nsScryptNRP: one unit of N·r·p (a 128-byte BlockMix step).
	nsScryptNRP = 420
	// nsBcryptRound: one of bcrypt's 2^cost key expansions.
	nsBcryptRound = 87_000
)

// hashSpeed is the calibrated speed of a digest: per compression-function
// call (one block) and per Reset/Write/Sum cycle.
type hashSpeed struct {
	blockSize int
	nsBlock   float64
	nsCall    float64
}

var (
	md5Speed    = hashSpeed{blockSize: 64, nsBlock: 128, nsCall: 47}
	sha256Speed = hashSpeed{blockSize: 64, nsBlock: 58, nsCall: 65}
	sha512Speed = hashSpeed{blockSize: 128, nsBlock: 385, nsCall: 130}
)

// cost is the estimate of calls digest cycles hashing compressions blocks
// in all.
func (h hashSpeed) cost(calls int, compressions float64) cost {
	return cost{ns: float64(calls)*h.nsCall + compressions*h.nsBlock}
}
