package srp

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/testenv"
)

// runNode runs a script under testdata with NODE_PATH set, feeding it in as
// JSON and decoding its JSON output into out.
func runNode(t *testing.T, modules, script string, in, out any) {
	t.Helper()
	node := testenv.Tool(t, "node")
	payload, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), node, filepath.Join("testdata", script))
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	cmd.Stdin = bytes.NewReader(payload)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node %s: %v\n%s", script, err, stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), out); err != nil {
		t.Fatalf("node %s output %q: %v", script, stdout.String(), err)
	}
}

// TestAmazonCognitoIdentityJS signs in with amazon-cognito-identity-js's
// CognitoUser (the SRP code Amplify and most browser apps ran for years) and
// checks that this package's server accepts its claim for the right
// password and refuses it for a wrong one.
func TestAmazonCognitoIdentityJS(t *testing.T) {
	t.Parallel()
	modules := testenv.NodeModules(t, "amazon-cognito-identity-js")
	tests := []struct {
		name, poolID, signInAs, canonical, stored, typed string
		salt                                             []byte
		want                                             bool
	}{
		{"right password", "us-east-1_AbC123", "alice", "alice", "correct horse", "correct horse", nil, true},
		{"signed in by alias, canonical id used", "eu-west-1_myPool", "Bob@Example.com", "5f2b6d1e-0c3a-4d7e-9a41-0f6b1a2c3d4e",
			"pässwörd ✓", "pässwörd ✓", nil, true},
		{"salt with high first byte", "us-east-1_AbC123", "carol", "carol", "pw", "pw",
			[]byte{0xf0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, true},
		{"salt with leading zero", "us-east-1_AbC123", "dave", "dave", "pw", "pw",
			[]byte{0, 0x0f, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, true},
		{"wrong password", "us-east-1_AbC123", "alice", "alice", "correct horse", "Correct horse", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			salt := tt.salt
			if salt == nil {
				var err error
				if salt, err = GenerateSalt(); err != nil {
					t.Fatal(err)
				}
			}
			pool := PoolName(tt.poolID)
			verifier := ComputeVerifier(pool, tt.canonical, tt.stored, salt)
			server, err := NewServerSession(verifier)
			if err != nil {
				t.Fatal(err)
			}
			block := base64.StdEncoding.EncodeToString([]byte("an opaque secret block for " + tt.name))
			in := map[string]any{
				"poolId": tt.poolID, "clientId": "abcdefghijklmnopqrstuvwxyz", "username": tt.signInAs, "password": tt.typed,
				"challenge": map[string]string{
					"SALT": SaltHex(salt), "SRP_B": server.SRPB(), "SECRET_BLOCK": block,
					"USERNAME": tt.canonical, "USER_ID_FOR_SRP": tt.canonical,
				},
			}
			var sent struct {
				InitiateAuth struct {
					AuthFlow       string
					AuthParameters map[string]string
				}
				RespondToAuthChallenge struct {
					ChallengeName      string
					ChallengeResponses map[string]string
				}
			}
			runNode(t, modules, "acij_srp.cjs", in, &sent)
			if sent.InitiateAuth.AuthFlow != "USER_SRP_AUTH" || sent.InitiateAuth.AuthParameters["USERNAME"] != tt.signInAs {
				t.Fatalf("InitiateAuth = %+v", sent.InitiateAuth)
			}
			r := sent.RespondToAuthChallenge.ChallengeResponses
			if sent.RespondToAuthChallenge.ChallengeName != "PASSWORD_VERIFIER" || r["USERNAME"] != tt.canonical ||
				r["PASSWORD_CLAIM_SECRET_BLOCK"] != block {
				t.Fatalf("RespondToAuthChallenge = %+v", sent.RespondToAuthChallenge)
			}
			ts, err := ParseTimestamp(r["TIMESTAMP"])
			if err != nil {
				t.Fatalf("TIMESTAMP %q: %v", r["TIMESTAMP"], err)
			}
			if FormatTimestamp(ts) != r["TIMESTAMP"] {
				t.Errorf("TIMESTAMP %q is not canonical", r["TIMESTAMP"])
			}
			if d := time.Since(ts); d < -time.Minute || d > time.Minute {
				t.Errorf("TIMESTAMP %q is %v from now", r["TIMESTAMP"], d)
			}
			ok, err := server.VerifyClaim(ClaimParams{
				PoolName: pool, UserIDForSRP: tt.canonical, Salt: salt, Verifier: verifier,
				SRPA: sent.InitiateAuth.AuthParameters["SRP_A"], SecretBlock: r["PASSWORD_CLAIM_SECRET_BLOCK"],
				Timestamp: r["TIMESTAMP"], Signature: r["PASSWORD_CLAIM_SIGNATURE"],
			})
			if err != nil {
				t.Fatal(err)
			}
			if ok != tt.want {
				t.Errorf("VerifyClaim of amazon-cognito-identity-js's claim = %v, want %v", ok, tt.want)
			}
		})
	}
}

// TestAuthenticationHelperKey compares the Go client's A and session key
// with amazon-cognito-identity-js's AuthenticationHelper for the same
// secret a: the published vector and random secrets, salts and servers.
func TestAuthenticationHelperKey(t *testing.T) {
	t.Parallel()
	modules := testenv.NodeModules(t, "amazon-cognito-identity-js")
	type kase struct {
		PoolName string `json:"poolName"`
		UserID   string `json:"userId"`
		Password string `json:"password"`
		A        string `json:"a"`
		SRPB     string `json:"srpB"`
		Salt     string `json:"salt"`
	}
	cases := []kase{{PoolName: "myPool", UserID: "test", Password: "test", A: "499602d2", SRPB: "499602d2", Salt: "499602d2"}}
	for i := range 2 {
		a, err := randomExponent(clientExponentBytes)
		if err != nil {
			t.Fatal(err)
		}
		salt, err := GenerateSalt()
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 1 {
			salt[0] = 0xc0 | byte(i) // a salt whose padding gains a 0x00 byte
		}
		user := fmt.Sprintf("user-%d", i)
		server, err := NewServerSession(ComputeVerifier("AbC123", user, "pässword", salt))
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, kase{PoolName: "AbC123", UserID: user, Password: "pässword", A: a.Text(16),
			SRPB: server.SRPB(), Salt: SaltHex(salt)})
	}
	var got []struct {
		SRPA string `json:"srpA"`
		Key  string `json:"key"`
	}
	runNode(t, modules, "acij_key.cjs", cases, &got)
	if len(got) != len(cases) {
		t.Fatalf("%d answers for %d cases", len(got), len(cases))
	}
	for i, c := range cases {
		a, _ := ParseHexInt(c.A)
		client := newClientWithA(c.PoolName, c.Password, a)
		salt, _ := ParseHexInt(c.Salt)
		bB, _ := ParseHexInt(c.SRPB)
		key, err := client.sessionKey(c.UserID, salt, bB)
		if err != nil {
			t.Fatal(err)
		}
		if client.SRPA() != got[i].SRPA {
			t.Errorf("case %d: SRP_A differs from AuthenticationHelper's", i)
		}
		if hex.EncodeToString(key) != got[i].Key {
			t.Errorf("case %d: key %x, AuthenticationHelper %s", i, key, got[i].Key)
		}
	}
	if got[0].Key != vectorKey {
		t.Errorf("AuthenticationHelper's key for the published vector = %s, want %s", got[0].Key, vectorKey)
	}
}
