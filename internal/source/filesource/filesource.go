// Package filesource is a legacy source read from a YAML or CSV file of
// users with their stored password hashes: for demos, tests and small
// directories. The file is read once, at Open; the source answers from
// memory and verifies hashes with passhash, under the same timing rule as
// every source (an unknown user costs a verification against the first
// user's hash).
package filesource

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ferry-migrate/ferry/internal/identity"
	"github.com/ferry-migrate/ferry/internal/passhash"
	"github.com/ferry-migrate/ferry/internal/source"
)

// Source is a file source: source.Source, source.Checker and io.Closer.
type Source struct {
	name     string
	log      *slog.Logger
	path     string
	lookup   string
	fold     func(string) string
	verifier *passhash.Verifier
	byName   map[string]*Entry
	byEmail  map[string]*Entry
	dummy    passhash.Hash
	// pacer pads every refusal to one time (source.Pacer).
	pacer *source.Pacer
}

var (
	_ source.Source  = (*Source)(nil)
	_ source.Checker = (*Source)(nil)
	_ source.Warmer  = (*Source)(nil)
)

// Open reads and checks the file and returns a Source named name.
func (c Config) Open(ctx context.Context, name string, log *slog.Logger) (*Source, error) {
	fault := func(err error) error { return &source.Error{Source: name, Op: "open", Err: err} }
	if err := c.Validate(); err != nil {
		return nil, fault(err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fault(err)
	}
	format, _ := c.format()
	pepper := c.Pepper
	if c.PepperFile != "" {
		b, err := os.ReadFile(c.PepperFile)
		if err != nil {
			return nil, fault(fmt.Errorf("pepper_file: %w", err))
		}
		pepper = strings.TrimRight(string(b), "\r\n")
	}
	entries, err := readFile(c.Path, format)
	if err != nil {
		return nil, fault(err)
	}
	v, err := passhash.New(passhash.Options{Pepper: pepper, Firebase: c.Firebase})
	if err != nil {
		return nil, fault(err)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Source{
		name:     name,
		log:      log.With("source", name, "type", "file"),
		path:     c.Path,
		lookup:   cmpOr(c.Lookup, LookupBoth),
		fold:     func(s string) string { return s },
		verifier: v,
		byName:   map[string]*Entry{},
		byEmail:  map[string]*Entry{},
	}
	if c.CaseInsensitive {
		// The one normalisation (internal/identity): NFKC, then lower case,
		// so full-width letters and ſ match like the throttle counts them.
		s.fold = func(n string) string { return identity.Name(n, identity.FoldLower) }
	}
	if err := s.index(entries); err != nil {
		return nil, fault(err)
	}
	s.pacer = source.NewPacer(v, func(context.Context) (passhash.Hash, error) { return s.dummy, nil })
	return s, nil
}

// Warm learns the padding floor before the first sign-in (source.Pacer's
// Warm) from the dummy and the hashes of the first source.WarmSample
// users by id, as List visits them.
func (s *Source) Warm(ctx context.Context) error {
	err := s.pacer.Warm(ctx, func(yield func(passhash.Hash)) error {
		for _, e := range s.entries()[:min(len(s.byName), source.WarmSample)] {
			if e.PasswordHash != "" {
				yield(hashOf(e))
			}
		}
		return nil
	})
	if err != nil {
		return s.fault("warm", err)
	}
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// index checks the entries and builds the lookup maps and the dummy hash.
func (s *Source) index(entries []Entry) error {
	if len(entries) == 0 {
		return errors.New("the file holds no users")
	}
	var errs []error
	for i := range entries {
		e := &entries[i]
		path := fmt.Sprintf("users[%d]", i)
		if e.Username == "" {
			errs = append(errs, fmt.Errorf("%s.username: required", path))
			continue
		}
		if e.ID == "" {
			e.ID = e.Username
		}
		key := s.fold(e.Username)
		if _, dup := s.byName[key]; dup {
			errs = append(errs, fmt.Errorf("%s.username: %q appears twice", path, e.Username))
		}
		s.byName[key] = e
		if e.Email != "" {
			key := s.fold(e.Email)
			if _, dup := s.byEmail[key]; dup {
				errs = append(errs, fmt.Errorf("%s.email: %q appears twice", path, e.Email))
			}
			s.byEmail[key] = e
		}
		if e.PasswordHash != "" {
			if _, err := s.verifier.Identify(hashOf(e)); err != nil {
				// One user's bad hash is that user's outcome when they sign
				// in (a *source.RecordError), never the file's: everyone
				// else still migrates. It is said once here, and `ferry
				// audit` lists it; it never becomes the dummy.
				s.log.Warn("legacy user's password hash cannot be verified; that user cannot migrate by password",
					"entry", path, "user_id", e.ID, "error", err)
			} else if s.dummy.Encoded == "" {
				s.dummy = hashOf(e)
			}
		}
	}
	if len(errs) == 0 && s.dummy.Encoded == "" {
		errs = append(errs, errors.New("no user has a usable password_hash (one of the supported formats, within the work budget)"))
	}
	return errors.Join(errs...)
}

func hashOf(e *Entry) passhash.Hash {
	return passhash.Hash{Encoded: e.PasswordHash, Salt: e.Salt, Format: e.HashFormat}
}

// find returns the entry for name under the lookup mode, or nil.
func (s *Source) find(name string) *Entry {
	key := s.fold(name)
	switch s.lookup {
	case LookupUsername:
		return s.byName[key]
	case LookupEmail:
		return s.byEmail[key]
	}
	if strings.Contains(name, "@") {
		if e := s.byEmail[key]; e != nil {
			return e
		}
	}
	return s.byName[key]
}

func (s *Source) fault(op string, err error) error {
	return &source.Error{Source: s.name, Op: op, Err: err}
}

func toUser(e *Entry) *source.User {
	u := &source.User{
		ID: e.ID, Username: e.Username, Email: e.Email, EmailVerified: e.EmailVerified,
		Phone: e.Phone, PhoneVerified: e.PhoneVerified, Groups: slices.Clone(e.Groups),
	}
	if len(e.Attributes) > 0 {
		u.Attributes = make(map[string]string, len(e.Attributes))
		for k, v := range e.Attributes {
			u.Attributes[k] = v
		}
	}
	return u
}

// Authenticate verifies password for the user called name.
func (s *Source) Authenticate(ctx context.Context, name, password string) (*source.User, error) {
	const op = "authenticate"
	if password == "" {
		return nil, source.ErrInvalidPassword
	}
	if err := ctx.Err(); err != nil {
		return nil, s.fault(op, err)
	}
	var e *Entry
	if identity.Usable(name) {
		e = s.find(name)
	}
	start := time.Now()
	if e == nil || e.PasswordHash == "" {
		if err := s.pacer.Spend(ctx, password); err != nil {
			return nil, s.fault(op, err)
		}
		s.pacer.Pad(ctx, start, "")
		if e == nil {
			return nil, source.ErrUserNotFound
		}
		if e.Disabled {
			return nil, source.ErrUserDisabled
		}
		return nil, source.ErrInvalidPassword
	}
	res, err := s.verifier.Verify(ctx, password, hashOf(e))
	if rec := source.HashRecord(e.ID, err); rec != nil {
		// The user's own stored hash: an outcome for that user alone, at
		// the cost of a wrong password (the dummy's verification).
		if err := s.pacer.Spend(ctx, password); err != nil {
			return nil, s.fault(op, err)
		}
		s.pacer.Pad(ctx, start, "")
		s.log.WarnContext(ctx, "legacy user's record is unusable", "user_id", e.ID, "error", err)
		return nil, rec
	}
	if err != nil {
		return nil, s.fault(op, err)
	}
	if e.Disabled || !res.Match {
		s.pacer.Pad(ctx, start, res.Family)
		if e.Disabled {
			return nil, source.ErrUserDisabled
		}
		return nil, source.ErrInvalidPassword
	}
	u := toUser(e)
	u.HashFamily, u.WeakHash = res.Family, res.Weak
	return u, nil
}

// Lookup returns the user called name without verifying a password.
func (s *Source) Lookup(ctx context.Context, name string) (*source.User, error) {
	if err := ctx.Err(); err != nil {
		return nil, s.fault("lookup", err)
	}
	var e *Entry
	if identity.Usable(name) {
		e = s.find(name)
	}
	switch {
	case e == nil:
		return nil, source.ErrUserNotFound
	case e.Disabled:
		return nil, source.ErrUserDisabled
	}
	u := toUser(e)
	if info, err := s.verifier.Identify(hashOf(e)); err == nil && e.PasswordHash != "" {
		u.HashFamily, u.WeakHash = info.Family, info.Weak
	}
	return u, nil
}

// Check reports whether the file is still readable (it was loaded at Open;
// a file that has gone away means the next cold start will fail).
func (s *Source) Check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return s.fault("check", err)
	}
	f, err := os.Open(s.path)
	if err != nil {
		return s.fault("check", err)
	}
	return f.Close()
}

// LogValue identifies the source without the hashes it holds.
func (s *Source) LogValue() slog.Value {
	return slog.GroupValue(slog.String("name", s.name), slog.String("path", s.path), slog.Int("users", len(s.byName)))
}

// String keeps fmt from printing the stored hashes.
func (s *Source) String() string { return s.LogValue().String() }

// Close releases nothing: the users live in memory. It exists so that every
// source can be closed alike.
func (s *Source) Close() error { return nil }
