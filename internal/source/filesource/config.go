package filesource

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/ferry-migrate/ferry/internal/passhash"
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
