package srp

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strings"
	"testing"
	"time"
)

// Vectors from protocol.md §4.4, recomputed from the tests of
// alexrudd/cognito-srp (v4): pool eu-west-1_myPool, user and password
// "test", a = B = 1234567890, SALT 499602d2.
const (
	vectorKey       = "d96cde6c95dda17175c1293140c5a81f"
	vectorSignature = "tdvQu/Li/qWl8Nni0aFPs+MwY4rvKZm0kSMrGIMSUHk="
	vectorTimestamp = "Tue Jul 10 11:01:00 UTC 2018"
	vectorK         = "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"
)

func TestGroupConstants(t *testing.T) {
	t.Parallel()
	if got := groupN.BitLen(); got != 3072 {
		t.Errorf("N has %d bits, want 3072", got)
	}
	if !groupN.ProbablyPrime(20) {
		t.Error("N is not prime")
	}
	if got := groupK.Text(16); got != vectorK {
		t.Errorf("k = %s, want %s", got, vectorK)
	}
	if got := hex.EncodeToString(pad(groupN)); len(got) != 770 || !strings.HasPrefix(got, "00ff") {
		t.Errorf("pad(N) = %.8s… (%d hex digits), want 00ff… (770)", got, len(got))
	}
}

func TestPad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		n    string
		want string
	}{
		{"zero", "0", "00"},
		{"two", "2", "02"},
		{"odd length", "abc", "0abc"},
		{"high bit", "80", "0080"},
		{"high nibble after odd padding", "fff", "0fff"},
		{"no padding", "7f01", "7f01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			n, _ := new(big.Int).SetString(tt.n, 16)
			if got := hex.EncodeToString(pad(n)); got != tt.want {
				t.Errorf("pad(%s) = %s, want %s", tt.n, got, tt.want)
			}
		})
	}
}

func TestPublishedVectors(t *testing.T) {
	t.Parallel()
	c := newClientWithA("myPool", "test", big.NewInt(1234567890))
	key, err := c.sessionKey("test", big.NewInt(0x499602d2), big.NewInt(1234567890))
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(key); got != vectorKey {
		t.Errorf("key = %s, want %s", got, vectorKey)
	}
	block := base64.StdEncoding.EncodeToString([]byte("secretssecrestssecrets"))
	now := time.Date(2018, time.July, 10, 11, 1, 0, 0, time.UTC)
	ts, sig, err := c.Respond("test", "499602d2", "499602d2", block, now)
	if err != nil {
		t.Fatal(err)
	}
	if ts != vectorTimestamp {
		t.Errorf("timestamp = %q, want %q", ts, vectorTimestamp)
	}
	if sig != vectorSignature {
		t.Errorf("signature = %s, want %s", sig, vectorSignature)
	}
}

func TestSecretHash(t *testing.T) {
	t.Parallel()
	const want = "LoIX/oPJWZzFYv8liJYRo+CHv16FNDY10JlZEDjL3Vg=" // protocol.md §4.4
	if got := SecretHash("123abd", "clientSecret", "test"); got != want {
		t.Errorf("SecretHash = %s, want %s", got, want)
	}
}

func TestPoolName(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, id, want string }{
		{"region prefix", "us-east-1_AbC123", "AbC123"},
		{"vector pool", "eu-west-1_myPool", "myPool"},
		{"no underscore", "plain", "plain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := PoolName(tt.id); got != tt.want {
				t.Errorf("PoolName(%q) = %q, want %q", tt.id, got, tt.want)
			}
		})
	}
}

// enrol stores a verifier the way the pool does.
func enrol(t *testing.T, pool, user, password string) (salt, verifier []byte) {
	t.Helper()
	salt, err := GenerateSalt()
	if err != nil {
		t.Fatal(err)
	}
	return salt, ComputeVerifier(pool, user, password, salt)
}

// exchange runs one full PASSWORD_VERIFIER exchange and returns the
// server's verdict.
func exchange(t *testing.T, pool, user, stored, typed string, salt, verifier []byte, now time.Time) (bool, error) {
	t.Helper()
	client, err := NewClient(pool, typed)
	if err != nil {
		t.Fatal(err)
	}
	server, err := NewServerSession(verifier)
	if err != nil {
		t.Fatal(err)
	}
	block := base64.StdEncoding.EncodeToString([]byte("opaque secret block " + user))
	ts, sig, err := client.Respond(user, SaltHex(salt), server.SRPB(), block, now)
	if err != nil {
		t.Fatal(err)
	}
	return server.VerifyClaim(ClaimParams{
		PoolName: pool, UserIDForSRP: user, Salt: salt, Verifier: verifier,
		SRPA: client.SRPA(), SecretBlock: block, Timestamp: ts, Signature: sig,
	})
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		stored, typed  string
		user, claimant string
		want           bool
	}{
		{"right password", "correct horse", "correct horse", "alice", "alice", true},
		{"unicode password", "pässwörd ✓", "pässwörd ✓", "Bob", "Bob", true},
		{"empty password", "", "", "carol", "carol", true},
		{"wrong password", "correct horse", "correct horse!", "alice", "alice", false},
		{"case differs", "Secret", "secret", "alice", "alice", false},
		{"other user id", "correct horse", "correct horse", "alice", "Alice", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			salt, verifier := enrol(t, "AbC123", tt.user, tt.stored)
			client, err := NewClient("AbC123", tt.typed)
			if err != nil {
				t.Fatal(err)
			}
			server, err := NewServerSession(verifier)
			if err != nil {
				t.Fatal(err)
			}
			block := base64.StdEncoding.EncodeToString([]byte("block"))
			ts, sig, err := client.Respond(tt.claimant, SaltHex(salt), server.SRPB(), block, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			got, err := server.VerifyClaim(ClaimParams{
				PoolName: "AbC123", UserIDForSRP: tt.user, Salt: salt, Verifier: verifier,
				SRPA: client.SRPA(), SecretBlock: block, Timestamp: ts, Signature: sig,
			})
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("VerifyClaim = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestSaltPadding checks salts whose integer re-encoding differs from their
// bytes (a leading zero byte, a high first byte): the server must hash the
// salt as clients do, by integer value.
func TestSaltPadding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		salt []byte
	}{
		{"leading zero byte", append([]byte{0x00, 0x00}, bytes.Repeat([]byte{0x42}, 14)...)},
		{"high first byte", append([]byte{0xf0}, bytes.Repeat([]byte{0x11}, 15)...)},
		{"plain", append([]byte{0x12}, bytes.Repeat([]byte{0x34}, 15)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			verifier := ComputeVerifier("p", "u", "pw", tt.salt)
			ok, err := exchange(t, "p", "u", "pw", "pw", tt.salt, verifier, time.Now())
			if err != nil || !ok {
				t.Errorf("VerifyClaim = %v, %v; want true", ok, err)
			}
		})
	}
}

func TestGenerateSalt(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 200 {
		s, err := GenerateSalt()
		if err != nil {
			t.Fatal(err)
		}
		if len(s) != 16 || s[0] < 0x10 || s[0] >= 0x80 {
			t.Fatalf("salt %x: want 16 bytes, first in 10–7f", s)
		}
		if got := SaltHex(s); got != hex.EncodeToString(s) {
			t.Fatalf("SaltHex(%x) = %s, want the same 32 digits", s, got)
		}
		if seen[string(s)] {
			t.Fatalf("salt %x drawn twice", s)
		}
		seen[string(s)] = true
	}
}

func TestVerifyClaimRejects(t *testing.T) {
	t.Parallel()
	salt, verifier := enrol(t, "pool", "user", "pw")
	client, err := NewClient("pool", "pw")
	if err != nil {
		t.Fatal(err)
	}
	server, err := NewServerSession(verifier)
	if err != nil {
		t.Fatal(err)
	}
	block := base64.StdEncoding.EncodeToString([]byte("block"))
	ts, sig, err := client.Respond("user", SaltHex(salt), server.SRPB(), block, time.Date(2024, 2, 3, 9, 5, 7, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	good := ClaimParams{PoolName: "pool", UserIDForSRP: "user", Salt: salt, Verifier: verifier,
		SRPA: client.SRPA(), SecretBlock: block, Timestamp: ts, Signature: sig}
	if ts != "Sat Feb 3 09:05:07 UTC 2024" {
		t.Fatalf("timestamp %q", ts)
	}
	otherBlock := base64.StdEncoding.EncodeToString([]byte("bloc!"))
	tests := []struct {
		name    string
		edit    func(p *ClaimParams)
		want    bool
		wantErr error
	}{
		{"valid", func(*ClaimParams) {}, true, nil},
		{"upper-case A", func(p *ClaimParams) { p.SRPA = strings.ToUpper(p.SRPA) }, true, nil},
		{"A with leading zeros", func(p *ClaimParams) { p.SRPA = "000" + p.SRPA }, true, nil},
		{"url-safe block", func(p *ClaimParams) {
			p.SecretBlock = base64.RawURLEncoding.EncodeToString([]byte("block"))
		}, true, nil},
		{"A is zero", func(p *ClaimParams) { p.SRPA = "0" }, false, ErrInvalidA},
		{"A is N", func(p *ClaimParams) { p.SRPA = groupN.Text(16) }, false, ErrInvalidA},
		{"A is 2N", func(p *ClaimParams) { p.SRPA = new(big.Int).Lsh(groupN, 1).Text(16) }, false, ErrInvalidA},
		{"A not hex", func(p *ClaimParams) { p.SRPA = "xyz" }, false, ErrInvalidA},
		{"A empty", func(p *ClaimParams) { p.SRPA = "" }, false, ErrInvalidA},
		{"other A", func(p *ClaimParams) { p.SRPA = "2" }, false, nil},
		{"hour 24", func(p *ClaimParams) { p.Timestamp = "Sat Feb 3 24:05:07 UTC 2024" }, false, ErrBadTimestamp},
		{"zero-padded day", func(p *ClaimParams) { p.Timestamp = "Sat Feb 03 09:05:07 UTC 2024" }, true, nil},
		{"wrong weekday", func(p *ClaimParams) { p.Timestamp = "Sun Feb 3 09:05:07 UTC 2024" }, true, nil},
		{"other second", func(p *ClaimParams) { p.Timestamp = "Sat Feb 3 09:05:08 UTC 2024" }, false, nil},
		{"tampered block", func(p *ClaimParams) { p.SecretBlock = otherBlock }, false, nil},
		{"block not base64", func(p *ClaimParams) { p.SecretBlock = "!!" }, false, ErrInvalidSecretBlock},
		{"signature not base64", func(p *ClaimParams) { p.Signature = "%%%" }, false, nil},
		{"signature truncated", func(p *ClaimParams) { p.Signature = p.Signature[:20] }, false, nil},
		{"other pool", func(p *ClaimParams) { p.PoolName = "pool2" }, false, nil},
		{"no verifier", func(p *ClaimParams) { p.Verifier = nil }, false, ErrInvalidVerifier},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := good
			tt.edit(&p)
			got, err := server.VerifyClaim(p)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("VerifyClaim error = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("VerifyClaim = %v, want %v", got, tt.want)
			}
		})
	}
}

// The zero-padded day and wrong weekday cases above pass because the claim
// was signed over the canonical rendering: a client that signs its own
// non-canonical string (old Python warrant's padded day) must fail, as on
// real Cognito.
func TestNonCanonicalSignedAsSentFails(t *testing.T) {
	t.Parallel()
	for _, sent := range []string{"Sat Feb 03 09:05:07 UTC 2024", "Sun Feb 3 09:05:07 UTC 2024", "Sat Feb 3 09:05:07 GMT 2024"} {
		t.Run(sent, func(t *testing.T) {
			t.Parallel()
			nonCanonical(t, sent)
		})
	}
}

func nonCanonical(t *testing.T, padded string) {
	salt, verifier := enrol(t, "pool", "user", "pw")
	client, err := NewClient("pool", "pw")
	if err != nil {
		t.Fatal(err)
	}
	server, err := NewServerSession(verifier)
	if err != nil {
		t.Fatal(err)
	}
	block := base64.StdEncoding.EncodeToString([]byte("block"))
	key, err := client.sessionKey("user", new(big.Int).SetBytes(salt), server.bB)
	if err != nil {
		t.Fatal(err)
	}
	sig := base64.StdEncoding.EncodeToString(claimSignature(key, "pool", "user", []byte("block"), padded))
	ok, err := server.VerifyClaim(ClaimParams{PoolName: "pool", UserIDForSRP: "user", Salt: salt, Verifier: verifier,
		SRPA: client.SRPA(), SecretBlock: block, Timestamp: padded, Signature: sig})
	if err != nil || ok {
		t.Errorf("VerifyClaim = %v, %v; want false, nil", ok, err)
	}
}

func TestNewServerSessionRejectsBadVerifier(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		verifier []byte
	}{
		{"empty", nil},
		{"zero", []byte{0, 0}},
		{"N", groupN.Bytes()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := NewServerSession(tt.verifier); !errors.Is(err, ErrInvalidVerifier) {
				t.Errorf("NewServerSession error = %v, want ErrInvalidVerifier", err)
			}
		})
	}
}

func TestClientRejects(t *testing.T) {
	t.Parallel()
	c, err := NewClient("pool", "pw")
	if err != nil {
		t.Fatal(err)
	}
	block := base64.StdEncoding.EncodeToString([]byte("b"))
	tests := []struct {
		name             string
		salt, srpB, blck string
		wantErr          error
	}{
		{"B zero", "12", "0", block, ErrInvalidB},
		{"B is N", "12", groupN.Text(16), block, ErrInvalidB},
		{"B not hex", "12", "0x12", block, ErrInvalidB},
		{"salt not hex", "zz", "12", block, ErrInvalidSalt},
		{"block not base64", "12", "12", "*", ErrInvalidSecretBlock},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, _, err := c.Respond("u", tt.salt, tt.srpB, tt.blck, time.Now()); !errors.Is(err, tt.wantErr) {
				t.Errorf("Respond error = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestSessionMarshal(t *testing.T) {
	t.Parallel()
	salt, verifier := enrol(t, "pool", "user", "pw")
	server, err := NewServerSession(verifier)
	if err != nil {
		t.Fatal(err)
	}
	text, err := json.Marshal(struct{ S *ServerSession }{server})
	if err != nil {
		t.Fatal(err)
	}
	var back struct{ S *ServerSession }
	if err := json.Unmarshal(text, &back); err != nil {
		t.Fatal(err)
	}
	if back.S.SRPB() != server.SRPB() || back.S.b.Cmp(server.b) != 0 {
		t.Fatal("session changed through JSON")
	}
	client, err := NewClient("pool", "pw")
	if err != nil {
		t.Fatal(err)
	}
	block := base64.StdEncoding.EncodeToString([]byte("b"))
	ts, sig, err := client.Respond("user", SaltHex(salt), back.S.SRPB(), block, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ok, err := back.S.VerifyClaim(ClaimParams{PoolName: "pool", UserIDForSRP: "user", Salt: salt, Verifier: verifier,
		SRPA: client.SRPA(), SecretBlock: block, Timestamp: ts, Signature: sig})
	if err != nil || !ok {
		t.Errorf("VerifyClaim after JSON = %v, %v", ok, err)
	}

	bin, err := server.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string][]byte{
		"empty":         nil,
		"wrong version": append([]byte{9}, bin[1:]...),
		"truncated":     bin[:len(bin)-1],
		"trailing":      append(bin[:len(bin):len(bin)], 0),
	}
	for name, data := range bad {
		var s ServerSession
		if err := s.UnmarshalBinary(data); !errors.Is(err, ErrInvalidSession) {
			t.Errorf("%s: UnmarshalBinary error = %v, want ErrInvalidSession", name, err)
		}
	}
	var zero ServerSession
	if _, err := zero.VerifyClaim(ClaimParams{}); !errors.Is(err, ErrInvalidSession) {
		t.Errorf("zero session VerifyClaim error = %v", err)
	}
}

func TestSecretsRedacted(t *testing.T) {
	t.Parallel()
	const password = "hunter2-very-secret"
	c, err := NewClient("pool", password)
	if err != nil {
		t.Fatal(err)
	}
	_, verifier := enrol(t, "pool", "user", password)
	s, err := NewServerSession(verifier)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	logger.Debug("srp", "client", c, "session", s)
	logger.Debug("srp", "client", fmt.Sprint(c), "session", fmt.Sprintf("%v", s))
	out := buf.String()
	for _, secret := range []string{password, c.a.Text(16), s.b.Text(16), c.a.String(), s.b.String()} {
		if strings.Contains(out, secret) {
			t.Fatalf("log output holds a secret: %s", out)
		}
	}
	if !strings.Contains(out, "REDACTED") {
		t.Fatalf("log output does not show redaction: %s", out)
	}
}
