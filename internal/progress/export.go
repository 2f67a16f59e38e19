package progress

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/config"
	"github.com/ferry-migrate/ferry/internal/export"
	"github.com/ferry-migrate/ferry/internal/source"
)

// ErrIncomplete: some source could not be listed; the report says which.
var ErrIncomplete = errors.New("export incomplete: some sources cannot list their users")

// examplesPerReason is how many legacy ids the report shows per skip reason;
// the counts are complete.
const examplesPerReason = 10

// ErrExists: the import file is there already; --force overwrites.
var ErrExists = errors.New("already exists; pass --force to overwrite it, or choose another --out")

// NothingExported is the note said when no legacy user was left to
// export. It is an outcome, not a failure — the command exits 0 and writes no file — but it is said,
// so an empty result is never mistaken for a written one.
const NothingExported = "nothing to export: every listed legacy user is migrated, disabled or skipped; no file was written"

// ExportReport says what Export wrote and what it left out, and why.
type ExportReport struct {
	Files    []string `json:"files"`
	Header   []string `json:"header"`
	Exported int      `json:"exported"`
	// Listed counts the legacy users read; Migrated those marked, InPool
	// those found in the pool, Disabled those disabled in the legacy
	// directory, Duplicate those an earlier source already exported.
	Listed   int `json:"listed"`
	Migrated int `json:"migrated"`
	// MarkedAbsent counts, with --user-pool-id, the exported users that
	// were marked migrated although the pool does not hold them.
	MarkedAbsent int `json:"marked_absent"`
	InPool       int `json:"in_pool"`
	Disabled     int `json:"disabled"`
	Duplicate    int `json:"duplicate"`
	// Skipped counts users Cognito could not import, by reason, with up to
	// examplesPerReason legacy ids each in Examples.
	Skipped  map[string]int      `json:"skipped"`
	Examples map[string][]string `json:"examples,omitempty"`
	// Dropped counts the attributes the trigger would set that the header
	// has no column for.
	Dropped map[string]int `json:"dropped,omitempty"`
	// Unmarked names the sources whose write-back marks could not be read.
	Unmarked map[string]string `json:"unmarked,omitempty"`
	// Unlisted says which sources could not be exported at all.
	Unlisted []string `json:"unlisted,omitempty"`
	// Note says that the marks are optimistic (without --user-pool-id) or
	// that nothing was exported.
	Notes []string `json:"notes,omitempty"`
}

// ExportOptions say where and how Export writes.
type ExportOptions struct {
	// Out is the import file; further parts go beside it (export.PartPath).
	Out string
	// Force overwrites existing files; without it an existing file is an
	// error (ErrExists) before any source is read.
	Force  bool
	Limits export.Limits
}

// Export writes every legacy user of cfg's sources who has not migrated as
// a Cognito user import file. With a pool, the pool is the truth and gives
// the header; without it, users marked migrated are left out. The report
// is returned with the error when some of it was done; ErrIncomplete says
// that some sources could not be listed (the others were written).
func Export(ctx context.Context, cfg *config.Config, logger *slog.Logger, pool *Pool, o ExportOptions) (*ExportReport, error) {
	header := export.StandardHeader
	var idx *poolIndex
	mfa := false
	if pool != nil {
		h, err := pool.API.GetCSVHeader(ctx, &cip.GetCSVHeaderInput{UserPoolId: aws.String(pool.ID)})
		if err != nil {
			return nil, fmt.Errorf("pool %s: get csv header: %w", pool.ID, err)
		}
		header = h.CSVHeader
		d, err := pool.API.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool.ID)})
		if err != nil {
			return nil, fmt.Errorf("pool %s: describe: %w", pool.ID, err)
		}
		mfa = d.UserPool.MfaConfiguration == types.UserPoolMfaTypeOn
		if idx, err = pool.read(ctx, cfg.Migration); err != nil {
			return nil, err
		}
	}
	mapper, err := export.NewMapper(cfg.Migration, header)
	if err != nil {
		return nil, err
	}
	mapper.RequireMFA(mfa)
	r := &ExportReport{Header: mapper.Header(), Files: []string{}, Skipped: map[string]int{},
		Examples: map[string][]string{}, Dropped: map[string]int{}, Unmarked: map[string]string{}}
	if idx == nil {
		r.Notes = append(r.Notes, MarksOptimistic)
	}
	flags := os.O_CREATE | os.O_WRONLY | os.O_EXCL
	if o.Force {
		flags = os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	} else if _, err := os.Lstat(o.Out); err == nil {
		// Said before any source is read; a later part that exists fails
		// when it is opened, O_EXCL.
		return nil, fmt.Errorf("--out %s: %w", o.Out, ErrExists)
	}
	w := export.NewWriter(mapper.Header(), func(part int) (io.WriteCloser, error) {
		path := export.PartPath(o.Out, part)
		f, err := os.OpenFile(path, flags, 0o600)
		if errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("%s: %w", path, ErrExists)
		}
		if err == nil {
			r.Files = append(r.Files, path)
		}
		return f, err
	}, o.Limits)
	exported := map[string]bool{}
	for _, b := range cfg.Sources {
		err := exportSource(ctx, b, logger, mapper, idx, w, exported, r)
		switch {
		case unlisted(err):
			// The other sources are still exported; the command fails at
			// the end so the gap cannot go unnoticed.
			r.Unlisted = append(r.Unlisted, err.Error())
		case err != nil:
			w.Close()
			return r, err
		}
	}
	if err := w.Close(); err != nil {
		return r, err
	}
	r.Exported = w.Rows()
	if r.Exported == 0 {
		r.Notes = append(r.Notes, NothingExported)
	}
	if len(r.Unlisted) > 0 {
		return r, ErrIncomplete
	}
	return r, nil
}

// exportSource writes one source's remaining users.
func exportSource(ctx context.Context, b config.Backend, logger *slog.Logger, m *export.Mapper, idx *poolIndex,
	w *export.Writer, exported map[string]bool, r *ExportReport) error {
	l, err := openListing(ctx, b, logger)
	if err != nil {
		return err
	}
	defer l.close()
	if !l.counts.Marked {
		r.Unmarked[b.Name] = l.counts.MarksReason
	}
	return l.List(ctx, func(e source.Entry) error {
		r.Listed++
		if e.Migrated {
			r.Migrated++
		}
		switch {
		case idx == nil && e.Migrated:
			// Without the pool, the mark is all there is to go on.
			return nil
		case idx != nil:
			// The pool is the truth, whatever the mark says.
			if _, found := idx.find(m, e.User); found {
				r.InPool++
				return nil
			}
		}
		if e.Disabled {
			r.Disabled++
			return nil
		}
		row, err := m.Row(e.User)
		if err != nil {
			var se *export.SkipError
			if !errors.As(err, &se) {
				return err
			}
			reason := skipReason(se.Err)
			r.Skipped[reason]++
			if len(r.Examples[reason]) < examplesPerReason {
				r.Examples[reason] = append(r.Examples[reason], b.Name+"/"+e.User.ID)
			}
			return nil
		}
		name := row.Record[slices.Index(m.Header(), export.ColumnUsername)]
		if exported[name] {
			// The trigger asks the sources in order: the first one's user
			// is the one who would have migrated.
			r.Duplicate++
			return nil
		}
		if err := w.Write(row.Record); err != nil {
			if errors.Is(err, export.ErrRowTooLong) {
				r.Skipped["row too long"]++
				return nil
			}
			return err
		}
		exported[name] = true
		if e.Migrated {
			r.MarkedAbsent++
		}
		for _, a := range row.Dropped {
			r.Dropped[a]++
		}
		return nil
	})
}

func skipReason(err error) string {
	switch {
	case errors.Is(err, export.ErrNoVerifiedChannel):
		return "no verified email or phone number"
	case errors.Is(err, export.ErrBadUsername):
		return "no username cognito accepts"
	case errors.Is(err, export.ErrNoMFAPhone):
		return "mfa required by the pool and no phone number"
	case errors.Is(err, export.ErrUnencodable):
		return "a value the import file cannot hold"
	}
	return err.Error()
}

// PrintExport writes r for a person to read.
func PrintExport(w io.Writer, r *ExportReport) {
	fmt.Fprintf(w, "listed %d legacy users: %d marked migrated, %d already in the pool, %d disabled, %d duplicate\n",
		r.Listed, r.Migrated, r.InPool, r.Disabled, r.Duplicate)
	if r.MarkedAbsent > 0 {
		fmt.Fprintf(w, "exported %d users marked migrated whom the pool does not hold\n", r.MarkedAbsent)
	}
	for _, name := range slices.Sorted(maps.Keys(r.Unmarked)) {
		fmt.Fprintf(w, "source %s: no migration marks (%s); only the pool tells who migrated\n", name, r.Unmarked[name])
	}
	for _, reason := range slices.Sorted(maps.Keys(r.Skipped)) {
		fmt.Fprintf(w, "skipped %d: %s", r.Skipped[reason], reason)
		if ex := r.Examples[reason]; len(ex) > 0 {
			fmt.Fprintf(w, " (e.g. %v)", ex)
		}
		fmt.Fprintln(w)
	}
	for _, a := range slices.Sorted(maps.Keys(r.Dropped)) {
		fmt.Fprintf(w, "attribute %s left out of %d rows: the pool has no such column\n", a, r.Dropped[a])
	}
	for _, u := range r.Unlisted {
		fmt.Fprintf(w, "NOT EXPORTED: %s\n", u)
	}
	fmt.Fprintf(w, "exported %d users to %d file(s)", r.Exported, len(r.Files))
	for _, f := range r.Files {
		fmt.Fprintf(w, " %s", f)
	}
	fmt.Fprintln(w)
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
}
