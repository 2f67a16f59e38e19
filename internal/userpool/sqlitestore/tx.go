package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
)

// wtx is the write transaction in progress; its statements are prepared
// once on the writer connection.
type wtx struct {
	ctx context.Context
	s   *Store
}

func (t wtx) stmt(q string) (*sql.Stmt, error) {
	t.s.stmtMu.Lock()
	defer t.s.stmtMu.Unlock()
	st, ok := t.s.stmts[q]
	if !ok {
		var err error
		if st, err = t.s.wc.PrepareContext(t.ctx, q); err != nil {
			return nil, err
		}
		t.s.stmts[q] = st
	}
	return st, nil
}

func (t wtx) exec(q string, args ...any) (sql.Result, error) {
	st, err := t.stmt(q)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(t.ctx, args...)
}

// scan runs a one-row query; found is false when there was no row.
func (t wtx) scan(q string, args []any, dst ...any) (found bool, err error) {
	st, err := t.stmt(q)
	if err != nil {
		return false, err
	}
	err = st.QueryRowContext(t.ctx, args...).Scan(dst...)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
