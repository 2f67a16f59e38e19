// Package setup is Ferry's composition root: the one package that imports
// every legacy-source backend. It holds the table from a configured source
// type ("sql", "ldap", …) to the backend's Config, loads configurations
// with that table, and builds the running pieces — sources, migrator,
// trigger handler, logger — from a loaded configuration.
//
// Adding a backend is one line in sourceTypes; there is no init()
// registration.
package setup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"

	"github.com/ferry-migrate/ferry/internal/config"
	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/secrets"
	"github.com/ferry-migrate/ferry/internal/source"
	"github.com/ferry-migrate/ferry/internal/source/cognitosource"
	"github.com/ferry-migrate/ferry/internal/source/filesource"
	"github.com/ferry-migrate/ferry/internal/source/httpsource"
	"github.com/ferry-migrate/ferry/internal/source/ldapsource"
	"github.com/ferry-migrate/ferry/internal/source/sqlsource"
	"github.com/ferry-migrate/ferry/internal/trigger"
)

// sourceType is one backend: how to make its zero config for decoding and
// how to open a source from the decoded config.
type sourceType struct {
	newConfig func() any
	open      func(ctx context.Context, cfg any, name string, logger *slog.Logger) (source.Source, error)
}

// backend makes a sourceType from a backend's Open method expression, e.g.
// backend((*sqlsource.Config).Open).
func backend[C any, S source.Source](open func(*C, context.Context, string, *slog.Logger) (S, error)) sourceType {
	return sourceType{
		newConfig: func() any { return new(C) },
		open: func(ctx context.Context, cfg any, name string, logger *slog.Logger) (source.Source, error) {
			c, ok := cfg.(*C)
			if !ok {
				return nil, fmt.Errorf("config of type %T, want %T", cfg, c)
			}
			return open(c, ctx, name, logger)
		},
	}
}

// sourceTypes is the table of every backend Ferry ships.
func sourceTypes() map[string]sourceType {
	return map[string]sourceType{
		"sql":     backend((*sqlsource.Config).Open),
		"file":    backend((*filesource.Config).Open),
		"ldap":    backend((*ldapsource.Config).OpenSource),
		"http":    backend((*httpsource.Config).Open),
		"cognito": backend((*cognitosource.Config).Open),
	}
}

func loader(types map[string]sourceType) config.Loader {
	l := config.Loader{Types: map[string]func() any{}}
	for name, t := range types {
		l.Types[name] = t.newConfig
	}
	return l
}

// Load parses and validates a configuration. Secret references are
// resolved with the default AWS configuration (see package secrets).
func Load(data []byte) (*config.Config, error) {
	return loadWith(data, secrets.New(secrets.Options{}))
}

// LoadFile reads, parses and validates the configuration at path. Its
// error starts "config <path>: ".
func LoadFile(path string) (*config.Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
			err = pe.Err
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("config %s: no such file (pass --config with the path of your configuration; docs/configuration.md describes one)", path)
		}
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	cfg, err := Load(data)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// envDocument reads the document LoadEnv loads.
func envDocument(getenv func(string) string) ([]byte, error) {
	inline, file := getenv("FERRY_CONFIG"), getenv("FERRY_CONFIG_FILE")
	switch {
	case inline != "" && file != "":
		return nil, errors.New("set FERRY_CONFIG or FERRY_CONFIG_FILE, not both")
	case inline != "":
		return []byte(inline), nil
	case file != "":
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		return data, nil
	default:
		return nil, errors.New("no configuration: set FERRY_CONFIG (inline YAML) or FERRY_CONFIG_FILE")
	}
}

// NewLogger returns the logger the configuration asks for, writing to w.
func NewLogger(c config.Log, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.SlogLevel()}
	if c.Format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// App is a built configuration: the open sources and what runs on them.
type App struct {
	Config   *config.Config
	Logger   *slog.Logger
	Sources  []migration.NamedSource
	Migrator *migration.Migrator
	Handler  *trigger.Handler
}

// Build opens every source of cfg and wires the migrator and the trigger
// handler. On error, the sources already opened are closed.
func Build(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*App, error) {
	return build(ctx, cfg, Options{Logger: logger}, sourceTypes())
}

// BuildWith is Build with metrics and secret refresh (see Options).
func BuildWith(ctx context.Context, cfg *config.Config, o Options) (*App, error) {
	return build(ctx, cfg, o, sourceTypes())
}

func build(ctx context.Context, cfg *config.Config, o Options, types map[string]sourceType) (app *App, err error) {
	if o.Logger == nil {
		o.Logger = NewLogger(cfg.Log, os.Stderr)
	}
	logger := o.Logger
	l := applyLimits(cfg.Migration, o)
	logger.Debug("hash verification budget", "time", l.Time, "memory_mib", l.Memory>>20, "cpu_share", l.CPUShare)
	a := &App{Config: cfg, Logger: logger}
	defer func() {
		if err != nil {
			_ = a.Close()
		}
	}()
	var capped []failureCapper
	for i, b := range cfg.Sources {
		s, err := openSource(ctx, b, logger, types)
		if err != nil {
			return nil, err
		}
		if fc, ok := source.As[failureCapper](s); ok {
			capped = append(capped, fc)
		}
		if s, err = o.wrap(i, b, s, types); err != nil {
			_ = source.Close(s)
			return nil, err
		}
		a.Sources = append(a.Sources, migration.NamedSource{Name: b.Name, Source: s})
	}
	if o.Warm {
		warm(ctx, a.Sources, logger)
	}
	mo, err := guards(ctx, capThrottle(ctx, cfg, capped, logger), logger)
	if err != nil {
		return nil, err
	}
	mo.Sources, mo.Policy, mo.Logger = a.Sources, cfg.Migration, logger.With("component", "migration")
	mo.DeferMarks = o.DeferMarks
	a.Migrator, err = migration.New(mo)
	if err != nil {
		return nil, err
	}
	a.Handler, err = trigger.New(a.Migrator, trigger.Options{
		FailureStyle: cfg.Trigger.FailureStyle, Logger: logger.With("component", "trigger"), Metrics: o.Metrics,
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// OpenSource opens one configured source on its own (for `ferry check`,
// which reports on each). Close it with source.Close.
func OpenSource(ctx context.Context, b config.Backend, logger *slog.Logger) (source.Source, error) {
	return openSource(ctx, b, logger, sourceTypes())
}

func openSource(ctx context.Context, b config.Backend, logger *slog.Logger, types map[string]sourceType) (source.Source, error) {
	t, ok := types[b.Type]
	if !ok {
		return nil, &source.Error{Source: b.Name, Op: "open", Err: fmt.Errorf("unknown source type %q", b.Type)}
	}
	s, err := t.open(ctx, b.Config, b.Name, logger)
	if err != nil {
		if se := (*source.Error)(nil); errors.As(err, &se) {
			return nil, err // the backend named itself already
		}
		return nil, &source.Error{Source: b.Name, Op: "open", Err: err}
	}
	return s, nil
}

// Close closes every source that holds resources (io.Closer).
func (a *App) Close() error {
	var errs []error
	for _, s := range a.Sources {
		if err := source.Close(s.Source); err != nil {
			errs = append(errs, &source.Error{Source: s.Name, Op: "close", Err: err})
		}
	}
	return errors.Join(errs...)
}

// CannotList reports whether err says that a source cannot list its users
// as it is configured (a SQL source with neither a preset nor query.list):
// status and export then report the source as not counted, not as failed.
func CannotList(err error) bool {
	return errors.Is(err, sqlsource.ErrNoListing)
}
