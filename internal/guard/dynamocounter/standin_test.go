package dynamocounter_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// standIn is a local stand-in for the DynamoDB JSON 1.0 API with one
// table, answering UpdateItem and GetItem. It evaluates the expression
// forms the counter sends — ADD and SET with if_not_exists, conditions of
// attribute_not_exists and < / > joined by OR — atomically, as DynamoDB
// does per item, and rejects anything else with a ValidationException, so
// a counter that sent another form would fail here rather than pass
// against a stand-in that guessed.
type standIn struct {
	table string

	mu    sync.Mutex
	items map[string]item // by the string partition key "pk"
	calls map[string]int  // by operation
}

// item maps attribute names to DynamoDB JSON values ({"S": …} or {"N": …}).
type item map[string]map[string]string

func newStandIn(t *testing.T, table string) (*standIn, *httptest.Server) {
	t.Helper()
	s := &standIn{table: table, items: map[string]item{}, calls: map[string]int{}}
	srv := httptest.NewServer(s) // listens on 127.0.0.1
	t.Cleanup(srv.Close)
	return s, srv
}

func (s *standIn) item(pk string) item {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.items[pk])
}

func (s *standIn) keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slicesSorted(maps.Keys(s.items))
}

type apiError struct {
	status int
	typ    string
	msg    string
}

func (s *standIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, "DynamoDB_20120810.")
	var out any
	var aerr *apiError
	switch {
	case r.Method != http.MethodPost || !ok:
		aerr = &apiError{400, "UnknownOperationException", "unknown operation " + target}
	case !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-1.0"):
		aerr = &apiError{400, "SerializationException", "content type must be application/x-amz-json-1.0"}
	case r.Header.Get("Authorization") == "":
		aerr = &apiError{400, "MissingAuthenticationTokenException", "request is missing an authentication token"}
	case op == "UpdateItem":
		out, aerr = s.updateItem(r)
	case op == "GetItem":
		out, aerr = s.getItem(r)
	default:
		aerr = &apiError{400, "UnknownOperationException", "unknown operation " + target}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	if aerr != nil {
		w.WriteHeader(aerr.status)
		_ = json.NewEncoder(w).Encode(map[string]string{
			"__type": "com.amazonaws.dynamodb.v20120810#" + aerr.typ, "message": aerr.msg,
		})
		return
	}
	s.mu.Lock()
	s.calls[op]++
	s.mu.Unlock()
	_ = json.NewEncoder(w).Encode(out)
}

type request struct {
	TableName                 string
	Key                       item
	UpdateExpression          string
	ConditionExpression       string
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues item
	ConsistentRead            bool
}

func (s *standIn) decode(r *http.Request) (*request, string, *apiError) {
	var req request
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		return nil, "", &apiError{400, "SerializationException", err.Error()}
	}
	if req.TableName != s.table {
		return nil, "", &apiError{400, "ResourceNotFoundException", "Requested resource not found"}
	}
	pk, ok := req.Key["pk"]["S"]
	if len(req.Key) != 1 || !ok {
		return nil, "", &apiError{400, "ValidationException", "The provided key element does not match the schema"}
	}
	return &req, pk, nil
}

func (s *standIn) getItem(r *http.Request) (any, *apiError) {
	_, pk, aerr := s.decode(r)
	if aerr != nil {
		return nil, aerr
	}
	if it := s.item(pk); it != nil {
		return map[string]item{"Item": it}, nil
	}
	return struct{}{}, nil
}

var (
	reNotExists = regexp.MustCompile(`^attribute_not_exists\((#\w+)\)$`)
	reCompare   = regexp.MustCompile(`^(#\w+) (<|>) (:\w+)$`)
	reClause    = regexp.MustCompile(`\b(ADD|SET) `)
	reAdd       = regexp.MustCompile(`^(#\w+) (:\w+)$`)
	reSetIfNot  = regexp.MustCompile(`^(#\w+) = if_not_exists\((#\w+), (:\w+)\)$`)
)

func (s *standIn) updateItem(r *http.Request) (any, *apiError) {
	req, pk, aerr := s.decode(r)
	if aerr != nil {
		return nil, aerr
	}
	invalid := func(format string, args ...any) *apiError {
		return &apiError{400, "ValidationException", fmt.Sprintf(format, args...)}
	}
	name := func(ref string) (string, *apiError) {
		n, ok := req.ExpressionAttributeNames[ref]
		if !ok {
			return "", invalid("undefined attribute name %s", ref)
		}
		return n, nil
	}
	value := func(ref string) (float64, *apiError) {
		v, ok := req.ExpressionAttributeValues[ref]["N"]
		if !ok {
			return 0, invalid("undefined or non-number value %s", ref)
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, invalid("bad number %q", v)
		}
		return f, nil
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	cur := maps.Clone(s.items[pk])
	if cur == nil {
		cur = item{"pk": {"S": pk}}
	}
	num := func(attr string) (float64, bool) {
		v, ok := cur[attr]["N"]
		if !ok {
			return 0, false
		}
		f, _ := strconv.ParseFloat(v, 64)
		return f, true
	}

	if c := req.ConditionExpression; c != "" {
		holds := false
		for term := range strings.SplitSeq(c, " OR ") {
			switch m := reNotExists.FindStringSubmatch(term); {
			case m != nil:
				n, aerr := name(m[1])
				if aerr != nil {
					return nil, aerr
				}
				_, exists := cur[n]
				holds = holds || !exists
				continue
			}
			m := reCompare.FindStringSubmatch(term)
			if m == nil {
				return nil, invalid("unsupported condition %q", term)
			}
			n, aerr := name(m[1])
			if aerr != nil {
				return nil, aerr
			}
			v, aerr := value(m[3])
			if aerr != nil {
				return nil, aerr
			}
			if have, ok := num(n); ok {
				holds = holds || (m[2] == "<" && have < v) || (m[2] == ">" && have > v)
			}
		}
		if !holds {
			return nil, &apiError{400, "ConditionalCheckFailedException", "The conditional request failed"}
		}
	}

	expr := req.UpdateExpression
	locs := reClause.FindAllStringSubmatchIndex(expr, -1)
	if len(locs) == 0 || locs[0][0] != 0 {
		return nil, invalid("unsupported update expression %q", expr)
	}
	for i, loc := range locs {
		end := len(expr)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		kw := expr[loc[2]:loc[3]]
		for _, action := range splitTop(expr[loc[1]:end]) {
			action = strings.TrimSpace(action)
			switch kw {
			case "ADD":
				m := reAdd.FindStringSubmatch(action)
				if m == nil {
					return nil, invalid("unsupported ADD action %q", action)
				}
				n, aerr := name(m[1])
				if aerr != nil {
					return nil, aerr
				}
				v, aerr := value(m[2])
				if aerr != nil {
					return nil, aerr
				}
				have, _ := num(n)
				cur[n] = map[string]string{"N": strconv.FormatFloat(have+v, 'f', -1, 64)}
			case "SET":
				m := reSetIfNot.FindStringSubmatch(action)
				if m == nil || m[1] != m[2] {
					return nil, invalid("unsupported SET action %q", action)
				}
				n, aerr := name(m[1])
				if aerr != nil {
					return nil, aerr
				}
				if _, exists := cur[n]; !exists {
					cur[n] = req.ExpressionAttributeValues[m[3]]
				}
			}
		}
	}
	s.items[pk] = cur
	return struct{}{}, nil
}

// splitTop splits s at the commas outside parentheses.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}
