package progress

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/internal/config"
	"github.com/ferry-migrate/ferry/internal/export"
	"github.com/ferry-migrate/ferry/internal/source"
)

// Bounds of a status report.
const (
	// sourceTimeout bounds the work on one source for one report.
	sourceTimeout = 10 * time.Minute
	// maxMarkedAbsentNames bounds the names of marked-but-absent users a
	// report lists per source (the count is complete): enough to act on,
	// flat in memory if a whole directory was marked by mistake.
	maxMarkedAbsentNames = 1000
)

// StatusReport is one reading of every source's progress.
type StatusReport struct {
	At time.Time `json:"at"`
	// Note says, without a pool, that the marks are optimistic.
	Note    string         `json:"note,omitempty"`
	Sources []SourceStatus `json:"sources"`
	Pool    *PoolStatus    `json:"pool,omitempty"`
}

// SourceStatus is one source's progress.
type SourceStatus struct {
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
	MarkedAbsentUsers []LegacyName `json:"marked_absent_users,omitempty"`
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

// LegacyName names a legacy user in a report.
type LegacyName struct {
	ID       string `json:"id"`
	Username string `json:"username"`
}

// PoolStatus is the pool's side.
type PoolStatus struct {
	ID    string `json:"id"`
	Users int    `json:"users"`
	// FromLegacy counts pool users matching a legacy user of any source
	// (migrated or imported); Other the users created otherwise.
	FromLegacy int `json:"from_legacy"`
	Other      int `json:"other"`
}

// Status reads every source of cfg: its counts, or, with a pool, a
// listing matched against the pool's users. A source that cannot be read
// is reported as such (SourceStatus.Error, see Failed); the error is for
// what stops the whole report (the pool cannot be read).
func Status(ctx context.Context, cfg *config.Config, logger *slog.Logger, pool *Pool) (*StatusReport, error) {
	mapper, err := export.NewMapper(cfg.Migration, export.StandardHeader)
	if err != nil {
		return nil, err
	}
	r := &StatusReport{At: time.Now().UTC()}
	var idx *poolIndex
	if pool == nil {
		r.Note = MarksOptimistic
	} else {
		if idx, err = pool.read(ctx, cfg.Migration); err != nil {
			return nil, err
		}
		r.Pool = &PoolStatus{ID: pool.ID, Users: idx.users}
	}
	matched := map[string]bool{} // pool usernames matched by a legacy user
	for _, b := range cfg.Sources {
		st := SourceStatus{Name: b.Name, Type: b.Type}
		err := sourceProgress(ctx, b, logger, mapper, idx, matched, &st)
		switch {
		case unlisted(err):
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

// Failed reports whether some source could not be read.
func (r *StatusReport) Failed() bool {
	for _, s := range r.Sources {
		if s.Error != "" {
			return true
		}
	}
	return false
}

// sourceProgress fills st for one source: counts only, or, with a pool, a
// listing matched against it.
func sourceProgress(ctx context.Context, b config.Backend, logger *slog.Logger, mapper *export.Mapper,
	idx *poolIndex, matched map[string]bool, st *SourceStatus) error {
	ctx, cancel := context.WithTimeout(ctx, sourceTimeout)
	defer cancel()
	l, err := openListing(ctx, b, logger)
	if err != nil {
		return err
	}
	defer l.close()
	c := l.counts
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
				st.MarkedAbsentUsers = append(st.MarkedAbsentUsers, LegacyName{ID: e.User.ID, Username: e.User.Username})
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

// PrintStatus writes r for a person to read.
func PrintStatus(w io.Writer, r *StatusReport) {
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
