package cli

import (
	"context"
	"encoding/json"
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
	"github.com/spf13/cobra"

	"github.com/ferry-migrate/ferry/internal/config"
	"github.com/ferry-migrate/ferry/internal/export"
	"github.com/ferry-migrate/ferry/internal/setup"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/sqlsource"
)

// errExportIncomplete: some source could not be listed; the report says which.
var errExportIncomplete = errors.New("export incomplete: some sources cannot list their users")

// exportExamples is how many legacy ids the report shows per skip reason;
// the counts are complete.
const exportExamples = 10

// errExportExists: the import file is there already; --force overwrites.
var errExportExists = errors.New("already exists; pass --force to overwrite it, or choose another --out")

// nothingExported: no legacy user was left to export. It is an outcome,
// not a failure — the command exits 0 and writes no file — but it is said,
// so an empty result is never mistaken for a written one.
const nothingExported = "nothing to export: every listed legacy user is migrated, disabled or skipped; no file was written"

func newExportCmd(env Env) *cobra.Command {
	var pool poolOpts
	var opts struct {
		config, out string
		json, force bool
		limits      export.Limits
	}
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write the users who never migrated as a Cognito CSV import file",
		Long: `Write every legacy user who has not migrated as a Cognito user import file,
for the last step of a migration: a user import job creates them in
RESET_REQUIRED and they choose a new password at their next sign-in. No
password or hash is written; the file holds personal data (mode 0600).

With --user-pool-id the pool is the truth: every legacy user the pool does
not hold is exported, marked migrated or not, and the report says how many
of them were marked. Without it, users marked by the write-back are left
out, and the marks are optimistic: the trigger marks a user when it answers,
before Cognito stores them.

An existing file is not overwritten unless --force is given. When no user is
left to export, the command says so, writes no file and exits 0.

Rows carry the attributes the trigger would return under the configured
migration policy, cognito:username by the pool mode and cognito:mfa_enabled
false (true when the pool's MFA is ON). With --user-pool-id the header is the pool's (GetCSVHeader), so
custom attributes are kept; without it, Cognito's standard columns. Users
who are disabled in the legacy directory, have neither a verified email nor
a verified phone number, or have no username Cognito accepts are skipped
and counted. Files split at 500,000 rows or 100 MB (users.csv,
users-2.csv, …), one import job each.`,
		Example: `  ferry export --config ferry.yaml --out users.csv
  ferry export --config ferry.yaml --out users.csv --user-pool-id eu-west-1_AbCdEf123`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.config == "" || opts.out == "" {
				return errors.New("--config and --out are required")
			}
			if pool.maxUsers < 1 {
				return fmt.Errorf("--max-pool-users %d: want at least 1", pool.maxUsers)
			}
			r, err := runExport(cmd.Context(), env, opts.config, opts.out, &pool, opts.limits, opts.force)
			if r != nil {
				if opts.json {
					if err := json.NewEncoder(env.Stdout).Encode(r); err != nil {
						return err
					}
				} else {
					printExport(env.Stdout, r)
				}
			}
			return err
		},
	}
	cmd.Flags().StringVarP(&opts.config, "config", "c", "", "configuration file (required)")
	cmd.Flags().StringVarP(&opts.out, "out", "o", "", "the import file to write (required); further parts go beside it")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the report as JSON")
	cmd.Flags().BoolVar(&opts.force, "force", false, "overwrite existing import files")
	cmd.Flags().IntVar(&opts.limits.Rows, "max-rows", export.MaxRows, "most users per file (Cognito: 500,000)")
	cmd.Flags().Int64Var(&opts.limits.Bytes, "max-bytes", export.MaxBytes, "largest file in bytes (Cognito: 100 MB)")
	pool.register(cmd)
	return cmd
}

// exportReport is what ferry export prints.
type exportReport struct {
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
	// exportExamples legacy ids each in Examples.
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

func runExport(ctx context.Context, env Env, configPath, out string, pool *poolOpts, limits export.Limits, force bool) (*exportReport, error) {
	cfg, err := setup.LoadFile(configPath)
	if err != nil {
		return nil, err
	}
	logger := setup.NewLogger(cliLog(cfg.Log), env.Stderr)
	header := export.StandardHeader
	var idx *poolIndex
	mfa := false
	if pool.poolID != "" {
		api, err := pool.client(ctx)
		if err != nil {
			return nil, err
		}
		h, err := api.GetCSVHeader(ctx, &cip.GetCSVHeaderInput{UserPoolId: aws.String(pool.poolID)})
		if err != nil {
			return nil, fmt.Errorf("pool %s: get csv header: %w", pool.poolID, err)
		}
		header = h.CSVHeader
		d, err := api.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(pool.poolID)})
		if err != nil {
			return nil, fmt.Errorf("pool %s: describe: %w", pool.poolID, err)
		}
		mfa = d.UserPool.MfaConfiguration == types.UserPoolMfaTypeOn
		if idx, err = readPool(ctx, api, pool.poolID, pool.maxUsers, env.Stderr); err != nil {
			return nil, err
		}
		idx.matchEmail = policyMatchesEmail(cfg.Migration.WithDefaults())
	}
	mapper, err := export.NewMapper(cfg.Migration, header)
	if err != nil {
		return nil, err
	}
	mapper.RequireMFA(mfa)
	r := &exportReport{Header: mapper.Header(), Files: []string{}, Skipped: map[string]int{},
		Examples: map[string][]string{}, Dropped: map[string]int{}, Unmarked: map[string]string{}}
	if idx == nil {
		r.Notes = append(r.Notes, marksOptimistic)
	}
	flags := os.O_CREATE | os.O_WRONLY | os.O_EXCL
	if force {
		flags = os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	} else if _, err := os.Lstat(out); err == nil {
		// Said before any source is read; a later part that exists fails
		// when it is opened, O_EXCL.
		return nil, fmt.Errorf("--out %s: %w", out, errExportExists)
	}
	w := export.NewWriter(mapper.Header(), func(part int) (io.WriteCloser, error) {
		path := export.PartPath(out, part)
		f, err := os.OpenFile(path, flags, 0o600)
		if errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("%s: %w", path, errExportExists)
		}
		if err == nil {
			r.Files = append(r.Files, path)
		}
		return f, err
	}, limits)
	exported := map[string]bool{}
	for _, b := range cfg.Sources {
		err := exportSource(ctx, b, logger, mapper, idx, w, exported, r)
		switch {
		case errors.Is(err, errUnlisted) || errors.Is(err, sqlsource.ErrNoListing):
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
		r.Notes = append(r.Notes, nothingExported)
	}
	if len(r.Unlisted) > 0 {
		return r, errExportIncomplete
	}
	return r, nil
}

// exportSource writes one source's remaining users.
func exportSource(ctx context.Context, b config.Backend, logger *slog.Logger, m *export.Mapper, idx *poolIndex,
	w *export.Writer, exported map[string]bool, r *exportReport) error {
	s, err := setup.OpenSource(ctx, b, logger)
	if err != nil {
		return err
	}
	defer source.Close(s)
	l, err := lister(s, b)
	if err != nil {
		return err
	}
	c, err := l.Count(ctx)
	if err != nil {
		return err
	}
	if !c.Marked {
		r.Unmarked[b.Name] = c.MarksReason
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
			if len(r.Examples[reason]) < exportExamples {
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

func printExport(w io.Writer, r *exportReport) {
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
