// Package exporttest reads Cognito user import files back, as Cognito's
// import takes them apart, so tests can check what package export wrote.
package exporttest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ferry-migrate/ferry/internal/export"
)

// ErrMalformed: an import file that Read cannot take apart.
var ErrMalformed = errors.New("malformed import file")

// Read parses an import file as Cognito's import does: a header line, then
// one record per line, values split at commas that no backslash escapes.
// Each record is returned as a map from column to value.
func Read(r io.Reader) (header []string, records []map[string]string, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4*export.MaxRowChars+1)
	line := 0
	for sc.Scan() {
		line++
		values := Split(sc.Text())
		if header == nil {
			header = values
			continue
		}
		if len(values) != len(header) {
			return nil, nil, fmt.Errorf("%w: line %d has %d values, the header %d", ErrMalformed, line, len(values), len(header))
		}
		rec := make(map[string]string, len(header))
		for i, c := range header {
			rec[c] = values[i]
		}
		records = append(records, rec)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, err
	}
	if header == nil {
		return nil, nil, fmt.Errorf("%w: no header", ErrMalformed)
	}
	return header, records, nil
}

// Split splits one line (without its newline) at unescaped commas and
// unescapes "\," in the values; it is export.Line's inverse.
func Split(line string) []string {
	var out []string
	var b strings.Builder
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line) && line[i+1] == ',':
			b.WriteByte(',')
			i++
		case line[i] == ',':
			out = append(out, b.String())
			b.Reset()
		default:
			b.WriteByte(line[i])
		}
	}
	return append(out, b.String())
}
