// Package localpool opens what a local user pool runs on — its store and
// its signing keys — for `ferry serve` and `ferry demo`. It is apart from
// internal/setup so that the Lambda trigger, which setup also builds, does
// not link the user pool and its stores.
package localpool

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/ferry-migrate/ferry/internal/tokens"
	"github.com/ferry-migrate/ferry/internal/userpool"
	"github.com/ferry-migrate/ferry/internal/userpool/memstore"
	"github.com/ferry-migrate/ferry/internal/userpool/sqlitestore"
)

// Open opens the store and the signing keys of a local user pool (ferry
// serve, ferry demo): with dir "", both in memory and gone when the process
// ends; otherwise the SQLite pool database in dir and the keys in dir/keys,
// created on first use. The caller closes the store.
func Open(ctx context.Context, dir string, logger *slog.Logger) (userpool.Store, *tokens.KeySet, error) {
	if dir == "" {
		keys, err := tokens.GenerateKeySet()
		if err != nil {
			return nil, nil, fmt.Errorf("signing keys: %w", err)
		}
		return memstore.New(), keys, nil
	}
	st, err := sqlitestore.Open(ctx, sqlitestore.Config{Dir: dir}, logger.With("component", "sqlitestore"))
	if err != nil {
		return nil, nil, fmt.Errorf("open the pool database in %s: %w", dir, err)
	}
	keys, err := tokens.LoadOrCreateKeySet(filepath.Join(dir, "keys"))
	if err != nil {
		_ = st.Close()
		return nil, nil, fmt.Errorf("signing keys in %s: %w", dir, err)
	}
	return st, keys, nil
}
