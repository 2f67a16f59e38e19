package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

const userCols = `pool_id, username_key, username, sub, status, enabled, version, data`

func userColsOf(alias string) string {
	return alias + `.pool_id, ` + alias + `.username_key, ` + alias + `.username, ` + alias + `.sub, ` +
		alias + `.status, ` + alias + `.enabled, ` + alias + `.version, ` + alias + `.data`
}

// userData is the part of a user kept as JSON in users.data. Its own types
// (not userpool's) fix the stored field names whatever becomes of the
// domain structs.
type userData struct {
	Attributes       map[string]string    `json:"attributes,omitempty"`
	Aliases          map[string]string    `json:"aliases,omitempty"`
	Password         *verifierData        `json:"password,omitempty"`
	ConfirmationCode *codeData            `json:"confirmation_code,omitempty"`
	ResetCode        *codeData            `json:"reset_code,omitempty"`
	Verification     map[string]*codeData `json:"verification_codes,omitempty"`
	Pending          map[string]string    `json:"pending_attributes,omitempty"`
	FailedSignIns    int                  `json:"failed_sign_ins,omitempty"`
	LastFailed       time.Time            `json:"last_failed_sign_in,omitzero"`
	MFA              *mfaData             `json:"mfa,omitempty"`
	Origin           string               `json:"origin,omitempty"`
	TokensValidAfter time.Time            `json:"tokens_valid_after"`
	CreatedAt        time.Time            `json:"created_at"`
	UpdatedAt        time.Time            `json:"updated_at"`
}

// mfaData is a user's MFA settings; absent for users without any.
type mfaData struct {
	SMSEnabled        bool   `json:"sms_enabled,omitempty"`
	SMSPreferred      bool   `json:"sms_preferred,omitempty"`
	TOTPEnabled       bool   `json:"totp_enabled,omitempty"`
	TOTPPreferred     bool   `json:"totp_preferred,omitempty"`
	TOTPSecret        string `json:"totp_secret,omitempty"`
	PendingTOTPSecret string `json:"pending_totp_secret,omitempty"`
	TOTPDeviceName    string `json:"totp_device_name,omitempty"`
	LastTOTPStep      uint64 `json:"last_totp_step,omitempty"`
}

type verifierData struct {
	Salt []byte `json:"salt"`
	V    []byte `json:"v"`
}

type codeData struct {
	Code      string    `json:"code"`
	ExpiresAt time.Time `json:"expires_at"`
	Attempts  int       `json:"attempts,omitempty"`
}

func codeOut(c *userpool.Code) *codeData {
	if c == nil {
		return nil
	}
	return &codeData{Code: c.Code, ExpiresAt: c.ExpiresAt, Attempts: c.Attempts}
}

func codeIn(c *codeData) *userpool.Code {
	if c == nil {
		return nil
	}
	return &userpool.Code{Code: c.Code, ExpiresAt: c.ExpiresAt, Attempts: c.Attempts}
}

func encodeUser(u *userpool.User) ([]byte, error) {
	d := userData{
		Attributes: u.Attributes, Aliases: u.Aliases, Origin: u.Origin,
		ConfirmationCode: codeOut(u.ConfirmationCode), ResetCode: codeOut(u.ResetCode),
		TokensValidAfter: u.TokensValidAfter, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
	}
	if u.Password != nil {
		d.Password = &verifierData{Salt: u.Password.Salt, V: u.Password.V}
	}
	for attr, c := range u.VerificationCodes {
		if d.Verification == nil {
			d.Verification = map[string]*codeData{}
		}
		d.Verification[attr] = codeOut(c)
	}
	d.Pending, d.FailedSignIns, d.LastFailed = u.PendingAttributes, u.FailedSignIns, u.LastFailedSignIn
	if m := u.MFA; m != (userpool.UserMFA{}) {
		d.MFA = &mfaData{SMSEnabled: m.SMSEnabled, SMSPreferred: m.SMSPreferred, TOTPEnabled: m.TOTPEnabled,
			TOTPPreferred: m.TOTPPreferred, TOTPSecret: m.TOTPSecret, PendingTOTPSecret: m.PendingTOTPSecret,
			TOTPDeviceName: m.TOTPDeviceName, LastTOTPStep: m.LastTOTPStep}
	}
	return json.Marshal(d)
}

// scanUser reads the userCols of row, then extra columns into extra.
func scanUser(row interface{ Scan(...any) error }, extra ...any) (*userpool.User, error) {
	var u userpool.User
	var data []byte
	dst := append([]any{&u.PoolID, &u.UsernameKey, &u.Username, &u.Sub, &u.Status, &u.Enabled, &u.Version, &data}, extra...)
	if err := row.Scan(dst...); err != nil {
		return nil, err
	}
	var d userData
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("user %q: decode: %w", u.UsernameKey, err)
	}
	u.Attributes, u.Aliases, u.Origin = d.Attributes, d.Aliases, d.Origin
	u.ConfirmationCode, u.ResetCode = codeIn(d.ConfirmationCode), codeIn(d.ResetCode)
	u.TokensValidAfter, u.CreatedAt, u.UpdatedAt = d.TokensValidAfter, d.CreatedAt, d.UpdatedAt
	if d.Password != nil {
		u.Password = &userpool.Verifier{Salt: d.Password.Salt, V: d.Password.V}
	}
	for attr, c := range d.Verification {
		if u.VerificationCodes == nil {
			u.VerificationCodes = map[string]*userpool.Code{}
		}
		u.VerificationCodes[attr] = codeIn(c)
	}
	u.PendingAttributes, u.FailedSignIns, u.LastFailedSignIn = d.Pending, d.FailedSignIns, d.LastFailed
	if m := d.MFA; m != nil {
		u.MFA = userpool.UserMFA{SMSEnabled: m.SMSEnabled, SMSPreferred: m.SMSPreferred, TOTPEnabled: m.TOTPEnabled,
			TOTPPreferred: m.TOTPPreferred, TOTPSecret: m.TOTPSecret, PendingTOTPSecret: m.PendingTOTPSecret,
			TOTPDeviceName: m.TOTPDeviceName, LastTOTPStep: m.LastTOTPStep}
	}
	return &u, nil
}

// filterValues are the user_filters rows of u: attribute → folded value.
func filterValues(u *userpool.User) map[string]string {
	out := make(map[string]string, len(userpool.FilterableAttributes))
	for _, attr := range userpool.FilterableAttributes {
		if v, ok := u.FilterValue(attr); ok {
			out[attr] = userpool.FilterKey(attr, v)
		}
	}
	return out
}

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

// user reads a user and its rowid.
func (t wtx) user(poolID, key string) (*userpool.User, int64, error) {
	st, err := t.stmt(`SELECT ` + userCols + `, id FROM users WHERE pool_id = ? AND username_key = ?`)
	if err != nil {
		return nil, 0, err
	}
	var id int64
	u, err := scanUser(st.QueryRowContext(t.ctx, poolID, key), &id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, notFound("user", key)
	}
	return u, id, err
}

func (t wtx) aliasHolder(poolID, attr, key string) (holder string, found bool, err error) {
	found, err = t.scan(`SELECT username_key FROM aliases WHERE pool_id = ? AND attribute = ? AND key = ?`,
		[]any{poolID, attr, key}, &holder)
	return holder, found, err
}

// insertUserRow adds u's row and returns its rowid.
func (t wtx) insertUserRow(u *userpool.User) (int64, error) {
	data, err := encodeUser(u)
	if err != nil {
		return 0, err
	}
	res, err := t.exec(`INSERT INTO users (`+userCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		u.PoolID, u.UsernameKey, u.Username, u.Sub, u.Status, u.Enabled, u.Version, data)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// updateUserRow rewrites u's row.
func (t wtx) updateUserRow(u *userpool.User) error {
	data, err := encodeUser(u)
	if err != nil {
		return err
	}
	_, err = t.exec(`UPDATE users SET username = ?, sub = ?, status = ?, enabled = ?, version = ?, data = ?
		WHERE pool_id = ? AND username_key = ?`,
		u.Username, u.Sub, u.Status, u.Enabled, u.Version, data, u.PoolID, u.UsernameKey)
	return err
}

func (t wtx) addIndexRows(poolID, key string, id int64, aliases, filters map[string]string) error {
	for attr, k := range aliases {
		if _, err := t.exec(`INSERT INTO aliases (pool_id, attribute, key, username_key, user_id) VALUES (?, ?, ?, ?, ?)`,
			poolID, attr, k, key, id); err != nil {
			return err
		}
	}
	for attr, v := range filters {
		if _, err := t.exec(`INSERT INTO user_filters (pool_id, attribute, value, username_key, user_id) VALUES (?, ?, ?, ?, ?)`,
			poolID, attr, v, key, id); err != nil {
			return err
		}
	}
	return nil
}

func (t wtx) dropIndexRows(poolID, key string, aliases, filters map[string]string) error {
	for attr, k := range aliases {
		if _, err := t.exec(`DELETE FROM aliases WHERE pool_id = ? AND attribute = ? AND key = ? AND username_key = ?`,
			poolID, attr, k, key); err != nil {
			return err
		}
	}
	for attr, v := range filters {
		if _, err := t.exec(`DELETE FROM user_filters WHERE pool_id = ? AND attribute = ? AND value = ? AND username_key = ?`,
			poolID, attr, v, key); err != nil {
			return err
		}
	}
	return nil
}

func (t wtx) addCount(poolID string, n int) error {
	_, err := t.exec(`UPDATE pools SET user_count = user_count + ? WHERE id = ?`, n, poolID)
	return err
}

// createUser adds u with its alias and filter rows, moving stolen aliases.
func (t wtx) createUser(u *userpool.User, opts userpool.CreateUserOptions) error {
	var one int
	if found, err := t.scan(`SELECT 1 FROM users WHERE pool_id = ? AND username_key = ?`, []any{u.PoolID, u.UsernameKey}, &one); err != nil {
		return err
	} else if found {
		return fmt.Errorf("user %q: %w", u.UsernameKey, userpool.ErrExists)
	}
	if found, err := t.scan(`SELECT 1 FROM users WHERE pool_id = ? AND sub = ?`, []any{u.PoolID, u.Sub}, &one); err != nil {
		return err
	} else if found {
		return fmt.Errorf("user sub %q: %w", u.Sub, userpool.ErrExists)
	}
	robbed := map[string][]string{} // holder → attributes to take
	for _, attr := range slices.Sorted(maps.Keys(u.Aliases)) {
		holder, found, err := t.aliasHolder(u.PoolID, attr, u.Aliases[attr])
		if err != nil {
			return err
		}
		if found {
			if !opts.StealAliases {
				return fmt.Errorf("alias %s %q of user %q: %w", attr, u.Aliases[attr], holder, userpool.ErrAliasExists)
			}
			robbed[holder] = append(robbed[holder], attr)
		}
	}
	for _, holder := range slices.Sorted(maps.Keys(robbed)) {
		v, _, err := t.user(u.PoolID, holder)
		if err != nil {
			return err
		}
		lost := map[string]string{}
		for _, attr := range robbed[holder] {
			lost[attr] = v.Aliases[attr]
			delete(v.Aliases, attr)
		}
		if err := t.dropIndexRows(u.PoolID, holder, lost, nil); err != nil {
			return err
		}
		v.Version++
		if err := t.updateUserRow(v); err != nil {
			return err
		}
	}
	id, err := t.insertUserRow(u)
	if err != nil {
		return err
	}
	if err := t.addIndexRows(u.PoolID, u.UsernameKey, id, u.Aliases, filterValues(u)); err != nil {
		return err
	}
	return t.addCount(u.PoolID, 1)
}

// CreateUser stores u with its aliases, or changes nothing.
func (s *Store) CreateUser(ctx context.Context, u *userpool.User, opts userpool.CreateUserOptions) error {
	return dbErr("create user", s.write(ctx, func(t wtx) error {
		if ok, err := t.poolExists(u.PoolID); err != nil {
			return err
		} else if !ok {
			return notFound("pool", u.PoolID)
		}
		return t.createUser(u, opts)
	}))
}

// ImportUsers creates users in one transaction, as CreateUser would without
// StealAliases: all of them, or — on the first refusal — none. It is the
// bulk path (a CSV import, seeding a large pool): one commit for many users
// instead of one each.
func (s *Store) ImportUsers(ctx context.Context, users []*userpool.User) error {
	return dbErr("import users", s.write(ctx, func(t wtx) error {
		checked := map[string]bool{}
		for _, u := range users {
			if !checked[u.PoolID] {
				if ok, err := t.poolExists(u.PoolID); err != nil {
					return err
				} else if !ok {
					return notFound("pool", u.PoolID)
				}
				checked[u.PoolID] = true
			}
			if err := t.createUser(u, userpool.CreateUserOptions{}); err != nil {
				return err
			}
		}
		return nil
	}))
}

func (s *Store) getOne(ctx context.Context, st *sql.Stmt, what, key string, args ...any) (*userpool.User, error) {
	u, err := scanUser(st.QueryRowContext(ctx, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(what, key)
	}
	return u, dbErr("get user", err)
}

// GetUser returns the user with the username key.
func (s *Store) GetUser(ctx context.Context, poolID, usernameKey string) (*userpool.User, error) {
	return s.getOne(ctx, s.getUser, "user", usernameKey, poolID, usernameKey)
}

// GetUserByAlias returns the user holding the alias key of attribute.
func (s *Store) GetUserByAlias(ctx context.Context, poolID, attribute, key string) (*userpool.User, error) {
	return s.getOne(ctx, s.getUserByAlias, "alias "+attribute, key, poolID, attribute, key)
}

// GetUserBySub returns the user with the sub.
func (s *Store) GetUserBySub(ctx context.Context, poolID, sub string) (*userpool.User, error) {
	return s.getOne(ctx, s.getUserBySub, "user sub", sub, poolID, sub)
}

// UpdateUser replaces the user if u.Version is current, re-indexing its
// aliases and filter values in the same transaction.
func (s *Store) UpdateUser(ctx context.Context, u *userpool.User) error {
	err := s.write(ctx, func(t wtx) error {
		old, id, err := t.user(u.PoolID, u.UsernameKey)
		if err != nil {
			return err
		}
		if old.Version != u.Version {
			return fmt.Errorf("user %q at version %d, update from %d: %w", u.UsernameKey, old.Version, u.Version, userpool.ErrConflict)
		}
		for _, attr := range slices.Sorted(maps.Keys(u.Aliases)) {
			holder, found, err := t.aliasHolder(u.PoolID, attr, u.Aliases[attr])
			if err != nil {
				return err
			}
			if found && holder != u.UsernameKey {
				return fmt.Errorf("alias %s %q of user %q: %w", attr, u.Aliases[attr], holder, userpool.ErrAliasExists)
			}
		}
		if old.Sub != u.Sub {
			var one int
			if found, err := t.scan(`SELECT 1 FROM users WHERE pool_id = ? AND sub = ?`, []any{u.PoolID, u.Sub}, &one); err != nil {
				return err
			} else if found {
				return fmt.Errorf("user sub %q: %w", u.Sub, userpool.ErrExists)
			}
		}
		oldF, newF := filterValues(old), filterValues(u)
		if err := t.dropIndexRows(u.PoolID, u.UsernameKey, minus(old.Aliases, u.Aliases), minus(oldF, newF)); err != nil {
			return err
		}
		if err := t.addIndexRows(u.PoolID, u.UsernameKey, id, minus(u.Aliases, old.Aliases), minus(newF, oldF)); err != nil {
			return err
		}
		next := *u
		next.Version++
		return t.updateUserRow(&next)
	})
	if err != nil {
		return dbErr("update user", err)
	}
	u.Version++
	return nil
}

// minus returns the entries of a that b does not have with the same value.
func minus(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			out[k] = v
		}
	}
	return out
}

// DeleteUser removes the user, its aliases, filter rows and refresh tokens.
func (s *Store) DeleteUser(ctx context.Context, poolID, usernameKey string) error {
	return dbErr("delete user", s.write(ctx, func(t wtx) error {
		old, _, err := t.user(poolID, usernameKey)
		if err != nil {
			return err
		}
		if err := t.dropIndexRows(poolID, usernameKey, old.Aliases, filterValues(old)); err != nil {
			return err
		}
		if _, err := t.exec(`DELETE FROM refresh_tokens WHERE pool_id = ? AND username = ?`, poolID, old.Username); err != nil {
			return err
		}
		if _, err := t.exec(`DELETE FROM group_members WHERE pool_id = ? AND username_key = ?`, poolID, usernameKey); err != nil {
			return err
		}
		if _, err := t.exec(`DELETE FROM users WHERE pool_id = ? AND username_key = ?`, poolID, usernameKey); err != nil {
			return err
		}
		return t.addCount(poolID, -1)
	}))
}

// CountUsers returns the number of users in the pool, kept in the pool row.
func (s *Store) CountUsers(ctx context.Context, poolID string) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT user_count FROM pools WHERE id = ?`, poolID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, dbErr("count users", err)
}

// ListUsers pages through the users of a pool that match q. Unfiltered, it
// walks the users' primary key; filtered, the user_filters primary key —
// an equality or a prefix range, both already in the listing's order — then
// joins each hit to its user.
func (s *Store) ListUsers(ctx context.Context, poolID string, q userpool.ListUsersQuery) ([]*userpool.User, string, error) {
	if q.Attribute != "" && !userpool.IsFilterable(q.Attribute) {
		return nil, "", fmt.Errorf("sqlitestore: list users: attribute %q cannot be filtered", q.Attribute)
	}
	scope := userpool.CursorScope(poolID, q)
	from, err := userpool.DecodeCursor("users", scope, q.After)
	if err != nil {
		return nil, "", err
	}
	limit := listLimit(q.Limit)
	query, args := listUsersSQL(poolID, q, from, limit+1)
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", dbErr("list users", err)
	}
	type hit struct {
		u *userpool.User
		v string
	}
	hits, err := collect(rows, func(row interface{ Scan(...any) error }) (hit, error) {
		var h hit
		var err error
		h.u, err = scanUser(row, &h.v)
		return h, err
	})
	if err != nil {
		return nil, "", dbErr("list users", err)
	}
	hits, next := page(hits, limit, func(h hit) userpool.Cursor {
		return userpool.Cursor{Kind: "users", Pool: scope, Value: h.v, Key: h.u.UsernameKey}
	})
	users := make([]*userpool.User, len(hits))
	for i, h := range hits {
		users[i] = h.u
	}
	return users, next, nil
}

// listUsersSQL is the query of one ListUsers page of n rows after from.
// Each row is a user's columns and the folded filter value (” unfiltered).
func listUsersSQL(poolID string, q userpool.ListUsersQuery, from userpool.Cursor, n int) (string, []any) {
	if q.Attribute == "" {
		return `SELECT ` + userCols + `, '' FROM users
			WHERE pool_id = ? AND username_key > ? ORDER BY username_key LIMIT ?`, []any{poolID, from.Key, n}
	}
	want := userpool.FilterKey(q.Attribute, q.Value)
	where := `f.value = ?`
	args := []any{poolID, q.Attribute, want}
	if q.Prefix {
		where = `f.value >= ?`
		if end, ok := prefixEnd(want); ok {
			where += ` AND f.value < ?`
			args = append(args, end)
		}
	}
	if q.After != "" {
		where += ` AND (f.value, f.username_key) > (?, ?)`
		args = append(args, from.Value, from.Key)
	}
	return `SELECT ` + userColsOf("u") + `, f.value FROM user_filters f
		JOIN users u ON u.id = f.user_id
		WHERE f.pool_id = ? AND f.attribute = ? AND ` + where + `
		ORDER BY f.value, f.username_key LIMIT ?`, append(args, n)
}

// prefixEnd returns the smallest string greater than every string that
// starts with p, in SQLite's byte-wise (BINARY) order: p with its last
// byte below 0xff incremented and what follows dropped. ok is false when
// no such string exists (p empty or all 0xff): the range has no end.
func prefixEnd(p string) (string, bool) {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}
