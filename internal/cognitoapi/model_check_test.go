package cognitoapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"
)

// serviceModel is the extract of the cognito-idp service model in
// model/shapes.json (written by model/gen_model.py).
type serviceModel struct {
	APIVersion string `json:"apiVersion"`
	Operations map[string]struct {
		Output string   `json:"output"`
		Errors []string `json:"errors"`
	} `json:"operations"`
	Shapes map[string]modelShape `json:"shapes"`
}

type shapeRef struct {
	Shape string `json:"shape"`
}

type modelShape struct {
	Type     string              `json:"type"`
	Required []string            `json:"required"`
	Members  map[string]shapeRef `json:"members"`
	Member   *shapeRef           `json:"member"`
	Key      *shapeRef           `json:"key"`
	Value    *shapeRef           `json:"value"`
	Enum     []string            `json:"enum"`
	Min      *float64            `json:"min"`
	Max      *float64            `json:"max"`
}

// commonErrors are the errors every operation of an AWS JSON service may
// answer, which the model lists for none of them: the AWS common errors,
// and the protocol's own (a body that does not decode, an unknown
// action).
var commonErrors = []string{
	"AccessDeniedException", "IncompleteSignature", "InternalFailure", "InvalidAction", "InvalidClientTokenId",
	"MissingAuthenticationToken", "NotAuthorized", "OptInRequired", "RequestExpired", "ServiceUnavailable",
	"ThrottlingException", "ValidationError", "UnrecognizedClientException", "SerializationException",
	"UnknownOperationException",
}

// cognitoOwnDeviations are values real Cognito answers although its model
// bounds them otherwise: the standard attribute phone_number_verified (21
// characters) in a pool's SchemaAttributes, whose Name is a
// CustomAttributeNameType of at most 20.
var cognitoOwnDeviations = map[string][]string{
	"CustomAttributeNameType": {"phone_number_verified"},
}

func loadModel(path string) (*serviceModel, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m serviceModel
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &m, nil
}

// checkAnswer checks one answer of op: a 200 body against the
// operation's output shape (or {} when it has none), an error's __type
// against the errors the model lists for op and its body against that
// error's shape. It returns every mismatch, each with its JSON path.
func (m *serviceModel) checkAnswer(op string, status int, body []byte) []string {
	o, ok := m.Operations[op]
	if !ok {
		return []string{fmt.Sprintf("%s is not in model/shapes.json: run model/gen_model.py", op)}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []string{fmt.Sprintf("body is not JSON: %v", err)}
	}
	if status == 200 {
		if o.Output == "" {
			if obj, ok := v.(map[string]any); !ok || len(obj) != 0 {
				return []string{fmt.Sprintf("the model gives no output, body is %s", body)}
			}
			return nil
		}
		return m.check(o.Output, o.Output, v)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return []string{"error body is not an object"}
	}
	typ, _ := obj["__type"].(string)
	var errs []string
	if status != 400 && !(status == 500 && typ == "InternalErrorException") {
		errs = append(errs, fmt.Sprintf("HTTP status %d for %s", status, typ))
	}
	if slices.Contains(commonErrors, typ) {
		return errs
	}
	if !slices.Contains(o.Errors, typ) {
		return append(errs, fmt.Sprintf("error %q is not one the model lists for %s %v", typ, op, o.Errors))
	}
	rest := make(map[string]any, len(obj))
	for k, x := range obj {
		if k != "__type" {
			rest[k] = x
		}
	}
	return append(errs, m.check(typ, typ, rest)...)
}

// check compares the decoded JSON value v at path with the named shape.
func (m *serviceModel) check(path, name string, v any) []string {
	s, ok := m.Shapes[name]
	if !ok {
		return []string{fmt.Sprintf("%s: shape %s missing from model/shapes.json", path, name)}
	}
	bad := func(format string, args ...any) []string {
		return []string{path + ": " + fmt.Sprintf(format, args...)}
	}
	switch s.Type {
	case "structure":
		obj, ok := v.(map[string]any)
		if !ok {
			return bad("want a %s object, got %T", name, v)
		}
		var errs []string
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ref, ok := s.Members[k]
			if !ok {
				errs = append(errs, fmt.Sprintf("%s: %s has no member %q", path, name, k))
				continue
			}
			if obj[k] == nil {
				errs = append(errs, fmt.Sprintf("%s.%s: null", path, k))
				continue
			}
			errs = append(errs, m.check(path+"."+k, ref.Shape, obj[k])...)
		}
		for _, r := range s.Required {
			if _, ok := obj[r]; !ok {
				errs = append(errs, fmt.Sprintf("%s: required member %s of %s is missing", path, r, name))
			}
		}
		return errs
	case "list":
		l, ok := v.([]any)
		if !ok {
			return bad("want a list, got %T", v)
		}
		var errs []string
		if s.Min != nil && float64(len(l)) < *s.Min || s.Max != nil && float64(len(l)) > *s.Max {
			errs = bad("%d items outside [%v, %v]", len(l), deref(s.Min), deref(s.Max))
		}
		for i, x := range l {
			errs = append(errs, m.check(fmt.Sprintf("%s[%d]", path, i), s.Member.Shape, x)...)
		}
		return errs
	case "map":
		obj, ok := v.(map[string]any)
		if !ok {
			return bad("want a map, got %T", v)
		}
		var errs []string
		for k, x := range obj {
			errs = append(errs, m.check(path+"{key}", s.Key.Shape, k)...)
			errs = append(errs, m.check(path+"["+k+"]", s.Value.Shape, x)...)
		}
		return errs
	case "string":
		str, ok := v.(string)
		if !ok {
			return bad("want a string, got %T", v)
		}
		if len(s.Enum) > 0 && !slices.Contains(s.Enum, str) {
			return bad("%q is not one of %s's values %v", str, name, s.Enum)
		}
		n := float64(utf8.RuneCountInString(str))
		if (s.Min != nil && n < *s.Min || s.Max != nil && n > *s.Max) && !slices.Contains(cognitoOwnDeviations[name], str) {
			return bad("length %v outside [%v, %v] of %s", n, deref(s.Min), deref(s.Max), name)
		}
		return nil
	case "boolean":
		if _, ok := v.(bool); !ok {
			return bad("want a boolean, got %T", v)
		}
		return nil
	case "integer", "long":
		num, ok := v.(json.Number)
		if !ok {
			return bad("want an integer, got %T", v)
		}
		i, err := num.Int64()
		if err != nil {
			return bad("want an integer, got %s", num)
		}
		if s.Min != nil && float64(i) < *s.Min || s.Max != nil && float64(i) > *s.Max {
			return bad("%d outside [%v, %v] of %s", i, deref(s.Min), deref(s.Max), name)
		}
		return nil
	case "timestamp", "double", "float":
		// The JSON protocol sends timestamps as epoch seconds.
		if _, ok := v.(json.Number); !ok {
			return bad("want a number, got %T", v)
		}
		return nil
	case "blob":
		if _, ok := v.(string); !ok {
			return bad("want base64 text, got %T", v)
		}
		return nil
	}
	return bad("shape %s has type %q, which this check does not know", name, s.Type)
}

func deref(f *float64) any {
	if f == nil {
		return "-"
	}
	return *f
}

// TestModelCheckFindsMismatches feeds the check answers that break the
// model, so that TestServiceModel passing means something.
func TestModelCheckFindsMismatches(t *testing.T) {
	t.Parallel()
	m, err := loadModel("model/shapes.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		op     string
		status int
		body   string
		want   string // a fragment of the one mismatch expected; "" for none
	}{
		{"matches", "AdminGetUser", 200, `{"Username":"a","Enabled":true,"UserStatus":"CONFIRMED","UserCreateDate":1.5}`, ""},
		{"unknown member", "AdminGetUser", 200, `{"Username":"a","Sub":"x"}`, `has no member "Sub"`},
		{"required member missing", "AdminGetUser", 200, `{"Enabled":true}`, "required member Username"},
		{"wrong type", "AdminGetUser", 200, `{"Username":"a","Enabled":"true"}`, "want a boolean"},
		{"enum value", "AdminGetUser", 200, `{"Username":"a","UserStatus":"ACTIVE"}`, "is not one of UserStatusType"},
		{"timestamp as text", "AdminGetUser", 200, `{"Username":"a","UserCreateDate":"2024-01-01"}`, "want a number"},
		{"nested list item", "AdminGetUser", 200, `{"Username":"a","UserAttributes":[{"Value":"x"}]}`, "required member Name"},
		{"null member", "GetUser", 200, `{"Username":"a","UserAttributes":[],"MFAOptions":null}`, "null"},
		{"integer", "ListUsers", 200, `{"Users":[{"Username":"a","Enabled":1}]}`, "want a boolean"},
		{"body for no output", "DeleteGroup", 200, `{"ok":true}`, "no output"},
		{"listed error", "AdminGetUser", 400, `{"__type":"UserNotFoundException","message":"User does not exist."}`, ""},
		{"common error", "AdminGetUser", 400, `{"__type":"SerializationException","message":"x"}`, ""},
		{"error not listed", "AdminGetUser", 400, `{"__type":"CodeMismatchException","message":"x"}`, "not one the model lists"},
		{"error member", "AdminGetUser", 400, `{"__type":"UserNotFoundException","message":"x","code":1}`, `has no member "code"`},
		{"error status", "AdminGetUser", 500, `{"__type":"UserNotFoundException","message":"x"}`, "HTTP status 500"},
		{"unknown operation", "FlyToTheMoon", 200, `{}`, "not in model/shapes.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := m.checkAnswer(tt.op, tt.status, []byte(tt.body))
			switch {
			case tt.want == "" && len(got) != 0:
				t.Errorf("mismatches %q, want none", got)
			case tt.want != "" && (len(got) != 1 || !strings.Contains(got[0], tt.want)):
				t.Errorf("mismatches %q, want one containing %q", got, tt.want)
			}
		})
	}
}
