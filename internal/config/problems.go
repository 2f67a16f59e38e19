package config

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Every problem Load reports reads "path: what is wrong (line N)", the path
// in the docs' notation (sources[0].config.path) and N the line of the
// YAML document where the key is, or would go.

// decodeErrors turns a yaml decoding error into problems in that form,
// naming the kind of value the key takes instead of a Go type.
func decodeErrors(root *yaml.Node, err error) []error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return []error{err}
	}
	out := make([]error, 0, len(te.Errors))
	for _, msg := range te.Errors {
		out = append(out, decodeProblem(root, msg))
	}
	return out
}

var (
	yamlLine      = regexp.MustCompile(`^line (\d+): (.*)$`)
	yamlUnmarshal = regexp.MustCompile("^cannot unmarshal !!(\\w+)(?: `(.*)`)? into (.+)$")
)

func decodeProblem(root *yaml.Node, msg string) error {
	m := yamlLine.FindStringSubmatch(msg)
	if m == nil {
		return errors.New(msg)
	}
	line, _ := strconv.Atoi(m[1])
	text := m[2]
	if u := yamlUnmarshal.FindStringSubmatch(text); u != nil {
		got := "a " + map[string]string{"map": "mapping", "seq": "list"}[u[1]]
		if u[2] != "" || got == "a " {
			got = strconv.Quote(u[2])
		}
		text = fmt.Sprintf("must be %s, not %s", kindOf(u[3]), got)
	}
	if path := pathAtLine(root, line, ""); path != "" {
		return fmt.Errorf("%s: %s (line %d)", path, text, line)
	}
	return fmt.Errorf("line %d: %s", line, text)
}

// kindOf names, in the docs' terms, the kind of value a Go type holds.
func kindOf(goType string) string {
	switch {
	case goType == "time.Duration":
		return "a duration such as 500ms, 30s or 5m"
	case goType == "bool":
		return "true or false"
	case goType == "string":
		return "a text value"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "a whole number"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case strings.HasPrefix(goType, "[]"):
		return "a list"
	default:
		return "a mapping"
	}
}

// pathAtLine returns the path of the deepest value that starts on line.
func pathAtLine(n *yaml.Node, line int, path string) string {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := strings.TrimPrefix(path+"."+k.Value, ".")
			if found := pathAtLine(v, line, p); found != "" {
				return found
			}
			if k.Line == line || v.Line == line && v.Kind == yaml.ScalarNode {
				return p
			}
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			if found := pathAtLine(item, line, p); found != "" {
				return found
			}
			if item.Line == line && item.Kind == yaml.ScalarNode {
				return p
			}
		}
	}
	return ""
}

// problemPath matches the path that starts a validation problem.
var problemPath = regexp.MustCompile(`^([a-z][a-z0-9_]*(?:\[\d+\])?(?:\.[a-z][a-z0-9_]*(?:\[\d+\])?)*): `)

// joinPath prefixes a problem with path: "sources[0].config" and
// "path: required" make "sources[0].config.path: required", and
// "sources[0].name" and "required" make "sources[0].name: required".
func joinPath(path string, err error) error {
	if problemPath.MatchString(err.Error()) {
		return fmt.Errorf("%s.%w", path, err)
	}
	return fmt.Errorf("%s: %w", path, err)
}

// located appends the YAML line of the key a validation problem names.
func located(root *yaml.Node, err error) error {
	m := problemPath.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	if line := lineOf(root, m[1]); line > 0 {
		return fmt.Errorf("%w (line %d)", err, line)
	}
	return err
}

var pathSegment = regexp.MustCompile(`[a-z][a-z0-9_]*|\[\d+\]`)

// lineOf returns the line of the key at path, or of its nearest ancestor
// present in the document (0 when none is).
func lineOf(root *yaml.Node, path string) int {
	n, line := root, 0
	for _, seg := range pathSegment.FindAllString(path, -1) {
		if strings.HasPrefix(seg, "[") {
			i, _ := strconv.Atoi(strings.Trim(seg, "[]"))
			if n.Kind != yaml.SequenceNode || i >= len(n.Content) {
				return line
			}
			n = n.Content[i]
			line = n.Line
			continue
		}
		if n.Kind != yaml.MappingNode {
			return line
		}
		found := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == seg {
				line, n, found = n.Content[i].Line, n.Content[i+1], true
				break
			}
		}
		if !found {
			return line
		}
	}
	return line
}
