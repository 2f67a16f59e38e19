// Package filesource is a legacy source read from a YAML or CSV file of
// users with their stored password hashes: for demos, tests and small
// directories. The file is read once, at Open; the source answers from
// memory and verifies hashes with passhash, under the same timing rule as
// every source (an unknown user costs a verification against the first
// user's hash).
package filesource

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ferry-migrate/ferry/internal/identity"
	"github.com/ferry-migrate/ferry/internal/passhash"
	"github.com/ferry-migrate/ferry/internal/source"
)

// Formats.
const (
	FormatYAML = "yaml"
	FormatCSV  = "csv"
)

// Lookup modes, as in sqlsource.
const (
	LookupUsername = "username"
	LookupEmail    = "email"
	LookupBoth     = "both"
)

// MaxFileBytes bounds the file read at Open: a file source is for small
// directories, and the whole file lives in the trigger's memory.
const MaxFileBytes = 64 << 20

// Config is the configuration of a file source.
//
// Example:
//
//	path: /etc/ferry/users.yaml   # or users.csv
//	format: yaml                  # default: from the extension
//	lookup: both                  # username, email or both (default)
//	case_insensitive: true        # match names regardless of letter case
//
// A YAML file:
//
//	users:
//	  - username: alice
//	    email: alice@example.com
//	    email_verified: true
//	    password_hash: $2y$10$…
//	    attributes: {given_name: Alice, "custom:legacy_id": "42"}
//	  - username: bob
//	    password_hash: AQAAAAIAAYagAAAAE…
//	    hash_format: aspnet-identity
//	    disabled: true
//
// A CSV file has a header row naming the fields below; any other column is
// an attribute named by its header (given_name, custom:legacy_id, …):
//
//	username,email,email_verified,password_hash,given_name
//	alice,alice@example.com,true,$2y$10$…,Alice
type Config struct {
	Path   string `yaml:"path"`
	Format string `yaml:"format"`
	// Lookup is username, email or both (the default: a name containing
	// "@" is matched against emails first, then usernames).
	Lookup string `yaml:"lookup"`
	// CaseInsensitive matches usernames and emails regardless of case.
	CaseInsensitive bool `yaml:"case_insensitive"`
	// Pepper is mixed into passwords as the legacy application did;
	// PepperFile names a file holding it.
	Pepper     string `yaml:"pepper"`
	PepperFile string `yaml:"pepper_file"`
	// Firebase holds the project's password hash parameters, for users
	// exported from Firebase Authentication (hash_format firebase-scrypt).
	Firebase passhash.FirebaseOptions `yaml:"firebase"`
}

// LogValue keeps the pepper out of logs.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("path", c.Path),
		slog.String("format", c.Format),
		slog.String("lookup", c.Lookup),
		slog.Bool("pepper_set", c.Pepper != "" || c.PepperFile != ""),
	)
}

// String keeps fmt from printing the pepper.
func (c Config) String() string { return c.LogValue().String() }

// Entry is one user as the file holds it.
type Entry struct {
	ID            string            `yaml:"id"`
	Username      string            `yaml:"username"`
	Email         string            `yaml:"email"`
	EmailVerified bool              `yaml:"email_verified"`
	Phone         string            `yaml:"phone"`
	PhoneVerified bool              `yaml:"phone_verified"`
	PasswordHash  string            `yaml:"password_hash"`
	Salt          string            `yaml:"salt"`
	HashFormat    string            `yaml:"hash_format"`
	Disabled      bool              `yaml:"disabled"`
	Groups        []string          `yaml:"groups"`
	Attributes    map[string]string `yaml:"attributes"`
}

type fileDoc struct {
	Users []Entry `yaml:"users"`
}

// Validate reports every problem with the configuration, each with its path.
func (c *Config) Validate() error {
	var errs []error
	if c.Path == "" {
		errs = append(errs, errors.New("path: required"))
	}
	if _, err := c.format(); err != nil && c.Path != "" {
		errs = append(errs, err)
	}
	switch c.Lookup {
	case "", LookupUsername, LookupEmail, LookupBoth:
	default:
		errs = append(errs, fmt.Errorf("lookup: unknown mode %q (username, email or both)", c.Lookup))
	}
	if c.Pepper != "" && c.PepperFile != "" {
		errs = append(errs, errors.New("pepper: set either pepper or pepper_file, not both"))
	}
	errs = append(errs, passhash.ValidateBlock("firebase", c.Firebase)...)
	return errors.Join(errs...)
}

func (c *Config) format() (string, error) {
	f := strings.ToLower(c.Format)
	if f == "" {
		switch strings.ToLower(filepath.Ext(c.Path)) {
		case ".yaml", ".yml":
			f = FormatYAML
		case ".csv":
			f = FormatCSV
		}
	}
	switch f {
	case FormatYAML, FormatCSV:
		return f, nil
	case "":
		return "", fmt.Errorf("format: cannot tell from %q; set yaml or csv", filepath.Base(c.Path))
	default:
		return "", fmt.Errorf("format: unknown format %q (yaml or csv)", c.Format)
	}
}

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
}

var (
	_ source.Source  = (*Source)(nil)
	_ source.Checker = (*Source)(nil)
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
	return s, nil
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

func readFile(path, format string) ([]Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, MaxFileBytes)
	}
	if format == FormatCSV {
		return parseCSV(data)
	}
	return parseYAML(data)
}

func parseYAML(data []byte) ([]Entry, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var doc fileDoc
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("yaml: %w", err)
	}
	return doc.Users, nil
}

// csvFields are the CSV columns with a meaning; any other is an attribute.
var csvFields = []string{"id", "username", "email", "email_verified", "phone", "phone_verified",
	"password_hash", "salt", "hash_format", "disabled", "groups"}

func parseCSV(data []byte) ([]Entry, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("csv header: %w", err)
	}
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	if !slices.Contains(header, "username") {
		return nil, errors.New("csv header: no username column")
	}
	var out []Entry
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("csv: %w", err)
		}
		var e Entry
		for i, col := range header {
			v := rec[i]
			var berr error
			switch col {
			case "id":
				e.ID = v
			case "username":
				e.Username = v
			case "email":
				e.Email = v
			case "email_verified":
				e.EmailVerified, berr = csvBool(v)
			case "phone":
				e.Phone = v
			case "phone_verified":
				e.PhoneVerified, berr = csvBool(v)
			case "password_hash":
				e.PasswordHash = v
			case "salt":
				e.Salt = v
			case "hash_format":
				e.HashFormat = v
			case "disabled":
				e.Disabled, berr = csvBool(v)
			case "groups":
				for g := range strings.SplitSeq(v, ";") {
					if g = strings.TrimSpace(g); g != "" {
						e.Groups = append(e.Groups, g)
					}
				}
			default:
				if v != "" {
					if e.Attributes == nil {
						e.Attributes = map[string]string{}
					}
					e.Attributes[col] = v
				}
			}
			if berr != nil {
				return nil, fmt.Errorf("csv line %d, column %s: %w", line, col, berr)
			}
		}
		out = append(out, e)
	}
}

func csvBool(v string) (bool, error) {
	if strings.TrimSpace(v) == "" {
		return false, nil
	}
	return strconv.ParseBool(strings.TrimSpace(v))
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

// spend verifies password against the dummy hash so that an unknown user
// costs what a wrong password does.
func (s *Source) spend(ctx context.Context, password string) error {
	_, err := s.verifier.Verify(ctx, password, s.dummy)
	if err != nil && ctx.Err() != nil {
		return err
	}
	return nil
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
	if e == nil || e.PasswordHash == "" {
		if err := s.spend(ctx, password); err != nil {
			return nil, s.fault(op, err)
		}
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
		if err := s.spend(ctx, password); err != nil {
			return nil, s.fault(op, err)
		}
		s.log.WarnContext(ctx, "legacy user's record is unusable", "user_id", e.ID, "error", err)
		return nil, rec
	}
	if err != nil {
		return nil, s.fault(op, err)
	}
	if e.Disabled {
		return nil, source.ErrUserDisabled
	}
	if !res.Match {
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
