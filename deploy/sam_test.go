package deploy

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// samTemplate is the SAM template, relative to this package.
const samTemplate = "sam/template.yaml"

// pseudoParameters are CloudFormation's.
var pseudoParameters = []string{"AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition",
	"AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix"}

// shortTags are CloudFormation's short-form intrinsic functions.
var shortTags = []string{"!Ref", "!GetAtt", "!Sub", "!If", "!Equals", "!Not", "!And", "!Or", "!Condition", "!Join",
	"!Select", "!Split", "!FindInMap", "!ImportValue", "!Base64", "!Cidr", "!GetAZs", "!Transform"}

// iamActions are the only actions the trigger's role may be granted.
var iamActions = []string{
	"sts:AssumeRole", // the trust policy
	"logs:CreateLogStream", "logs:PutLogEvents",
	"secretsmanager:GetSecretValue",
	"ssm:GetParameter", "ssm:GetParameters",
	"kms:Decrypt",
	"ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
	"ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
}

// template is a parsed CloudFormation template.
type template struct {
	root                              *yaml.Node
	parameters, resources, conditions map[string]*yaml.Node
}

func loadTemplate(t *testing.T, path string) *template {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		t.Fatalf("%s: not a mapping", path)
	}
	tpl := &template{root: doc.Content[0]}
	tpl.parameters = members(get(tpl.root, "Parameters"))
	tpl.resources = members(get(tpl.root, "Resources"))
	tpl.conditions = members(get(tpl.root, "Conditions"))
	return tpl
}

// get follows mapping keys from n; nil when one is missing.
func get(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				next = n.Content[i+1]
			}
		}
		n = next
	}
	return n
}

// value is n's scalar value with its tag, for messages.
func value(n *yaml.Node) string {
	if n == nil {
		return "(missing)"
	}
	if strings.HasPrefix(n.Tag, "!!") {
		return n.Value
	}
	return n.Tag + " " + n.Value
}

func members(n *yaml.Node) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	if n == nil {
		return out
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		out[n.Content[i].Value] = n.Content[i+1]
	}
	return out
}

// walk calls f on n and every node below it.
func walk(n *yaml.Node, f func(*yaml.Node)) {
	if n == nil {
		return
	}
	f(n)
	for _, c := range n.Content {
		walk(c, f)
	}
}

// scalars returns every scalar string at or below n.
func scalars(n *yaml.Node) []string {
	var out []string
	walk(n, func(m *yaml.Node) {
		if m.Kind == yaml.ScalarNode && m.Tag != "!Ref" {
			out = append(out, m.Value)
		}
	})
	return out
}

var subVar = regexp.MustCompile(`\$\{([^}!][^}]*)\}`)

// reference is one name an intrinsic function refers to.
type reference struct {
	kind, name string // kind: ref, getatt, condition
	line       int
}

// references returns every reference in the template.
func (tpl *template) references(t *testing.T) []reference {
	t.Helper()
	var refs []reference
	add := func(kind, name string, n *yaml.Node) { refs = append(refs, reference{kind, name, n.Line}) }
	subRefs := func(s string, local map[string]*yaml.Node, n *yaml.Node) {
		for _, m := range subVar.FindAllStringSubmatch(s, -1) {
			name := m[1]
			if _, ok := local[name]; ok {
				continue
			}
			if strings.Contains(name, ".") && !strings.HasPrefix(name, "AWS::") {
				add("getatt", name, n)
			} else {
				add("ref", name, n)
			}
		}
	}
	var visit func(n *yaml.Node)
	visit = func(n *yaml.Node) {
		if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") && !slices.Contains(shortTags, n.Tag) {
			t.Errorf("line %d: unknown tag %s", n.Line, n.Tag)
		}
		switch n.Tag {
		case "!Ref":
			add("ref", n.Value, n)
		case "!Condition":
			add("condition", n.Value, n)
		case "!GetAtt":
			if n.Kind == yaml.ScalarNode {
				add("getatt", n.Value, n)
			} else if len(n.Content) == 2 {
				add("getatt", n.Content[0].Value+"."+n.Content[1].Value, n)
			}
		case "!Sub":
			if n.Kind == yaml.ScalarNode {
				subRefs(n.Value, nil, n)
			} else if len(n.Content) == 2 {
				subRefs(n.Content[0].Value, members(n.Content[1]), n)
				visit(n.Content[1])
				return
			}
		case "!If":
			if n.Kind != yaml.SequenceNode || len(n.Content) != 3 {
				t.Errorf("line %d: !If needs [condition, then, else]", n.Line)
			} else {
				add("condition", n.Content[0].Value, n)
			}
		}
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i].Value, n.Content[i+1]
				switch k {
				case "Ref":
					add("ref", v.Value, v)
				case "Condition":
					if v.Kind == yaml.ScalarNode && v.Tag == "!!str" {
						add("condition", v.Value, v)
					}
				case "Fn::GetAtt":
					if v.Kind == yaml.SequenceNode && len(v.Content) == 2 {
						add("getatt", v.Content[0].Value+"."+v.Content[1].Value, v)
					}
				case "Fn::Sub":
					if v.Kind == yaml.ScalarNode {
						subRefs(v.Value, nil, v)
					}
				case "Fn::If":
					if v.Kind == yaml.SequenceNode && len(v.Content) == 3 {
						add("condition", v.Content[0].Value, v)
					}
				}
			}
		}
		for _, c := range n.Content {
			visit(c)
		}
	}
	for _, section := range []string{"Conditions", "Resources", "Outputs"} {
		visit(get(tpl.root, section))
	}
	return refs
}

// resolves reports whether a reference names something defined. SAM's
// generated resources (Function.Alias, Function.Version) count for a
// function with AutoPublishAlias.
func (tpl *template) resolves(r reference) bool {
	switch r.kind {
	case "condition":
		_, ok := tpl.conditions[r.name]
		return ok
	case "ref":
		if slices.Contains(pseudoParameters, r.name) {
			return true
		}
		if _, ok := tpl.parameters[r.name]; ok {
			return true
		}
		if _, ok := tpl.resources[r.name]; ok {
			return true
		}
		res, generated, ok := strings.Cut(r.name, ".")
		return ok && (generated == "Alias" || generated == "Version") && get(tpl.resources[res], "Properties", "AutoPublishAlias") != nil
	default:
		res, _, _ := strings.Cut(r.name, ".")
		_, ok := tpl.resources[res]
		return ok
	}
}

func TestSAMReferences(t *testing.T) {
	t.Parallel()
	tpl := loadTemplate(t, samTemplate)
	refs := tpl.references(t)
	if len(refs) < 20 {
		t.Fatalf("found only %d references; the walk is broken", len(refs))
	}
	for _, r := range refs {
		if !tpl.resolves(r) {
			t.Errorf("line %d: %s %q is not defined", r.line, r.kind, r.name)
		}
	}
	// A parameter nobody uses is a knob that does nothing.
	used := map[string]bool{}
	for _, r := range refs {
		used[r.name] = true
	}
	for p := range tpl.parameters {
		if !used[p] {
			t.Errorf("parameter %s is never used", p)
		}
	}
	for c := range tpl.conditions {
		if !used[c] {
			t.Errorf("condition %s is never used", c)
		}
	}
}

// resourcesOfType returns the template's resources of type typ.
func (tpl *template) resourcesOfType(typ string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	for name, r := range tpl.resources {
		if v := get(r, "Type"); v != nil && v.Value == typ {
			out[name] = r
		}
	}
	return out
}

func one(t *testing.T, m map[string]*yaml.Node, what string) (string, *yaml.Node) {
	t.Helper()
	if len(m) != 1 {
		t.Fatalf("%d %s resources, want 1", len(m), what)
	}
	for k, v := range m {
		return k, v
	}
	return "", nil
}

func TestSAMFunctionMatchesBuild(t *testing.T) {
	t.Parallel()
	tpl := loadTemplate(t, samTemplate)
	b := readBuild(t)
	_, fn := one(t, tpl.resourcesOfType("AWS::Serverless::Function"), "function")
	props := get(fn, "Properties")
	check := func(key, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %q, want %q (the Makefile's lambda target)", key, got, want)
		}
	}
	check("Handler", get(props, "Handler").Value, b.handler)
	check("Runtime", get(props, "Runtime").Value, b.runtime)
	arch := get(props, "Architectures")
	if arch == nil || len(arch.Content) != 1 {
		t.Fatal("Architectures: want one")
	}
	check("Architectures[0]", arch.Content[0].Value, lambdaArchName(b.arch))
	// CodeUri is relative to the template; the build's zip to the root.
	code := filepath.ToSlash(filepath.Join("deploy", filepath.Dir(samTemplate), get(props, "CodeUri").Value))
	check("CodeUri (from the repository root)", code, b.zip)
	if get(props, "AutoPublishAlias") == nil {
		t.Error("no AutoPublishAlias: provisioned concurrency and the trigger need the alias")
	}
	for _, v := range []string{"FERRY_CONFIG", "FERRY_CONFIG_FILE"} {
		if get(props, "Environment", "Variables", v) == nil {
			t.Errorf("environment variable %s is not set", v)
		}
	}
	// Timeout: at most Cognito's 5 s, as a literal or as a parameter's
	// default and maximum.
	to := get(props, "Timeout")
	var limits []string
	if to.Tag == "!Ref" {
		p := tpl.parameters[to.Value]
		limits = []string{get(p, "Default").Value, get(p, "MaxValue").Value}
	} else {
		limits = []string{to.Value}
	}
	for _, l := range limits {
		if n, err := strconv.Atoi(l); err != nil || n > 5 || n < 1 {
			t.Errorf("timeout %q: want 1..5 seconds (Cognito waits 5 s)", l)
		}
	}
}

func TestSAMPermission(t *testing.T) {
	t.Parallel()
	tpl := loadTemplate(t, samTemplate)
	_, perm := one(t, tpl.resourcesOfType("AWS::Lambda::Permission"), "permission")
	props := get(perm, "Properties")
	if v := get(props, "Principal"); v == nil || v.Value != "cognito-idp.amazonaws.com" {
		t.Errorf("Principal = %q, want cognito-idp.amazonaws.com", value(v))
	}
	if v := get(props, "Action"); v == nil || v.Value != "lambda:InvokeFunction" {
		t.Errorf("Action = %q, want lambda:InvokeFunction", value(v))
	}
	if v := get(props, "SourceAccount"); v == nil || v.Tag != "!Ref" || v.Value != "AWS::AccountId" {
		t.Errorf("SourceAccount = %q, want !Ref AWS::AccountId", value(v))
	}
	src := get(props, "SourceArn")
	if src == nil {
		t.Fatal("no SourceArn: any pool in any account could invoke the trigger")
	}
	text := strings.Join(scalars(src), " ")
	if !strings.Contains(text, "UserPool.Arn") || !strings.Contains(text, ":cognito-idp:") || !strings.Contains(text, "userpool/${ExistingUserPoolId}") {
		t.Errorf("SourceArn %q does not name the pool (created or existing)", text)
	}
	// The permission, the pool's trigger and the output agree on the alias.
	fn := get(props, "FunctionName")
	trig := get(tpl.resources["UserPool"], "Properties", "LambdaConfig", "UserMigration")
	if fn == nil || trig == nil || fn.Tag != "!Ref" || trig.Tag != "!Ref" || fn.Value != trig.Value || !strings.HasSuffix(fn.Value, ".Alias") {
		t.Errorf("permission FunctionName %q and pool UserMigration %q must both be the function's alias", value(fn), value(trig))
	}
}

func TestSAMUserPool(t *testing.T) {
	t.Parallel()
	tpl := loadTemplate(t, samTemplate)
	_, pool := one(t, tpl.resourcesOfType("AWS::Cognito::UserPool"), "user pool")
	_, client := one(t, tpl.resourcesOfType("AWS::Cognito::UserPoolClient"), "app client")
	for name, r := range map[string]*yaml.Node{"pool": pool, "client": client} {
		if c := get(r, "Condition"); c == nil || c.Value != "CreatePool" {
			t.Errorf("%s is not conditional on CreatePool", name)
		}
	}
	if v := get(pool, "Properties", "UsernameConfiguration", "CaseSensitive"); v == nil || v.Value != "false" {
		t.Error("the pool is not case-insensitive")
	}
	flows := scalars(get(client, "Properties", "ExplicitAuthFlows"))
	if !slices.Contains(flows, "ALLOW_USER_PASSWORD_AUTH") {
		t.Errorf("client flows %v lack ALLOW_USER_PASSWORD_AUTH", flows)
	}
	if v := get(client, "Properties", "PreventUserExistenceErrors"); v == nil || v.Value != "ENABLED" {
		t.Error("client PreventUserExistenceErrors is not ENABLED")
	}
}

func TestSAMRole(t *testing.T) {
	t.Parallel()
	tpl := loadTemplate(t, samTemplate)
	_, role := one(t, tpl.resourcesOfType("AWS::IAM::Role"), "role")
	if get(role, "Properties", "ManagedPolicyArns") != nil {
		t.Error("the role attaches managed policies; grant what the trigger needs inline")
	}
	statements := 0
	walk(role, func(n *yaml.Node) {
		action := get(n, "Action")
		if n.Kind != yaml.MappingNode || action == nil {
			return
		}
		statements++
		actions := scalars(action)
		onlyENI := true
		for _, a := range actions {
			if strings.Contains(a, "*") || !slices.Contains(iamActions, a) {
				t.Errorf("line %d: action %q is not on the allow-list", action.Line, a)
			}
			onlyENI = onlyENI && strings.HasPrefix(a, "ec2:")
		}
		if get(n, "NotAction") != nil || get(n, "NotResource") != nil {
			t.Errorf("line %d: NotAction/NotResource", n.Line)
		}
		if res := get(n, "Resource"); res != nil && slices.Contains(scalars(res), "*") && !onlyENI {
			t.Errorf("line %d: Resource \"*\" for %v", res.Line, actions)
		}
	})
	if statements < 5 {
		t.Errorf("found %d statements, want the trust policy, logs, secret, parameters, decrypt and vpc", statements)
	}
	// Each optional grant exists only under its condition.
	for policy, cond := range map[string]string{"secret": "HasSecret", "parameters": "HasParameters", "decrypt": "HasKmsKey", "vpc": "HasVpc"} {
		found := false
		walk(get(role, "Properties", "Policies"), func(n *yaml.Node) {
			if n.Tag == "!If" && len(n.Content) == 3 && n.Content[0].Value == cond {
				if name := get(n.Content[1], "PolicyName"); name != nil && name.Value == policy {
					found = true
				}
			}
		})
		if !found {
			t.Errorf("policy %s is not granted under !If %s", policy, cond)
		}
	}
}
