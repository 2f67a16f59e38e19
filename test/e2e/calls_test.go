package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"unicode"
)

// callVars are the values an opCall's input may name: the pool, the
// step user's access token, and what earlier steps saved.
type callVars map[string]string

// varRef is a "$name" string in an input's JSON.
var varRef = regexp.MustCompile(`"\$([A-Za-z]+)"`)

// fillInput returns in as JSON with every string "$name" replaced by vars'
// value for name; the access token is looked up only when a step names it.
func fillInput(in any, vars callVars, access func() (string, error)) (json.RawMessage, error) {
	raw, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	var ferr error
	out := varRef.ReplaceAllFunc(raw, func(ref []byte) []byte {
		name := string(ref[2 : len(ref)-1])
		val, ok := vars[name]
		if name == "access" {
			var aerr error
			if val, aerr = access(); aerr != nil && ferr == nil {
				ferr = aerr
			}
		} else if !ok && ferr == nil {
			ferr = fmt.Errorf("no value for $%s", name)
		}
		q, _ := json.Marshal(val)
		return q
	})
	return out, ferr
}

// saveOutput stores the step's Save paths of a JSON output in vars.
func saveOutput(s step, output []byte, vars callVars) error {
	if len(s.Save) == 0 {
		return nil
	}
	var out map[string]any
	if err := json.Unmarshal(output, &out); err != nil {
		return fmt.Errorf("output %q: %w", output, err)
	}
	for name, path := range s.Save {
		var cur any = out
		for _, p := range strings.Split(path, ".") {
			m, _ := cur.(map[string]any)
			cur = m[p]
		}
		str, ok := cur.(string)
		if !ok {
			return fmt.Errorf("no %s in the output %s", path, output)
		}
		vars[name] = str
	}
	return nil
}

// lastAccess looks up the access token of the step user's last sign-in.
func lastAccess(sessions map[string]*tokenSet, p *pool, s step) func() (string, error) {
	return func() (string, error) {
		prev := sessions[s.clientID(p)+"/"+s.Username]
		if prev == nil {
			return "", fmt.Errorf("no earlier sign-in of %s", s.Username)
		}
		return prev.Access, nil
	}
}

// call runs an opCall with aws-sdk-go-v2: the client's method named by
// the operation, its input decoded from the step's JSON input.
func (c *goClient) call(ctx context.Context, s step) outcome {
	in, err := fillInput(s.Input, c.callVars(), lastAccess(c.sessions, c.p, s))
	if err != nil {
		return outcome{got: "error", message: err.Error()}
	}
	m := reflect.ValueOf(c.api).MethodByName(s.Operation)
	if !m.IsValid() {
		return outcome{got: "error", message: "aws-sdk-go-v2 has no operation " + s.Operation}
	}
	input := reflect.New(m.Type().In(1).Elem())
	if err := json.Unmarshal(in, input.Interface()); err != nil {
		return outcome{got: "error", message: fmt.Sprintf("%s input: %v", s.Operation, err)}
	}
	res := m.Call([]reflect.Value{reflect.ValueOf(ctx), input})
	if err, _ := res[1].Interface().(error); err != nil {
		return apiOutcome(err)
	}
	output, err := json.Marshal(res[0].Interface())
	if err == nil {
		err = saveOutput(s, output, c.vars)
	}
	if err != nil {
		return outcome{got: "error", message: err.Error()}
	}
	return outcome{got: "ok"}
}

func (c *goClient) callVars() callVars {
	if c.vars == nil {
		c.vars = callVars{}
	}
	c.vars["pool"] = c.p.PoolID
	return c.vars
}

// call runs an opCall with the AWS CLI: `aws cognito-idp <operation>
// --cli-input-json <input>`.
func (c *cliClient) call(ctx context.Context, s step) outcome {
	if c.vars == nil {
		c.vars = callVars{}
	}
	c.vars["pool"] = c.p.PoolID
	in, err := fillInput(s.Input, c.vars, lastAccess(c.sessions, c.p, s))
	if err != nil {
		return outcome{got: "error", message: err.Error()}
	}
	var out json.RawMessage
	o := c.cli(ctx, &out, cliCommand(s.Operation), "--cli-input-json", string(in))
	if o.got != "ok" {
		return o
	}
	if err := saveOutput(s, out, c.vars); err != nil {
		return outcome{got: "error", message: err.Error()}
	}
	return o
}

// cliCommand is the AWS CLI's name of an operation: AdminAddUserToGroup →
// admin-add-user-to-group.
func cliCommand(op string) string {
	var b strings.Builder
	for i, r := range op {
		if unicode.IsUpper(r) {
			if i > 0 && unicode.IsLower(rune(op[i-1])) {
				b.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
