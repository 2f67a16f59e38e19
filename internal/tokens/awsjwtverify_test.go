package tokens

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/testenv"
)

// TestAWSJWTVerify checks the tokens with awslabs/aws-jwt-verify's
// CognitoJwtVerifier, which insists on Cognito's issuer, token_use, kid and
// client claims: what API Gateway back ends in Node run.
func TestAWSJWTVerify(t *testing.T) {
	t.Parallel()
	modules := testenv.NodeModules(t, "aws-jwt-verify")
	node := testenv.Tool(t, "node")
	k := keys(t)
	iss := &Issuer{Keys: k, Issuer: AWSIssuer(testPool)} // real clock: the verifier uses its own
	id := testIdentity()
	access, idToken, err := iss.Issue(id, time.Hour, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	expired := &Issuer{Keys: k, Issuer: AWSIssuer(testPool), Now: func() time.Time { return time.Now().Add(-2 * time.Hour) }}
	oldAccess, _, err := expired.Issue(id, time.Hour, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	local := &Issuer{Keys: k, Issuer: "http://127.0.0.1:9229/" + testPool}
	localAccess, _, err := local.Issue(id, time.Hour, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	jwks, err := k.JWKS()
	if err != nil {
		t.Fatal(err)
	}
	type tok struct {
		Use   string `json:"use"`
		Token string `json:"token"`
	}
	tests := []struct {
		name    string
		tok     tok
		wantOK  bool
		wantErr string // a substring of aws-jwt-verify's message
	}{
		{"access token", tok{"access", access}, true, ""},
		{"id token", tok{"id", idToken}, true, ""},
		{"id token as access", tok{"access", idToken}, false, "Token use"},
		{"expired access token", tok{"access", oldAccess}, false, "expired"},
		{"local issuer", tok{"access", localAccess}, false, "iss"},
	}
	in := map[string]any{"poolId": testPool, "clientId": id.ClientID, "jwks": json.RawMessage(jwks)}
	var toks []tok
	for _, tt := range tests {
		toks = append(toks, tt.tok)
	}
	in["tokens"] = toks
	payload, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), node, filepath.Join("testdata", "verify_jwt.cjs"))
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	cmd.Stdin = bytes.NewReader(payload)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.String())
	}
	var results []struct {
		OK      bool           `json:"ok"`
		Error   string         `json:"error"`
		Payload map[string]any `json:"payload"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &results); err != nil || len(results) != len(tests) {
		t.Fatalf("output %q: %v", stdout.String(), err)
	}
	for i, tt := range tests {
		r := results[i]
		if r.OK != tt.wantOK || !strings.Contains(r.Error, tt.wantErr) {
			t.Errorf("%s: aws-jwt-verify ok=%v error=%q; want ok=%v error containing %q", tt.name, r.OK, r.Error, tt.wantOK, tt.wantErr)
		}
		if r.OK && r.Payload["sub"] != id.Sub {
			t.Errorf("%s: payload sub %v", tt.name, r.Payload["sub"])
		}
	}
}
