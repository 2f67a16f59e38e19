package export

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Cognito's limits on one import file.
const (
	// MaxRows is the most users one import job takes (header excluded).
	MaxRows = 500_000
	// MaxBytes is the largest file one import job takes: 100 MB.
	MaxBytes = 100 << 20
	// MaxRowChars is the longest row the import accepts.
	MaxRowChars = 16_000
)

// ErrRowTooLong: a row is longer than MaxRowChars characters.
var ErrRowTooLong = errors.New("row longer than cognito accepts")

// Limits bound each file a Writer makes; zero fields take Cognito's limits.
type Limits struct {
	Rows  int
	Bytes int64
}

// Writer writes rows under a header into as many files as the limits need.
// It is not safe for concurrent use.
type Writer struct {
	header string
	create func(part int) (io.WriteCloser, error)
	limits Limits

	f     io.WriteCloser
	buf   *bufio.Writer
	rows  int
	bytes int64
	parts int
	total int
}

// NewWriter returns a Writer that opens file number part (1, 2, …) with
// create when it needs one; no file is made until the first row.
func NewWriter(header []string, create func(part int) (io.WriteCloser, error), l Limits) *Writer {
	if l.Rows <= 0 || l.Rows > MaxRows {
		l.Rows = MaxRows
	}
	if l.Bytes <= 0 || l.Bytes > MaxBytes {
		l.Bytes = MaxBytes
	}
	return &Writer{header: Line(header), create: create, limits: l}
}

// Line encodes one record: values joined by commas, each comma inside a
// value escaped with a backslash, as Cognito's import reads it; a newline
// ends it. Callers pass values without line breaks or double quotes
// (Mapper.Row refuses those).
func Line(record []string) string {
	var b strings.Builder
	for i, v := range record {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strings.ReplaceAll(v, ",", `\,`))
	}
	b.WriteByte('\n')
	return b.String()
}

// Write adds one record, starting a new file when the current one would
// pass a limit.
func (w *Writer) Write(record []string) error {
	line := Line(record)
	if utf8.RuneCountInString(line)-1 > MaxRowChars {
		return ErrRowTooLong
	}
	n := int64(len(line))
	if int64(len(w.header))+n > w.limits.Bytes {
		return fmt.Errorf("%w: %d bytes with the header, over the file limit", ErrRowTooLong, int64(len(w.header))+n)
	}
	if w.f == nil || w.rows >= w.limits.Rows || w.bytes+n > w.limits.Bytes {
		if err := w.next(); err != nil {
			return err
		}
	}
	if _, err := w.buf.WriteString(line); err != nil {
		return err
	}
	w.rows++
	w.total++
	w.bytes += n
	return nil
}

// next closes the current file and starts the next one with the header.
func (w *Writer) next() error {
	if err := w.closeFile(); err != nil {
		return err
	}
	f, err := w.create(w.parts + 1)
	if err != nil {
		return err
	}
	w.parts++
	w.f, w.buf = f, bufio.NewWriterSize(f, 64<<10)
	w.rows, w.bytes = 0, int64(len(w.header))
	_, err = w.buf.WriteString(w.header)
	return err
}

func (w *Writer) closeFile() error {
	if w.f == nil {
		return nil
	}
	f := w.f
	w.f = nil
	if err := w.buf.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Close flushes and closes the last file.
func (w *Writer) Close() error { return w.closeFile() }

// Rows is the number of records written so far, across files.
func (w *Writer) Rows() int { return w.total }

// PartPath names file number part of an export to path: path itself for
// the first, then "users-2.csv", "users-3.csv" … beside it.
func PartPath(path string, part int) string {
	if part <= 1 {
		return path
	}
	ext := ""
	if i := strings.LastIndexByte(path, '.'); i > strings.LastIndexByte(path, '/') {
		path, ext = path[:i], path[i:]
	}
	return fmt.Sprintf("%s-%d%s", path, part, ext)
}
