package config

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Loader parses configurations. Types maps a backend type name ("sql",
// "file", …) to a function returning a new, zero config value to decode
// into: a pointer to the backend's Config, which implements Validator.
type Loader struct {
	Types map[string]func() any
	// LookupEnv resolves ${VAR} (default os.LookupEnv).
	LookupEnv func(string) (string, bool)
	// ReadFile reads x_file secrets (default os.ReadFile).
	ReadFile func(string) ([]byte, error)
	// Secrets resolves ${aws-sm:…} and ${aws-ssm:…} references, given
	// the reference without ${} (see package secrets). When nil, such a
	// reference is an error.
	Secrets func(ref string) (string, error)
}

// ErrInvalid is wrapped by every error Load returns for a configuration
// it could read but not accept.
var ErrInvalid = errors.New("invalid configuration")

// Load parses data, expands it, checks every key, decodes it and validates
// it. The error lists every problem found, one per line.
func (l Loader) Load(data []byte) (*Config, error) {
	if l.LookupEnv == nil {
		l.LookupEnv = os.LookupEnv
	}
	if l.ReadFile == nil {
		l.ReadFile = os.ReadFile
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%w: empty document", ErrInvalid)
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%w: line %d: the document must be a mapping", ErrInvalid, root.Line)
	}
	w := &walker{l: l, refs: map[string][]string{}}
	w.walk(root, reflect.TypeFor[Config](), "")
	if len(w.errs) > 0 {
		// Decoding and validating a document with unknown keys or unset
		// variables would only repeat the same problems in other words.
		return nil, fmt.Errorf("%w:\n%w", ErrInvalid, errors.Join(w.errs...))
	}

	var cfg Config
	if err := root.Decode(&cfg); err != nil {
		w.errs = append(w.errs, decodeErrors(root, err)...)
	}
	for i, n := range backendConfigNodes(root) {
		if i >= len(cfg.Sources) {
			break
		}
		b := &cfg.Sources[i]
		newConfig, ok := l.Types[b.Type]
		if !ok {
			continue
		}
		b.Config = newConfig()
		if n == nil {
			continue // no config: Validate reports what is required
		}
		if err := n.Decode(b.Config); err != nil {
			w.errs = append(w.errs, decodeErrors(root, err)...)
		}
	}
	if len(w.errs) > 0 {
		return nil, fmt.Errorf("%w:\n%w", ErrInvalid, errors.Join(w.errs...))
	}
	if err := cfg.Validate(); err != nil {
		for _, e := range flatten(err) {
			w.errs = append(w.errs, located(root, e))
		}
	}
	if len(w.errs) > 0 {
		return nil, fmt.Errorf("%w:\n%w", ErrInvalid, errors.Join(w.errs...))
	}
	for i := range cfg.Sources {
		cfg.Sources[i].SecretRefs = w.refs[fmt.Sprintf("sources[%d]", i)]
	}
	cfg.Warnings = w.warnings
	return &cfg, nil
}

// backendConfigNodes returns, for each entry of sources, its config node
// (nil when absent).
func backendConfigNodes(root *yaml.Node) []*yaml.Node {
	seq := mapValue(root, "sources")
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, len(seq.Content))
	for i, item := range seq.Content {
		if item.Kind == yaml.MappingNode {
			out[i] = mapValue(item, "config")
		}
	}
	return out
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// walker expands, resolves x_file keys and checks keys against types,
// collecting every problem with its path.
type walker struct {
	l        Loader
	errs     []error
	warnings []string
	// refs holds the secret references used, by "sources[i]".
	refs map[string][]string
}

func (w *walker) fail(path string, n *yaml.Node, format string, args ...any) {
	w.errs = append(w.errs, fmt.Errorf("%s: %s (line %d)", strings.TrimPrefix(path, "."), fmt.Sprintf(format, args...), n.Line))
}

var (
	backendType     = reflect.TypeFor[Backend]()
	unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()
	varRef          = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)
)

func (w *walker) walk(n *yaml.Node, t reflect.Type, path string) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch n.Kind {
	case yaml.AliasNode:
		return // checked where the anchor is defined
	case yaml.ScalarNode:
		w.expand(n, path)
		return
	}
	if t == nil || t.Kind() == reflect.Interface || reflect.PointerTo(t).Implements(unmarshalerType) {
		w.expandAll(n, path)
		return
	}
	switch n.Kind {
	case yaml.SequenceNode:
		if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
			w.fail(path, n, "a list is not allowed here")
			return
		}
		for i, item := range n.Content {
			w.walk(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
		}
	case yaml.MappingNode:
		switch t.Kind() {
		case reflect.Map:
			for i := 0; i+1 < len(n.Content); i += 2 {
				w.expand(n.Content[i], path)
				w.walk(n.Content[i+1], t.Elem(), path+"."+n.Content[i].Value)
			}
		case reflect.Struct:
			w.walkStruct(n, t, path)
		default:
			w.fail(path, n, "a mapping is not allowed here")
		}
	}
}

func (w *walker) walkStruct(n *yaml.Node, t reflect.Type, path string) {
	fields := yamlFields(t)
	present := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		present[n.Content[i].Value] = true
	}
	var backendConfig reflect.Type
	if t == backendType {
		if tn := mapValue(n, "type"); tn != nil {
			w.expand(tn, path+".type")
			if newConfig, ok := w.l.Types[tn.Value]; ok {
				backendConfig = reflect.TypeOf(newConfig())
			} else {
				w.fail(path+".type", tn, "unknown source type %q (one of %s)", tn.Value, strings.Join(typeNames(w.l.Types), ", "))
			}
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		ft, known := fields[key]
		switch {
		case t == backendType && key == "config":
			if backendConfig != nil {
				w.walk(v, backendConfig, path+".config")
			}
			continue
		case key == "<<":
			continue
		case !known && strings.HasSuffix(key, "_file"):
			base := strings.TrimSuffix(key, "_file")
			bt, ok := fields[base]
			if ok && bt.Kind() == reflect.String {
				if present[base] {
					w.fail(path+"."+key, k, "set either %s or %s, not both", base, key)
					continue
				}
				w.readSecret(k, v, base, path+"."+key)
				continue
			}
		}
		if !known {
			w.fail(path+"."+key, k, "unknown field")
			continue
		}
		w.checkLiteralSecret(path+"."+key, key, v)
		w.walk(v, ft, path+"."+key)
	}
}

// readSecret turns `x_file: path` into `x: <content of path>`, trailing
// newlines trimmed (as secrets written by `echo` or mounted by Kubernetes
// and ECS carry one).
func (w *walker) readSecret(k, v *yaml.Node, base, path string) {
	w.expand(v, path)
	if v.Kind != yaml.ScalarNode || v.Value == "" {
		w.fail(path, v, "a file path is required")
		return
	}
	b, err := w.l.ReadFile(v.Value)
	if err != nil {
		w.fail(path, v, "%v", err)
		return
	}
	k.Value = base
	v.Value = strings.TrimRight(string(b), "\r\n")
	v.Tag, v.Style = "!!str", 0
}

func (w *walker) expandAll(n *yaml.Node, path string) {
	if n.Kind == yaml.ScalarNode {
		w.expand(n, path)
	}
	for _, c := range n.Content {
		w.expandAll(c, path)
	}
}

// expand replaces ${VAR} in one scalar. A plain scalar is re-resolved after
// expansion, so `port: ${PORT}` decodes into an int; a quoted one stays a
// string.
func (w *walker) expand(n *yaml.Node, path string) {
	if n.Kind != yaml.ScalarNode || !strings.Contains(n.Value, "${") {
		return
	}
	n.Value = secretRef.ReplaceAllStringFunc(n.Value, func(ref string) string {
		return w.resolveSecret(n, path, ref[2:len(ref)-1])
	})
	n.Value = varRef.ReplaceAllStringFunc(n.Value, func(ref string) string {
		name := ref[2 : len(ref)-1]
		v, ok := w.l.LookupEnv(name)
		if !ok {
			w.fail(path, n, "environment variable %s is not set", name)
		}
		return v
	})
	if n.Style == 0 {
		n.Tag = ""
	}
}

// yamlFields maps the YAML keys of struct t to their field types, following
// inlined structs.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range yamlFields(ft) {
					out[k] = v
				}
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

func typeNames(types map[string]func() any) []string {
	names := make([]string, 0, len(types))
	for k := range types {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}
