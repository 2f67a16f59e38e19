package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/ferry-migrate/ferry/internal/testenv"
)

const (
	moduleDir  = "terraform/modules/ferry-trigger"
	exampleDir = "terraform/examples/basic"
)

// moduleMeta are a module block's arguments that are not its inputs.
var moduleMeta = []string{"source", "version", "count", "for_each", "providers", "depends_on"}

// tfRoots are the reference roots that are not resource types.
var tfRoots = []string{"var", "local", "data", "module", "path", "count", "each", "self", "terraform"}

// tfModule is a parsed Terraform module: its files' bodies by name and
// what they declare.
type tfModule struct {
	files     map[string]*hclsyntax.Body
	variables map[string]*hclsyntax.Block
	resources map[string]*hclsyntax.Block // "type.name"
	data      map[string]*hclsyntax.Block // "type.name"
	locals    map[string]bool
	modules   map[string]*hclsyntax.Block
	outputs   map[string]*hclsyntax.Block
}

func loadModule(t *testing.T, dir string) *tfModule {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("%s: no .tf files (%v)", dir, err)
	}
	m := &tfModule{files: map[string]*hclsyntax.Body{}, variables: map[string]*hclsyntax.Block{},
		resources: map[string]*hclsyntax.Block{}, data: map[string]*hclsyntax.Block{}, locals: map[string]bool{},
		modules: map[string]*hclsyntax.Block{}, outputs: map[string]*hclsyntax.Block{}}
	p := hclparse.NewParser()
	for _, path := range paths {
		f, diags := p.ParseHCLFile(path)
		if diags.HasErrors() {
			t.Fatalf("%s: %v", path, diags)
		}
		body := f.Body.(*hclsyntax.Body)
		m.files[filepath.Base(path)] = body
		for _, b := range body.Blocks {
			switch b.Type {
			case "variable":
				m.variables[b.Labels[0]] = b
			case "resource":
				m.resources[b.Labels[0]+"."+b.Labels[1]] = b
			case "data":
				m.data[b.Labels[0]+"."+b.Labels[1]] = b
			case "module":
				m.modules[b.Labels[0]] = b
			case "output":
				m.outputs[b.Labels[0]] = b
			case "locals":
				for name := range b.Body.Attributes {
					m.locals[name] = true
				}
			}
		}
	}
	return m
}

// attrs calls f on every attribute at any depth of body.
func attrs(body *hclsyntax.Body, f func(*hclsyntax.Attribute)) {
	for _, a := range body.Attributes {
		f(a)
	}
	for _, b := range body.Blocks {
		attrs(b.Body, f)
	}
}

// traversals returns every reference in the module's expressions.
func (m *tfModule) traversals() []hcl.Traversal {
	var out []hcl.Traversal
	collect := func(a *hclsyntax.Attribute) { out = append(out, a.Expr.Variables()...) }
	for _, body := range m.files {
		for _, a := range body.Attributes {
			collect(a)
		}
		for _, b := range body.Blocks {
			switch b.Type {
			case "terraform":
				// Settings, not expressions.
			case "variable":
				// A variable's type is a type expression, not references.
				for name, a := range b.Body.Attributes {
					if name != "type" {
						collect(a)
					}
				}
				for _, v := range b.Body.Blocks {
					attrs(v.Body, collect)
				}
			default:
				attrs(b.Body, collect)
			}
		}
	}
	return out
}

func attrName(tr hcl.Traversal, i int) string {
	if i >= len(tr) {
		return ""
	}
	if a, ok := tr[i].(hcl.TraverseAttr); ok {
		return a.Name
	}
	return ""
}

// checkReferences checks every var., local., data., module. and resource
// reference against the module's declarations; modules maps each called
// module's name to its parsed source.
func (m *tfModule) checkReferences(t *testing.T, modules map[string]*tfModule) int {
	t.Helper()
	n := 0
	for _, tr := range m.traversals() {
		n++
		root, pos := tr.RootName(), tr.SourceRange()
		first, second := attrName(tr, 1), attrName(tr, 2)
		var ok bool
		switch root {
		case "var":
			_, ok = m.variables[first]
		case "local":
			ok = m.locals[first]
		case "data":
			_, ok = m.data[first+"."+second]
		case "module":
			sub, called := modules[first]
			if called {
				_, ok = sub.outputs[second]
			}
		case "path", "count", "each", "self", "terraform":
			ok = true
		default:
			_, ok = m.resources[root+"."+first]
		}
		if !ok {
			t.Errorf("%s: %s refers to nothing declared", pos, strings.Join(traversalNames(tr), "."))
		}
	}
	return n
}

func traversalNames(tr hcl.Traversal) []string {
	names := []string{tr.RootName()}
	for i := 1; i < len(tr); i++ {
		if a := attrName(tr, i); a != "" {
			names = append(names, a)
		}
	}
	return names
}

// literal evaluates an expression without variables; ok is false when it
// needs any.
func literal(e hclsyntax.Expression) (cty.Value, bool) {
	if len(e.Variables()) > 0 {
		return cty.NilVal, false
	}
	v, diags := e.Value(nil)
	return v, !diags.HasErrors()
}

func literalString(t *testing.T, b *hclsyntax.Block, name string) string {
	t.Helper()
	a, ok := b.Body.Attributes[name]
	if !ok {
		t.Fatalf("%s %v: no %s", b.Type, b.Labels, name)
	}
	v, ok := literal(a.Expr)
	if !ok || !v.Type().Equals(cty.String) {
		t.Fatalf("%s %v: %s is not a literal string", b.Type, b.Labels, name)
	}
	return v.AsString()
}

func literalStrings(v cty.Value) []string {
	var out []string
	if !v.CanIterateElements() {
		return nil
	}
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.Type().Equals(cty.String) {
			out = append(out, e.AsString())
		}
	}
	return out
}

// variableDefault returns a variable's literal default.
func (m *tfModule) variableDefault(t *testing.T, name string) cty.Value {
	t.Helper()
	b, ok := m.variables[name]
	if !ok {
		t.Fatalf("variable %s is not declared", name)
	}
	a, ok := b.Body.Attributes["default"]
	if !ok {
		t.Fatalf("variable %s has no default", name)
	}
	v, ok := literal(a.Expr)
	if !ok {
		t.Fatalf("variable %s: default is not a literal", name)
	}
	return v
}

// varRef returns the variable an attribute is exactly "var.x" of.
func varRef(t *testing.T, b *hclsyntax.Block, name string) string {
	t.Helper()
	a, ok := b.Body.Attributes[name]
	if !ok {
		t.Fatalf("%s %v: no %s", b.Type, b.Labels, name)
	}
	vars := a.Expr.Variables()
	if len(vars) != 1 || vars[0].RootName() != "var" {
		t.Fatalf("%s %v: %s is not one variable", b.Type, b.Labels, name)
	}
	return attrName(vars[0], 1)
}

func TestTerraformReferences(t *testing.T) {
	t.Parallel()
	mod := loadModule(t, moduleDir)
	if n := mod.checkReferences(t, nil); n < 30 {
		t.Errorf("found only %d references in the module; the walk is broken", n)
	}
	// Variables live in variables.tf, and every one is used.
	used := map[string]bool{}
	for _, tr := range mod.traversals() {
		if tr.RootName() == "var" {
			used[attrName(tr, 1)] = true
		}
	}
	for name, b := range mod.variables {
		if file := filepath.Base(b.Range().Filename); file != "variables.tf" {
			t.Errorf("variable %s is declared in %s, not variables.tf", name, file)
		}
		if !used[name] {
			t.Errorf("variable %s is never used", name)
		}
		if _, ok := b.Body.Attributes["description"]; !ok {
			t.Errorf("variable %s has no description", name)
		}
	}
	for _, f := range []string{"main.tf", "variables.tf", "outputs.tf", "versions.tf"} {
		if mod.files[f] == nil {
			t.Errorf("the module has no %s", f)
		}
	}

	example := loadModule(t, exampleDir)
	example.checkReferences(t, map[string]*tfModule{"ferry": mod})
	call, ok := example.modules["ferry"]
	if !ok {
		t.Fatal("the example does not call the module as \"ferry\"")
	}
	if src := literalString(t, call, "source"); filepath.Clean(filepath.Join(exampleDir, src)) != filepath.Clean(moduleDir) {
		t.Errorf("the example's module source %q is not %s", src, moduleDir)
	}
	for name := range call.Body.Attributes {
		if _, ok := mod.variables[name]; !ok && !slices.Contains(moduleMeta, name) {
			t.Errorf("the example passes %s, which the module does not declare", name)
		}
	}
	for name, v := range mod.variables {
		if _, hasDefault := v.Body.Attributes["default"]; !hasDefault {
			if _, given := call.Body.Attributes[name]; !given {
				t.Errorf("the example does not pass the module's required %s", name)
			}
		}
	}
	zip := call.Body.Attributes["lambda_zip"]
	if zip == nil {
		t.Fatal("the example passes no lambda_zip")
	}
	tmpl, ok := zip.Expr.(*hclsyntax.TemplateExpr)
	if !ok {
		t.Fatal("lambda_zip is not a path template")
	}
	var path strings.Builder
	for _, p := range tmpl.Parts {
		if v, ok := literal(p); ok && v.Type().Equals(cty.String) {
			path.WriteString(v.AsString())
		}
	}
	if got, want := filepath.ToSlash(filepath.Clean(filepath.Join("deploy", exampleDir, path.String()))), readBuild(t).zip; got != want {
		t.Errorf("the example's lambda_zip is %s from the repository root, want %s (make lambda's output)", got, want)
	}
	if _, err := os.Stat(filepath.Join(exampleDir, "ferry.yaml")); err != nil {
		t.Errorf("the example's configuration: %v", err)
	}
}

func TestTerraformFunctionMatchesBuild(t *testing.T) {
	t.Parallel()
	mod := loadModule(t, moduleDir)
	b := readBuild(t)
	fn, ok := mod.resources["aws_lambda_function.this"]
	if !ok {
		t.Fatal("no aws_lambda_function.this")
	}
	if got := literalString(t, fn, "handler"); got != b.handler {
		t.Errorf("handler = %q, want %q", got, b.handler)
	}
	if got := literalString(t, fn, "runtime"); got != b.runtime {
		t.Errorf("runtime = %q, want %q", got, b.runtime)
	}
	arch := fn.Body.Attributes["architectures"]
	vars := arch.Expr.Variables()
	if len(vars) != 1 || attrName(vars[0], 1) != "architecture" {
		t.Fatal("architectures is not [var.architecture]")
	}
	if got := mod.variableDefault(t, "architecture").AsString(); got != lambdaArchName(b.arch) {
		t.Errorf("architecture default = %q, want %q", got, lambdaArchName(b.arch))
	}
	timeout := varRef(t, fn, "timeout")
	if def, _ := mod.variableDefault(t, timeout).AsBigFloat().Int64(); def < 1 || def > 5 {
		t.Errorf("timeout default %d: want 1..5 seconds", def)
	}
	var validated bool
	for _, blk := range mod.variables[timeout].Body.Blocks {
		if c := blk.Body.Attributes["condition"]; blk.Type == "validation" && c != nil {
			src, _ := os.ReadFile(c.SrcRange.Filename)
			validated = strings.Contains(string(c.SrcRange.SliceBytes(src)), "<= 5")
		}
	}
	if !validated {
		t.Error("variable timeout is not validated to at most 5 seconds")
	}
	env := fn.Body.Blocks
	found := false
	for _, blk := range env {
		if blk.Type == "dynamic" && blk.Labels[0] == "environment" {
			found = true
		}
	}
	if !found {
		t.Error("the function sets no environment")
	}
	locals := ""
	for _, body := range mod.files {
		for _, blk := range body.Blocks {
			if blk.Type == "locals" {
				if e := blk.Body.Attributes["environment"]; e != nil {
					src, _ := os.ReadFile(e.SrcRange.Filename)
					locals = string(e.SrcRange.SliceBytes(src))
				}
			}
		}
	}
	for _, v := range []string{"FERRY_CONFIG", "FERRY_CONFIG_FILE"} {
		if !strings.Contains(locals, v+" =") {
			t.Errorf("local.environment does not set %s", v)
		}
	}
}

func TestTerraformPermission(t *testing.T) {
	t.Parallel()
	mod := loadModule(t, moduleDir)
	perm, ok := mod.resources["aws_lambda_permission.cognito"]
	if !ok {
		t.Fatal("no aws_lambda_permission.cognito")
	}
	if got := literalString(t, perm, "principal"); got != "cognito-idp.amazonaws.com" {
		t.Errorf("principal = %q", got)
	}
	if got := literalString(t, perm, "action"); got != "lambda:InvokeFunction" {
		t.Errorf("action = %q", got)
	}
	for _, a := range []string{"source_arn", "source_account", "qualifier"} {
		if _, ok := perm.Body.Attributes[a]; !ok {
			t.Errorf("the permission has no %s", a)
		}
	}
	// The pool's trigger is the alias the permission is qualified with.
	pool, ok := mod.resources["aws_cognito_user_pool.this"]
	if !ok {
		t.Fatal("no aws_cognito_user_pool.this")
	}
	var trigger hcl.Traversal
	for _, blk := range pool.Body.Blocks {
		if blk.Type == "lambda_config" {
			if a := blk.Body.Attributes["user_migration"]; a != nil && len(a.Expr.Variables()) == 1 {
				trigger = a.Expr.Variables()[0]
			}
		}
	}
	if strings.Join(traversalNames(trigger), ".") != "aws_lambda_alias.live.arn" {
		t.Errorf("the pool's user_migration is %v, want aws_lambda_alias.live.arn", traversalNames(trigger))
	}
	if q := perm.Body.Attributes["qualifier"].Expr.Variables(); len(q) != 1 || strings.Join(traversalNames(q[0]), ".") != "aws_lambda_alias.live.name" {
		t.Error("the permission is not qualified with the live alias")
	}
	client, ok := mod.resources["aws_cognito_user_pool_client.this"]
	if !ok {
		t.Fatal("no aws_cognito_user_pool_client.this")
	}
	if got := literalString(t, client, "prevent_user_existence_errors"); got != "ENABLED" {
		t.Errorf("client prevent_user_existence_errors = %q", got)
	}
	flows, _ := literal(client.Body.Attributes["explicit_auth_flows"].Expr)
	if !slices.Contains(literalStrings(flows), "ALLOW_USER_PASSWORD_AUTH") {
		t.Errorf("client flows %v lack ALLOW_USER_PASSWORD_AUTH", literalStrings(flows))
	}
}

func TestTerraformIAM(t *testing.T) {
	t.Parallel()
	mod := loadModule(t, moduleDir)
	for name := range mod.resources {
		if strings.HasPrefix(name, "aws_iam_role_policy_attachment.") || strings.HasPrefix(name, "aws_iam_policy.") {
			t.Errorf("%s: grant what the trigger needs inline, not through managed policies", name)
		}
	}
	statements := 0
	for name, doc := range mod.data {
		if !strings.HasPrefix(name, "aws_iam_policy_document.") {
			continue
		}
		for _, st := range doc.Body.Blocks {
			if st.Type != "statement" {
				continue
			}
			statements++
			if _, ok := st.Body.Attributes["not_actions"]; ok {
				t.Errorf("%s: not_actions", name)
			}
			a, ok := st.Body.Attributes["actions"]
			if !ok {
				t.Errorf("%s: a statement without actions", name)
				continue
			}
			v, ok := literal(a.Expr)
			if !ok {
				t.Errorf("%s: actions are not a literal list", name)
				continue
			}
			actions := literalStrings(v)
			onlyENI := true
			for _, act := range actions {
				if strings.Contains(act, "*") || !slices.Contains(iamActions, act) {
					t.Errorf("%s: action %q is not on the allow-list", name, act)
				}
				onlyENI = onlyENI && strings.HasPrefix(act, "ec2:")
			}
			if r, ok := st.Body.Attributes["resources"]; ok {
				if rv, lit := literal(r.Expr); lit && slices.Contains(literalStrings(rv), "*") && !onlyENI {
					t.Errorf("%s: resources [\"*\"] for %v", name, actions)
				}
			}
		}
		// Optional grants exist only when their input is given.
		if name != "aws_iam_policy_document.assume" && name != "aws_iam_policy_document.logs" {
			if _, ok := doc.Body.Attributes["count"]; !ok {
				t.Errorf("%s is granted unconditionally", name)
			}
		}
	}
	if statements < 6 {
		t.Errorf("found %d statements, want trust, logs, secrets, parameters, decrypt and vpc", statements)
	}
}

func TestTerraformFmt(t *testing.T) {
	t.Parallel()
	tf := testenv.Tool(t, "terraform")
	cmd := exec.CommandContext(t.Context(), tf, "fmt", "-check", "-recursive", "-diff", "terraform")
	cmd.Env = append(os.Environ(), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("terraform fmt -check: %v\n%s", err, out)
	}
}
