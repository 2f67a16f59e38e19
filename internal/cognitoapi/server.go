// Package cognitoapi serves the local user pool over Amazon Cognito's
// wire protocol: AWS JSON 1.1 on POST / with X-Amz-Target dispatch, one file
// per action, one table mapping the service's outcomes to Cognito
// exceptions; plus the pools' JWKS and OpenID discovery documents and a
// loopback-only view of the outbox. Real clients (AWS CLI, the AWS SDKs,
// amazon-cognito-identity-js) talk to it with an endpoint override.
package cognitoapi

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ferry-migrate/ferry/internal/tokens"
	"github.com/ferry-migrate/ferry/internal/userpool"
)

// MaxBodyBytes bounds a request body. Cognito's largest inputs (a pool with
// 50 schema attributes and message templates) are a few tens of KB; 1 MiB
// leaves room and keeps a careless client from filling memory.
const MaxBodyBytes = 1 << 20

// targetPrefix is the X-Amz-Target prefix of the service.
const targetPrefix = "AWSCognitoIdentityProviderService."

// Server is the HTTP face of a userpool.Service.
type Server struct {
	svc *userpool.Service
	log *slog.Logger
	mux *http.ServeMux
}

// New returns the API server for svc.
func New(svc *userpool.Service, logger *slog.Logger) *Server {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{svc: svc, log: logger.With("component", "cognitoapi"), mux: http.NewServeMux()}
	s.mux.HandleFunc("POST /{$}", s.serveAPI)
	s.mux.HandleFunc("OPTIONS /", s.preflight)
	s.mux.HandleFunc("GET /{pool}/.well-known/jwks.json", s.jwks)
	s.mux.HandleFunc("GET /{pool}/.well-known/openid-configuration", s.openIDConfiguration)
	s.mux.HandleFunc("GET /_ferry/outbox", s.outbox)
	s.mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"ok"}`)
	})
	s.mux.HandleFunc("/", http.NotFound) // unknown paths are 404 whatever the method
	return s
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Access-Control-Expose-Headers", "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date")
	s.mux.ServeHTTP(w, r)
}

func (s *Server) preflight(w http.ResponseWriter, _ *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "POST, GET, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "content-type, x-amz-target, x-amz-user-agent, cache-control, "+
		"authorization, x-amz-date, x-amz-security-token, x-amz-content-sha256, amz-sdk-invocation-id, amz-sdk-request")
	h.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}

// call is one API request being served.
type call struct {
	op     string
	body   []byte
	region string // from the SigV4 credential scope, if signed
}

// operation serves one action: decode the body, call the service, return
// the output (nil for {}).
type operation func(ctx context.Context, s *Server, c *call) (any, error)

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	reqID := uuid.NewString()
	w.Header().Set("x-amzn-RequestId", reqID)
	target := r.Header.Get("X-Amz-Target")
	op := target
	if i := strings.LastIndexByte(target, '.'); i >= 0 {
		op = target[i+1:]
	}
	handler, ok := operations[op]
	ourPrefix := !strings.Contains(target, ".") || strings.EqualFold(target[:strings.LastIndexByte(target, '.')+1], targetPrefix)
	if !ok && ourPrefix && slices.Contains(cognitoOperations, op) {
		s.writeError(w, r, op, &apiError{name: "UnsupportedOperationException", status: http.StatusBadRequest,
			message: fmt.Sprintf("%s is a Cognito operation that this local pool does not implement.", op)})
		return
	}
	if !ok || !ourPrefix {
		s.writeError(w, r, op, &apiError{name: "UnknownOperationException", status: http.StatusBadRequest,
			message: fmt.Sprintf("Unknown operation %s.", target)})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.writeError(w, r, op, invalidParameter("Request body is larger than %d bytes.", MaxBodyBytes))
			return
		}
		s.writeError(w, r, op, invalidParameter("Request body could not be read."))
		return
	}
	c := &call{op: op, body: body, region: sigV4Region(r.Header.Get("Authorization"))}
	out, err := handler(r.Context(), s, c)
	if err != nil {
		s.writeError(w, r, op, err)
		return
	}
	payload := []byte("{}")
	if out != nil {
		if payload, err = json.Marshal(out); err != nil {
			s.writeError(w, r, op, fmt.Errorf("encode %s output: %w", op, err))
			return
		}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("Content-Length", strconv.Itoa(len(payload)))
	_, _ = w.Write(payload)
	s.log.DebugContext(r.Context(), "request", "op", op, "requestId", reqID, "status", http.StatusOK)
}

// sigV4Region reads the region of a SigV4 credential scope:
// Credential=AKID/yyyymmdd/<region>/cognito-idp/aws4_request.
func sigV4Region(auth string) string {
	_, cred, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	cred, _, _ = strings.Cut(cred, ",")
	parts := strings.Split(strings.TrimSpace(cred), "/")
	if len(parts) != 5 {
		return ""
	}
	return parts[2]
}

// decode reads the JSON body into in. Malformed JSON, and a member longer
// than the service model allows, is InvalidParameterException; unknown
// members are ignored.
func decode(c *call, in any) error {
	body := c.body
	if len(strings.TrimSpace(string(body))) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, in); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return invalidParameter("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must be of type %s", lowerFirst(te.Field), te.Value)
		}
		return invalidParameter("The request body is not valid JSON: %s", err.Error())
	}
	return checkLimits(c.op, in)
}

// required reports the first missing required member, in Cognito's words.
// members alternates names and values; a value is missing when it is an
// empty string or a nil pointer, slice or map.
func required(members ...any) error {
	for i := 0; i+1 < len(members); i += 2 {
		v := reflect.ValueOf(members[i+1])
		missing := !v.IsValid()
		if !missing {
			switch v.Kind() {
			case reflect.String:
				missing = v.Len() == 0
			case reflect.Pointer, reflect.Slice, reflect.Map:
				missing = v.IsNil()
			}
		}
		if missing {
			return invalidParameter("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", lowerFirst(members[i].(string)))
		}
	}
	return nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// jwks serves a pool's signing keys.
func (s *Server) jwks(w http.ResponseWriter, r *http.Request) {
	if _, err := s.svc.DescribePool(r.Context(), r.PathValue("pool")); err != nil {
		http.NotFound(w, r)
		return
	}
	b, err := s.svc.Keys().JWKS()
	if err != nil {
		s.log.ErrorContext(r.Context(), "jwks", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// openIDConfiguration serves a pool's discovery document: iss as the tokens
// carry it, endpoints on this server.
func (s *Server) openIDConfiguration(w http.ResponseWriter, r *http.Request) {
	poolID := r.PathValue("pool")
	if _, err := s.svc.DescribePool(r.Context(), poolID); err != nil {
		http.NotFound(w, r)
		return
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	b, err := tokens.OpenIDConfigurationWith(s.svc.Issuer(poolID), scheme+"://"+r.Host+"/"+poolID, s.oauthBase(r, scheme, poolID))
	if err != nil {
		s.log.ErrorContext(r.Context(), "openid configuration", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

// oauthBase is where the pool's OAuth 2.0 endpoints are served: under its
// managed-login domain (the prefix domain first), "" for a pool without one.
func (s *Server) oauthBase(r *http.Request, scheme, poolID string) string {
	ds, err := s.svc.PoolDomains(r.Context(), poolID)
	if err != nil || len(ds) == 0 {
		return ""
	}
	slices.SortStableFunc(ds, func(a, b *userpool.Domain) int { return cmp.Compare(a.CertificateARN, b.CertificateARN) })
	return scheme + "://" + r.Host + userpool.DomainPath(ds[0].Domain)
}

// outbox lists delivered codes as JSON, to loopback callers only: codes
// are secrets of the users they were sent to.
func (s *Server) outbox(w http.ResponseWriter, r *http.Request) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	ip := net.ParseIP(host)
	if err != nil || ip == nil || !ip.IsLoopback() {
		http.Error(w, "the outbox is only served to loopback clients", http.StatusForbidden)
		return
	}
	q := r.URL.Query()
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	msgs, err := s.svc.Store().ListMessages(r.Context(), q.Get("pool"), after, limit)
	if err != nil {
		s.log.ErrorContext(r.Context(), "outbox", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	out := Outbox{Messages: []OutboxMessage{}}
	for _, m := range msgs {
		out.Messages = append(out.Messages, OutboxMessage{ID: m.ID, PoolID: m.PoolID, Username: m.Username,
			Medium: m.Medium, Destination: m.Destination, Kind: m.Kind, Code: m.Code, Body: m.Body, Subject: m.Subject,
			CreatedAt: float64(m.CreatedAt.UnixMilli()) / 1000})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// Outbox is the answer of GET /_ferry/outbox.
type Outbox struct {
	Messages []OutboxMessage `json:"messages"`
}

// OutboxMessage is one delivered code or notice.
type OutboxMessage struct {
	ID          int64   `json:"id"`
	PoolID      string  `json:"poolId"`
	Username    string  `json:"username"`
	Medium      string  `json:"medium"`
	Destination string  `json:"destination"`
	Kind        string  `json:"kind"`
	Code        string  `json:"code,omitempty"`
	Body        string  `json:"body"`
	Subject     string  `json:"subject,omitempty"`
	CreatedAt   float64 `json:"createdAt"` // epoch seconds
}

// epoch renders a time as Cognito does: epoch seconds, a JSON number with
// millisecond precision.
type epoch time.Time

func (e epoch) MarshalJSON() ([]byte, error) {
	t := time.Time(e)
	return []byte(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64)), nil
}
