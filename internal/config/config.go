// Package config loads Ferry's one YAML configuration: the chain of legacy
// sources (each {name, type, config}), the migration policy, the guards of
// the legacy store (throttle, circuit breaker), the rollout (shadow mode,
// staged enablement), the trigger's failure style and logging.
//
// Loading is strict and complete. YAML is parsed first; then every scalar
// value has ${VAR} references expanded from the environment (an unset
// variable is an error, never an empty string); then a key "x_file" whose
// struct has a field "x" but no field "x_file" is replaced by "x" holding
// the file's content (for secrets mounted as files); ${aws-sm:…} and
// ${aws-ssm:…} references are resolved through Loader.Secrets (see package
// secrets), and a secret-named field (dsn, password, token, …) holding a
// literal value is reported in Config.Warnings; then every key is
// checked against the target type, including each backend's own config, so
// a misspelt key is an error with its path; finally Validate reports every
// remaining problem at once, each with its path, e.g.
//
//	sources[1].config.query.by_username: required
//
// Backend types are not known here: the composition root passes a table of
// type name → new config value (see Loader).
//
// Example:
//
//	sources:
//	  - name: legacy
//	    type: sql
//	    config:
//	      preset: django
//	      driver: postgres
//	      dsn: ${LEGACY_DSN}
//	migration:
//	  username_case: lower
//	  pool_mode: alias
//	  reset_weak_hash: true
//	  mark_migrated: true
//	trigger:
//	  failure_style: error
//	log:
//	  level: info
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/ferry-migrate/ferry/internal/guard"
	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/rollout"
	"github.com/ferry-migrate/ferry/internal/trigger"
)

// Config is the whole configuration.
type Config struct {
	Sources   []Backend        `yaml:"sources"`
	Migration migration.Policy `yaml:"migration"`
	Trigger   Trigger          `yaml:"trigger"`
	Log       Log              `yaml:"log"`
	Metrics   Metrics          `yaml:"metrics"`
	Guard     Guard            `yaml:"guard"`
	Rollout   rollout.Config   `yaml:"rollout"`

	// Warnings lists what Load accepted but advises against, each with
	// its path: a secret-named field holding a literal value.
	Warnings []string `yaml:"-"`
}

// Guard configures the protection of the legacy store: throttling of
// attempts and a circuit breaker per source. Both are on by default; see
// docs/abuse-and-rollout.md.
//
// Example:
//
//	guard:
//	  throttle:
//	    username: {max: 5, window: 15m}
//	    client: {max: 600, window: 1m}
//	    backend: {type: dynamodb, table: ferry-throttle}
//	  breaker:
//	    cool_down: 30s
type Guard struct {
	Throttle guard.ThrottleConfig `yaml:"throttle"`
	Breaker  guard.BreakerConfig  `yaml:"breaker"`
}

// Backend is one configured legacy source. Config holds the decoded value
// the Loader's type table made for Type (a pointer to the backend's
// Config), or nil when Type is unknown.
type Backend struct {
	Name   string `yaml:"name"`
	Type   string `yaml:"type"`
	Config any    `yaml:"-"`
	// SecretRefs lists the secret references (aws-sm:…, aws-ssm:…) that
	// Config's values came from, so the source can be reopened with
	// fresh values when its backend refuses them.
	SecretRefs []string `yaml:"-"`
}

// Trigger configures the Lambda adapter.
type Trigger struct {
	// FailureStyle is "error" (default) or "empty"; see trigger.FailureStyle.
	FailureStyle trigger.FailureStyle `yaml:"failure_style"`
}

// Log configures logging.
type Log struct {
	// Level is debug, info (default), warn or error.
	Level string `yaml:"level"`
	// Format is json (default; what Lambda and CloudWatch expect) or text.
	Format string `yaml:"format"`
}

// Metrics configures the trigger's CloudWatch Embedded Metric Format
// lines (see package metrics).
//
//	metrics:
//	  namespace: Ferry/prod   # default Ferry
//	  disabled: false
type Metrics struct {
	// Namespace is the CloudWatch namespace (default "Ferry").
	Namespace string `yaml:"namespace"`
	// Disabled turns the lines off.
	Disabled bool `yaml:"disabled"`
}

// maxNamespace is CloudWatch's limit on a namespace's length.
const maxNamespace = 255

// SlogLevel returns the configured level (info when unset).
func (l Log) SlogLevel() slog.Level {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(l.Level)); err != nil || l.Level == "" {
		return slog.LevelInfo
	}
	return lv
}

// Validator is implemented by backend configs.
type Validator interface {
	Validate() error
}

// Validate reports every problem at once, each prefixed with its path.
func (c *Config) Validate() error {
	var errs []error
	add := func(path string, err error) {
		for _, e := range flatten(err) {
			errs = append(errs, joinPath(path, e))
		}
	}
	if len(c.Sources) == 0 {
		errs = append(errs, errors.New("sources: at least one source is required"))
	}
	seen := map[string]int{}
	for i, b := range c.Sources {
		p := fmt.Sprintf("sources[%d]", i)
		switch j, dup := seen[b.Name]; {
		case b.Name == "":
			add(p+".name", errors.New("required"))
		case dup:
			add(p+".name", fmt.Errorf("%q is also the name of sources[%d]", b.Name, j))
		default:
			seen[b.Name] = i
		}
		if b.Type == "" {
			add(p+".type", errors.New("required"))
		}
		if v, ok := b.Config.(Validator); ok {
			if err := v.Validate(); err != nil {
				add(p+".config", err)
			}
		}
	}
	if err := c.Migration.Validate(); err != nil {
		add("migration", err)
	}
	names := make([]string, 0, len(c.Sources))
	for _, b := range c.Sources {
		names = append(names, b.Name)
	}
	if err := c.Migration.ValidateRouting(names); err != nil {
		add("migration", err)
	}
	if err := c.Guard.Throttle.Validate(); err != nil {
		add("guard.throttle", err)
	}
	if err := c.Guard.Breaker.Validate(); err != nil {
		add("guard.breaker", err)
	}
	if err := c.Rollout.Validate(); err != nil {
		add("rollout", err)
	}
	switch c.Trigger.FailureStyle {
	case "", trigger.FailError, trigger.FailEmpty:
	default:
		add("trigger.failure_style", fmt.Errorf("%q is not one of error, empty", c.Trigger.FailureStyle))
	}
	switch strings.ToLower(c.Log.Level) {
	case "", "debug", "info", "warn", "error":
	default:
		add("log.level", fmt.Errorf("%q is not one of debug, info, warn, error", c.Log.Level))
	}
	if n := c.Metrics.Namespace; len(n) > maxNamespace || strings.HasPrefix(n, "AWS/") || strings.ContainsAny(n, "\n\t\"") {
		add("metrics.namespace", fmt.Errorf("%q: at most %d characters, not AWS/, no quotes or control characters", n, maxNamespace))
	}
	switch c.Log.Format {
	case "", "json", "text":
	default:
		add("log.format", fmt.Errorf("%q is not one of json, text", c.Log.Format))
	}
	return errors.Join(errs...)
}

// flatten splits joined errors so each gets its own path prefix.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}
