package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/spf13/cobra"

	"github.com/ferry-migrate/ferry/internal/config"
	"github.com/ferry-migrate/ferry/internal/export"
	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/setup"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/sqlsource"
)

// Bounds of the pool scan and of --watch.
const (
	// defaultMaxPoolUsers stops a pool scan that would run for hours: at
	// 60 users a page and Cognito's default 30 ListUsers requests per
	// second (shared with everything else calling it), two million users
	// take about 20 minutes.
	defaultMaxPoolUsers = 2_000_000
	// poolProgressEvery is how often (in users) a pool scan reports progress.
	poolProgressEvery = 6_000
	// defaultWatchCount bounds --watch when --count is not given.
	defaultWatchCount = 60
	// statusSourceTimeout bounds the work on one source for one report.
	statusSourceTimeout = 10 * time.Minute
	// maxMarkedAbsentNames bounds the names of marked-but-absent users a
	// report lists per source (the count is complete): enough to act on,
	// flat in memory if a whole directory was marked by mistake.
	maxMarkedAbsentNames = 1000
)

// marksOptimistic is what status and export say when they cannot compare
// the marks with the pool: a trigger writes its mark when it answers, and
// cannot see whether Cognito then stored the user.
const marksOptimistic = "marks are optimistic: the trigger marks a user when it answers, before Cognito stores them; give --user-pool-id to check the marks against the pool"

// errUnlisted: a source of a type that cannot list its users (HTTP, Cognito).
var errUnlisted = errors.New("this type of source cannot list its users")

// lister returns s as a source.Lister, or errUnlisted.
func lister(s source.Source, b config.Backend) (source.Lister, error) {
	l, ok := source.As[source.Lister](s)
	if !ok {
		return nil, fmt.Errorf("source %s (%s): %w", b.Name, b.Type, errUnlisted)
	}
	return l, nil
}

// errStatusFailed is returned when a source could not be read; the report
// says which.
var errStatusFailed = errors.New("status incomplete")

// poolOpts are the pool flags status and export share: the pool is optional.
type poolOpts struct {
	poolFlags
	maxUsers int
}

func (p *poolOpts) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&p.poolID, "user-pool-id", "", "the target user pool, to count who is already in it")
	cmd.Flags().StringVar(&p.endpoint, "endpoint-url", "", "Cognito API endpoint, e.g. http://127.0.0.1:9229 for ferry serve (default: AWS)")
	cmd.Flags().StringVar(&p.region, "region", "", "AWS region (default: the AWS configuration's, else the pool ID's)")
	cmd.Flags().IntVar(&p.maxUsers, "max-pool-users", defaultMaxPoolUsers, "stop reading the pool after this many users")
}

func newStatusCmd(env Env) *cobra.Command {
	var pool poolOpts
	var opts struct {
		config string
		json   bool
		watch  time.Duration
		count  int
	}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show how far the migration has come, per source",
		Long: `Count, for each legacy source, its users, those marked migrated by the
write-back, and those remaining. Marks alone are optimistic: the trigger
writes one when it answers, and cannot see whether Cognito then stored the
user.

With --user-pool-id, the pool is the truth: read it (ListUsers, 60 users a
page, one pass whatever the number of marks) and count a legacy user as
migrated only when the pool holds them, so progress shows even without a
write-back. Users marked migrated whom the pool does not hold are reported
as marked but absent (their legacy ids and usernames with --json, up to
1,000 a source): ferry export --user-pool-id exports them.

With --watch, the report is repeated every interval, --count times.`,
		Example: `  ferry status --config ferry.yaml
  ferry status --config ferry.yaml --user-pool-id eu-west-1_AbCdEf123 --json
  ferry status --config ferry.yaml --watch 1m --count 30`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.config == "" {
				return errors.New("--config is required")
			}
			if opts.watch < 0 {
				return fmt.Errorf("--watch %s: want a positive interval", opts.watch)
			}
			if pool.maxUsers < 1 {
				return fmt.Errorf("--max-pool-users %d: want at least 1", pool.maxUsers)
			}
			n := 1
			if opts.watch > 0 {
				n = defaultWatchCount
				if cmd.Flags().Changed("count") {
					n = opts.count
				}
				if n < 1 {
					return fmt.Errorf("--count %d: want at least 1", n)
				}
			}
			return watchStatus(cmd.Context(), env, opts.config, &pool, opts.json, opts.watch, n)
		},
	}
	cmd.Flags().StringVarP(&opts.config, "config", "c", "", "configuration file (required)")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the report as JSON")
	cmd.Flags().DurationVar(&opts.watch, "watch", 0, "repeat the report at this interval")
	cmd.Flags().IntVar(&opts.count, "count", defaultWatchCount, "with --watch, the number of reports")
	pool.register(cmd)
	return cmd
}

// statusReport is what ferry status prints.
type statusReport struct {
	At time.Time `json:"at"`
	// Note says, without a pool, that the marks are optimistic.
	Note    string         `json:"note,omitempty"`
	Sources []sourceStatus `json:"sources"`
	Pool    *poolStatus    `json:"pool,omitempty"`
}

// sourceStatus is one source's progress.
type sourceStatus struct {
	Name string `json:"name"`
	Type string `json:"type"`
	// Total counts the legacy users, disabled ones included.
	Total int `json:"total"`
	// Marked says whether the write-back marks were read; MarksNote says
	// why not.
	Marked    bool   `json:"marked"`
	MarksNote string `json:"marks_note,omitempty"`
	// MarkedMigrated counts the users with a write-back mark.
	MarkedMigrated int `json:"marked_migrated"`
	// InPool counts the users found in the pool (with --user-pool-id).
	InPool *int `json:"in_pool,omitempty"`
	// MarkedAbsent counts the users marked migrated whom the pool does not
	// hold (with --user-pool-id); MarkedAbsentUsers names up to
	// maxMarkedAbsentNames of them.
	MarkedAbsent      *int         `json:"marked_absent,omitempty"`
	MarkedAbsentUsers []legacyName `json:"marked_absent_users,omitempty"`
	// Migrated counts the users marked or in the pool; Remaining the rest.
	Migrated  int `json:"migrated"`
	Remaining int `json:"remaining"`
	// Disabled counts the remaining users disabled in the legacy directory
	// (known only when the users were listed, with --user-pool-id).
	Disabled *int `json:"disabled,omitempty"`
	// Unlisted says why the source cannot be counted (it cannot list its
	// users); not an error.
	Unlisted string `json:"unlisted,omitempty"`
	Error    string `json:"error,omitempty"`
}

// legacyName names a legacy user in a report.
type legacyName struct {
	ID       string `json:"id"`
	Username string `json:"username"`
}

// poolStatus is the pool's side.
type poolStatus struct {
	ID    string `json:"id"`
	Users int    `json:"users"`
	// FromLegacy counts pool users matching a legacy user of any source
	// (migrated or imported); Other the users created otherwise.
	FromLegacy int `json:"from_legacy"`
	Other      int `json:"other"`
}

func watchStatus(ctx context.Context, env Env, configPath string, pool *poolOpts, asJSON bool, every time.Duration, n int) error {
	cfg, err := setup.LoadFile(configPath)
	if err != nil {
		return err
	}
	logger := setup.NewLogger(cliLog(cfg.Log), env.Stderr)
	mapper, err := export.NewMapper(cfg.Migration, export.StandardHeader)
	if err != nil {
		return fmt.Errorf("config %s: %w", configPath, err)
	}
	var api *cip.Client
	if pool.poolID != "" {
		if api, err = pool.client(ctx); err != nil {
			return err
		}
	}
	var failed bool
	for i := range n {
		if i > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(every):
			}
		}
		r, err := status(ctx, env, cfg, logger, mapper, api, pool)
		if err != nil {
			return err
		}
		failed = false
		for _, s := range r.Sources {
			if s.Error != "" {
				failed = true
			}
		}
		if asJSON {
			if err := json.NewEncoder(env.Stdout).Encode(r); err != nil {
				return err
			}
		} else {
			printStatus(env.Stdout, r)
		}
	}
	if failed {
		return errStatusFailed
	}
	return nil
}

// status builds one report.
func status(ctx context.Context, env Env, cfg *config.Config, logger *slog.Logger, mapper *export.Mapper,
	api *cip.Client, pool *poolOpts) (*statusReport, error) {
	r := &statusReport{At: time.Now().UTC()}
	if api == nil {
		r.Note = marksOptimistic
	}
	var idx *poolIndex
	if api != nil {
		var err error
		if idx, err = readPool(ctx, api, pool.poolID, pool.maxUsers, env.Stderr); err != nil {
			return nil, err
		}
		idx.matchEmail = policyMatchesEmail(cfg.Migration.WithDefaults())
		r.Pool = &poolStatus{ID: pool.poolID, Users: idx.users}
	}
	matched := map[string]bool{} // pool usernames matched by a legacy user
	for _, b := range cfg.Sources {
		st := sourceStatus{Name: b.Name, Type: b.Type}
		err := sourceProgress(ctx, b, logger, mapper, idx, matched, &st)
		switch {
		case errors.Is(err, errUnlisted) || errors.Is(err, sqlsource.ErrNoListing):
			st.Unlisted = err.Error()
		case err != nil:
			st.Error = err.Error()
		}
		r.Sources = append(r.Sources, st)
	}
	if r.Pool != nil {
		r.Pool.FromLegacy = len(matched)
		r.Pool.Other = r.Pool.Users - r.Pool.FromLegacy
	}
	return r, nil
}

// sourceProgress fills st for one source: counts only, or, with a pool, a
// listing matched against it.
func sourceProgress(ctx context.Context, b config.Backend, logger *slog.Logger, mapper *export.Mapper,
	idx *poolIndex, matched map[string]bool, st *sourceStatus) error {
	ctx, cancel := context.WithTimeout(ctx, statusSourceTimeout)
	defer cancel()
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
	st.Total, st.Marked, st.MarksNote, st.MarkedMigrated = c.Total, c.Marked, c.MarksReason, c.Migrated
	if idx == nil {
		st.Migrated, st.Remaining = c.Migrated, c.Total-c.Migrated
		if !c.Marked {
			st.MarksNote += "; give --user-pool-id to count progress from the pool"
		}
		return nil
	}
	var inPool, disabled, total, marked, absent int
	err = l.List(ctx, func(e source.Entry) error {
		total++
		if e.Migrated {
			marked++
		}
		key, found := idx.find(mapper, e.User)
		if found {
			inPool++
			matched[key] = true
		}
		if e.Migrated && !found {
			absent++
			if len(st.MarkedAbsentUsers) < maxMarkedAbsentNames {
				st.MarkedAbsentUsers = append(st.MarkedAbsentUsers, legacyName{ID: e.User.ID, Username: e.User.Username})
			}
		}
		switch {
		case found:
			// The pool is the truth: a mark without a pool user is not a
			// migration.
			st.Migrated++
		case e.Disabled:
			disabled++
			st.Remaining++
		default:
			st.Remaining++
		}
		return nil
	})
	if err != nil {
		return err
	}
	// The listing is the later and fuller reading.
	st.Total, st.MarkedMigrated = total, marked
	st.InPool, st.Disabled, st.MarkedAbsent = &inPool, &disabled, &absent
	return nil
}

func printStatus(w io.Writer, r *statusReport) {
	fmt.Fprintf(w, "migration status at %s\n", r.At.Format(time.RFC3339))
	for _, s := range r.Sources {
		fmt.Fprintf(w, "source %s (%s):\n", s.Name, s.Type)
		if s.Error != "" {
			fmt.Fprintf(w, "  error: %s\n", s.Error)
			continue
		}
		if s.Unlisted != "" {
			fmt.Fprintf(w, "  not counted: %s\n", s.Unlisted)
			continue
		}
		fmt.Fprintf(w, "  legacy users:   %d\n", s.Total)
		if s.Marked {
			fmt.Fprintf(w, "  marked migrated: %d\n", s.MarkedMigrated)
		} else {
			fmt.Fprintf(w, "  marked migrated: unknown (%s)\n", s.MarksNote)
		}
		if s.InPool != nil {
			fmt.Fprintf(w, "  in the pool:    %d\n", *s.InPool)
		}
		if s.MarkedAbsent != nil {
			fmt.Fprintf(w, "  marked but absent from the pool: %d", *s.MarkedAbsent)
			if *s.MarkedAbsent > 0 {
				fmt.Fprint(w, " (counted as remaining; ferry export --user-pool-id exports them; --json names them)")
			}
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "  migrated:       %d (%s)\n", s.Migrated, percent(s.Migrated, s.Total))
		fmt.Fprintf(w, "  remaining:      %d", s.Remaining)
		if s.Disabled != nil && *s.Disabled > 0 {
			fmt.Fprintf(w, " (%d of them disabled in the legacy directory)", *s.Disabled)
		}
		fmt.Fprintln(w)
	}
	if p := r.Pool; p != nil {
		var uncounted []string
		for _, s := range r.Sources {
			if s.Unlisted != "" || s.Error != "" {
				uncounted = append(uncounted, s.Name)
			}
		}
		if len(uncounted) == 0 {
			fmt.Fprintf(w, "pool %s: %d users, %d from the legacy sources, %d created otherwise\n",
				p.ID, p.Users, p.FromLegacy, p.Other)
		} else {
			// Users of a source that was not listed cannot be told from
			// users created otherwise.
			fmt.Fprintf(w, "pool %s: %d users, %d from the listed legacy sources; %d not matched, "+
				"some of whom may come from %s, which could not be counted\n",
				p.ID, p.Users, p.FromLegacy, p.Other, strings.Join(uncounted, ", "))
		}
	}
	if r.Note != "" {
		fmt.Fprintf(w, "note: %s\n", r.Note)
	}
}

func percent(n, of int) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
}

// poolIndex holds the names of the pool's users, to tell which legacy
// users are already in it: usernames, and emails for the pools whose users
// may sign in with them. Names only — a few dozen bytes a user.
type poolIndex struct {
	users int
	// matchEmail: a pool user with a legacy user's email is that user.
	matchEmail bool
	usernames  map[string]bool
	emails     map[string]string // lower-cased email → username
}

// find reports whether u is in the pool, and as which username. Names
// compare case-insensitively: in a case-sensitive pool a user who differs
// only in case counts as present, which errs towards not importing twice.
func (p *poolIndex) find(m *export.Mapper, u *source.User) (string, bool) {
	if name, err := m.Username(u); err == nil {
		if p.usernames[strings.ToLower(name)] {
			return strings.ToLower(name), true
		}
	}
	if p.matchEmail && u.Email != "" {
		if name, ok := p.emails[strings.ToLower(u.Email)]; ok {
			return name, true
		}
	}
	return "", false
}

// readPool lists the pool's users, 60 a page, reporting progress to
// progress and stopping with an error past max users.
func readPool(ctx context.Context, api *cip.Client, poolID string, max int, progress io.Writer) (*poolIndex, error) {
	idx := &poolIndex{usernames: map[string]bool{}, emails: map[string]string{}}
	p := cip.NewListUsersPaginator(api, &cip.ListUsersInput{
		UserPoolId: aws.String(poolID), Limit: aws.Int32(60), AttributesToGet: []string{"email"},
	})
	next := poolProgressEvery
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("pool %s: list users: %w", poolID, err)
		}
		for _, u := range out.Users {
			name := strings.ToLower(aws.ToString(u.Username))
			idx.usernames[name] = true
			for _, a := range u.Attributes {
				if aws.ToString(a.Name) == "email" && aws.ToString(a.Value) != "" {
					idx.emails[strings.ToLower(aws.ToString(a.Value))] = name
				}
			}
		}
		idx.users += len(out.Users)
		if idx.users > max {
			return nil, fmt.Errorf("pool %s: more than %d users (raise --max-pool-users)", poolID, max)
		}
		if idx.users >= next {
			fmt.Fprintf(progress, "pool %s: %d users read\n", poolID, idx.users)
			next += poolProgressEvery
		}
	}
	return idx, nil
}

// policyMatchesEmail reports whether the pool mode lets users sign in with
// their email, so that a pool user with a legacy user's email is that user.
func policyMatchesEmail(p migration.Policy) bool {
	return p.PoolMode == migration.PoolAlias || p.PoolMode == migration.PoolEmailAsUsername
}
