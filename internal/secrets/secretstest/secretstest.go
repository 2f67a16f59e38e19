// Package secretstest runs a local stand-in for the two AWS APIs package
// secrets calls — Secrets Manager's GetSecretValue and SSM's GetParameter,
// both JSON 1.1 over HTTP — on 127.0.0.1, so tests drive the real
// aws-sdk-go-v2 clients through their BaseEndpoint override.
package secretstest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/ferry-migrate/ferry/internal/secrets"
)

// Server is the stand-in. Its zero secrets and parameters are empty; Put
// and PutParameter set (or rotate) them at any time.
type Server struct {
	URL string

	mu       sync.Mutex
	secrets  map[string]string
	params   map[string]string
	requests map[string]int // by X-Amz-Target
}

// NewServer starts a stand-in closed when t ends.
func NewServer(t testing.TB) *Server {
	s := &Server{secrets: map[string]string{}, params: map[string]string{}, requests: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// Put sets the SecretString of the secret named id (a name or an ARN:
// look-ups match either exactly).
func (s *Server) Put(id, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.secrets[id] = value
}

// PutParameter sets the value of a parameter.
func (s *Server) PutParameter(name, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.params[name] = value
}

// Requests reports how many calls of target ("secretsmanager.GetSecretValue",
// "AmazonSSM.GetParameter") the stand-in answered.
func (s *Server) Requests(target string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[target]
}

// Options returns secrets.Options pointing both services at the stand-in,
// with static credentials and a region.
func (s *Server) Options() secrets.Options {
	return secrets.Options{
		AWSConfig: func(context.Context) (aws.Config, error) {
			return aws.Config{
				Region:           "eu-west-1",
				Credentials:      credentials.NewStaticCredentialsProvider("AKIDSTANDIN", "standin-secret", ""),
				RetryMaxAttempts: 1,
			}, nil
		},
		SecretsManagerEndpoint: s.URL,
		ParameterStoreEndpoint: s.URL,
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-1.1") ||
		!strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		writeError(w, "ValidationException", "not a signed JSON 1.1 request")
		return
	}
	body, _ := io.ReadAll(r.Body)
	var in struct {
		SecretID       string `json:"SecretId"`
		Name           string `json:"Name"`
		WithDecryption bool   `json:"WithDecryption"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		writeError(w, "ValidationException", err.Error())
		return
	}
	s.mu.Lock()
	s.requests[target]++
	var (
		v  string
		ok bool
	)
	switch target {
	case "secretsmanager.GetSecretValue":
		v, ok = s.secrets[in.SecretID]
	case "AmazonSSM.GetParameter":
		v, ok = s.params[in.Name]
	}
	s.mu.Unlock()

	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	switch {
	case target == "secretsmanager.GetSecretValue" && ok:
		_ = json.NewEncoder(w).Encode(map[string]any{
			"ARN": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:" + in.SecretID, "Name": in.SecretID,
			"SecretString": v, "VersionId": "v1", "VersionStages": []string{"AWSCURRENT"}, "CreatedDate": 1.7e9,
		})
	case target == "secretsmanager.GetSecretValue":
		writeError(w, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
	case target == "AmazonSSM.GetParameter" && ok:
		typ := "String"
		if in.WithDecryption {
			typ = "SecureString"
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"Parameter": map[string]any{
			"Name": in.Name, "Value": v, "Type": typ, "Version": 1,
		}})
	case target == "AmazonSSM.GetParameter":
		writeError(w, "ParameterNotFound", "")
	default:
		writeError(w, "UnknownOperationException", "")
	}
}

func writeError(w http.ResponseWriter, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": msg})
}
