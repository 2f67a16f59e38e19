package cognitoapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi"
	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

func TestOutbox(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t, cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
		in.AutoVerifiedAttributes = []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}
	}))
	if _, err := s.API.SignUp(t.Context(), &cip.SignUpInput{ClientId: aws.String(s.ClientID), Username: aws.String("jane"), Password: aws.String("Passw0rd!"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("jane@example.com")}}}); err != nil {
		t.Fatal(err)
	}
	h := cognitoapi.New(s.Service, nil)
	tests := []struct {
		name, remote, query string
		wantStatus, want    int
	}{
		{name: "loopback", remote: "127.0.0.1:5000", wantStatus: 200, want: 1},
		{name: "IPv6 loopback, pool filter", remote: "[::1]:5000", query: "?pool=" + s.PoolID, wantStatus: 200, want: 1},
		{name: "other pool", remote: "127.0.0.1:5000", query: "?pool=us-east-1_other", wantStatus: 200, want: 0},
		{name: "after the last id", remote: "127.0.0.1:5000", query: "?after=1", wantStatus: 200, want: 0},
		{name: "remote client", remote: "192.0.2.7:5000", wantStatus: http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/_ferry/outbox"+tt.query, nil)
			req.RemoteAddr = tt.remote
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d", rec.Code, tt.wantStatus)
			}
			if rec.Code != 200 {
				return
			}
			var out cognitoapi.Outbox
			if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
				t.Fatal(err)
			}
			if len(out.Messages) != tt.want {
				t.Fatalf("%d messages, want %d", len(out.Messages), tt.want)
			}
			if tt.want == 1 {
				m := out.Messages[0]
				if m.Kind != "confirmation" || len(m.Code) != 6 || m.Destination != "jane@example.com" || m.CreatedAt < 1.7e9 {
					t.Errorf("message = %+v", m)
				}
			}
		})
	}
}
