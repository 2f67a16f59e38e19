package cognitoapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/ferry-migrate/ferry/internal/cognitoapi"
	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

// fuzzOps are the actions the request-decoding fuzz target drives; the
// first byte of each input picks one.
var fuzzOps = []string{
	"SignUp", "ConfirmSignUp", "ForgotPassword", "ConfirmForgotPassword", "InitiateAuth",
	"RespondToAuthChallenge", "AdminCreateUser", "AdminSetUserPassword", "AdminUpdateUserAttributes",
	"AdminGetUser", "ListUsers", "ChangePassword", "GetUser", "RevokeToken", "CreateUserPoolClient",
	"UpdateUserPool", "GetTokensFromRefreshToken", "AdminInitiateAuth",
}

// FuzzRequestDecoding sends arbitrary bodies to the actions above. Whatever
// the body, the server answers a JSON object: a success, or an error with a
// __type; it never fails as an internal error on input alone, and never
// echoes a member past the model's length bound back in an error.
func FuzzRequestDecoding(f *testing.F) {
	s := cognitotest.NewServer(f)
	h := cognitoapi.New(s.Service, nil)
	sort.Strings(fuzzOps)
	for i, seed := range []string{
		``, `{}`, `null`, `[]`, `{"ClientId":"` + s.ClientID + `","Username":"a","Password":"Passw0rd!"}`,
		`{"ClientId":"` + s.ClientID + `","AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"a","PASSWORD":"b"}}`,
		`{"UserPoolId":"` + s.PoolID + `","Username":"u","UserAttributes":[{"Name":"email","Value":"a@b.c"},{"Name":null}]}`,
		`{"UserPoolId":"` + s.PoolID + `","Filter":"email ^= \"a\"","Limit":-1}`,
		`{"Username":` + `"` + strings.Repeat("x", 200) + `"}`, `{"Password":1e999}`, `{"Username":"\ud800"}`,
	} {
		f.Add(byte(i), []byte(seed))
	}
	f.Fuzz(func(t *testing.T, pick byte, body []byte) {
		op := fuzzOps[int(pick)%len(fuzzOps)]
		req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/", strings.NewReader(string(body)))
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s: answer %q is not a JSON object: %v", op, rec.Body.String(), err)
		}
		if rec.Code >= 500 {
			t.Fatalf("%s: %d %s on input alone", op, rec.Code, rec.Body.String())
		}
		if rec.Code != http.StatusOK {
			if _, ok := out["__type"].(string); !ok {
				t.Fatalf("%s: error %d without __type: %s", op, rec.Code, rec.Body.String())
			}
			if msg, _ := out["message"].(string); strings.Contains(msg, "Member must have length") && strings.Contains(msg, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx") {
				t.Fatalf("%s: a length error echoes the value: %s", op, msg)
			}
		}
	})
}
