// Package emftest parses and checks CloudWatch Embedded Metric Format
// lines against the EMF specification's rules, for tests of everything
// that writes them (the trigger, the Lambda binary, the local pool).
package emftest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// units CloudWatch accepts (the StandardUnit enumeration).
var units = []string{
	"Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
	"Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second",
	"Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second",
	"Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
}

// Line is one parsed EMF line.
type Line struct {
	Timestamp  int64
	Directives []Directive
	// Members holds the root's members other than _aws.
	Members map[string]any
}

// Directive is one MetricDirective.
type Directive struct {
	Namespace  string
	Dimensions [][]string
	Metrics    []Metric
}

// Metric is one MetricDefinition.
type Metric struct{ Name, Unit string }

// Value returns the numeric value of the member name.
func (l Line) Value(name string) (float64, bool) {
	v, ok := l.Members[name].(float64)
	return v, ok
}

// Dim returns the string value of dimension member name.
func (l Line) Dim(name string) string {
	s, _ := l.Members[name].(string)
	return s
}

// Metric returns the directive that declares metric name.
func (l Line) Metric(name string) (Directive, Metric, bool) {
	for _, d := range l.Directives {
		for _, m := range d.Metrics {
			if m.Name == name {
				return d, m, true
			}
		}
	}
	return Directive{}, Metric{}, false
}

// ErrNotEMF: the line is JSON but has no _aws member (an ordinary log line).
var ErrNotEMF = errors.New("not an EMF line")

// Parse checks one line against the specification: a JSON object with
// _aws {Timestamp (ms), CloudWatchMetrics [{Namespace, Dimensions,
// Metrics [{Name, Unit}]}]}, every dimension key a string member of the
// root, every metric a numeric member (or array of numbers), at most 30
// dimensions per set and 100 metrics per directive.
func Parse(b []byte) (Line, error) {
	var root map[string]json.RawMessage
	if err := json.Unmarshal(b, &root); err != nil {
		return Line{}, fmt.Errorf("not a JSON object: %w", err)
	}
	raw, ok := root["_aws"]
	if !ok {
		return Line{}, ErrNotEMF
	}
	var meta struct {
		Timestamp         *int64 `json:"Timestamp"`
		CloudWatchMetrics []struct {
			Namespace  *string     `json:"Namespace"`
			Dimensions *[][]string `json:"Dimensions"`
			Metrics    []struct {
				Name *string `json:"Name"`
				Unit string  `json:"Unit"`
			} `json:"Metrics"`
		} `json:"CloudWatchMetrics"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&meta); err != nil {
		return Line{}, fmt.Errorf("_aws: %w", err)
	}
	if meta.Timestamp == nil || *meta.Timestamp <= 0 {
		return Line{}, errors.New("_aws.Timestamp: required, milliseconds since the epoch")
	}
	if len(meta.CloudWatchMetrics) == 0 {
		return Line{}, errors.New("_aws.CloudWatchMetrics: at least one directive is required")
	}
	l := Line{Timestamp: *meta.Timestamp, Members: map[string]any{}}
	for k, v := range root {
		if k == "_aws" {
			continue
		}
		var x any
		if err := json.Unmarshal(v, &x); err != nil {
			return Line{}, err
		}
		l.Members[k] = x
	}
	for i, d := range meta.CloudWatchMetrics {
		p := fmt.Sprintf("_aws.CloudWatchMetrics[%d]", i)
		if d.Namespace == nil || *d.Namespace == "" || len(*d.Namespace) > 256 {
			return Line{}, fmt.Errorf("%s.Namespace: required, 1 to 256 characters", p)
		}
		if d.Dimensions == nil {
			return Line{}, fmt.Errorf("%s.Dimensions: required", p)
		}
		if len(d.Metrics) == 0 || len(d.Metrics) > 100 {
			return Line{}, fmt.Errorf("%s.Metrics: 1 to 100 metrics", p)
		}
		dir := Directive{Namespace: *d.Namespace, Dimensions: *d.Dimensions}
		for j, set := range *d.Dimensions {
			if len(set) > 30 {
				return Line{}, fmt.Errorf("%s.Dimensions[%d]: more than 30 dimensions", p, j)
			}
			for _, k := range set {
				if _, ok := l.Members[k].(string); !ok {
					return Line{}, fmt.Errorf("%s.Dimensions[%d]: %q is not a string member of the root", p, j, k)
				}
			}
		}
		for j, m := range d.Metrics {
			if m.Name == nil || *m.Name == "" {
				return Line{}, fmt.Errorf("%s.Metrics[%d].Name: required", p, j)
			}
			if m.Unit != "" && !slices.Contains(units, m.Unit) {
				return Line{}, fmt.Errorf("%s.Metrics[%d].Unit: %q is not a CloudWatch unit", p, j, m.Unit)
			}
			if !numeric(l.Members[*m.Name]) {
				return Line{}, fmt.Errorf("%s.Metrics[%d]: %q is not a numeric member of the root", p, j, *m.Name)
			}
			dir.Metrics = append(dir.Metrics, Metric{Name: *m.Name, Unit: m.Unit})
		}
		l.Directives = append(l.Directives, dir)
	}
	return l, nil
}

func numeric(v any) bool {
	switch x := v.(type) {
	case float64:
		return true
	case []any:
		for _, e := range x {
			if _, ok := e.(float64); !ok {
				return false
			}
		}
		return len(x) > 0 && len(x) <= 100
	}
	return false
}

// Lines parses every EMF line in out (a log stream that may interleave
// ordinary JSON or text lines, which are skipped). A line with _aws that
// breaks the specification is an error.
func Lines(out []byte) ([]Line, error) {
	var lines []Line
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		b := bytes.TrimSpace(sc.Bytes())
		if !bytes.Contains(b, []byte(`"_aws"`)) {
			continue
		}
		l, err := Parse(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", b, err)
		}
		lines = append(lines, l)
	}
	return lines, sc.Err()
}
