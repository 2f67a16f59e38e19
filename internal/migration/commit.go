package migration

import (
	"context"
	"log/slog"
	"strings"

	"github.com/ferry-migrate/ferry/internal/source"
)

// A trigger cannot see whether Cognito stored the user it answered for, so
// its write-back mark is a hint that runs ahead of the pool: a pool that
// then refuses the answer, or dies before its commit, leaves a user marked
// but absent. Where one process runs both sides (ferry serve), the
// Migrator is built with DeferMarks and the pool calls Committed after it
// has stored the user, so the mark follows the commit: a crash in between
// leaves a user in the pool and unmarked, which `ferry status` counts as
// migrated from the pool.

// pendingMax bounds the write-backs held for a pool that never commits
// them (it refused the answers): pending answers live for the few
// milliseconds between the trigger and the pool's store, so a full table
// means abandoned ones, and dropping them loses only hints.
const pendingMax = 10_000

// pendingMark is a write-back held until the pool commits.
type pendingMark struct {
	src  string
	user *source.User
}

// holdMark keeps the write-back of u until Committed(name).
func (m *Migrator) holdMark(name, src string, u *source.User) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.pending) >= pendingMax {
		clear(m.pending)
	}
	m.pending[name] = pendingMark{src: src, user: u}
}

// Committed tells a Migrator built with DeferMarks that the pool has stored
// the user it answered for under name (the userName of the trigger event,
// as the pool received it): the held write-back runs now. It does nothing
// for a name with no held write-back.
func (m *Migrator) Committed(ctx context.Context, name string) {
	m.mu.Lock()
	p, ok := m.pending[strings.TrimSpace(name)]
	delete(m.pending, strings.TrimSpace(name))
	m.mu.Unlock()
	if ok {
		m.recordMigrated(ctx, p.src, p.user)
	}
}

// migratedSetMax bounds the memory of users already counted: one sign-in's
// retries arrive within seconds, so forgetting the oldest entries when a
// long-lived process passes this size costs at most a double count.
const migratedSetMax = 10_000

// recordMigrated counts u once and writes progress back to its source. A
// write-back failure is logged, not returned: the user has proved who they
// are and Cognito will create them whatever the ledger says, so failing the
// sign-in would lock them out over bookkeeping; the mark is retried on
// Cognito's next attempt, and a user who stays unmarked is one that `ferry
// status` can reconcile against the pool.
func (m *Migrator) recordMigrated(ctx context.Context, src string, u *source.User) {
	key := src + "\x00" + u.ID
	m.mu.Lock()
	_, seen := m.migrated[key]
	m.mu.Unlock()
	if seen {
		return
	}
	if m.policy.MarkMigrated {
		for _, s := range m.sources {
			if s.Name != src {
				continue
			}
			if mk, ok := source.As[source.Marker](s.Source); ok {
				if err := mk.MarkMigrated(ctx, u); err != nil {
					m.logger.LogAttrs(ctx, slog.LevelWarn, "migration write-back",
						slog.String("source", src), slog.String("legacy_id", u.ID), slog.String("error", err.Error()))
					return
				}
			}
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, seen := m.migrated[key]; seen {
		return
	}
	if len(m.migrated) >= migratedSetMax {
		clear(m.migrated)
	}
	m.migrated[key] = struct{}{}
	m.nMigrated.Add(1)
}
