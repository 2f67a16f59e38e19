package setup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/ferry-migrate/ferry/internal/config"
	"github.com/ferry-migrate/ferry/internal/secrets"
	"github.com/ferry-migrate/ferry/internal/source"
)

// loadWith parses and validates data, resolving ${aws-sm:…} and
// ${aws-ssm:…} references through r.
func loadWith(data []byte, r *secrets.Resolver) (*config.Config, error) {
	l := loader(sourceTypes())
	l.Secrets = func(ref string) (string, error) {
		// The loader has no context; the resolver bounds each fetch.
		return r.ResolveString(context.Background(), ref)
	}
	return l.Load(data)
}

// Loaded is a configuration with what loads it again.
type Loaded struct {
	Config *config.Config
	// Secrets resolved the configuration's references and caches them.
	Secrets *secrets.Resolver
	// Reload loads the same document again: environment variables,
	// x_file files and (stale) secrets are read anew.
	Reload func() (*config.Config, error)
}

// LoadEnv loads the configuration the Lambda way — inline YAML in
// FERRY_CONFIG, or a file named by FERRY_CONFIG_FILE — resolving
// secret references through r (nil: a new resolver with the default AWS
// configuration, which is loaded only if a reference is met).
func LoadEnv(getenv func(string) string, r *secrets.Resolver) (*Loaded, error) {
	if r == nil {
		r = secrets.New(secrets.Options{})
	}
	data, err := envDocument(getenv)
	if err != nil {
		return nil, err
	}
	cfg, err := loadWith(data, r)
	if err != nil {
		return nil, err
	}
	return &Loaded{Config: cfg, Secrets: r, Reload: func() (*config.Config, error) { return loadWith(data, r) }}, nil
}

// refreshingSource reopens its source with freshly fetched secrets when
// the backend refuses the credentials (source.ErrBackendAuth), and retries
// the call once on the new source. Refetches are rate-limited by the
// resolver (secrets.DefaultMinRefresh): while a rotation settles, a
// refused call costs a fault, not a Secrets Manager call each.
type refreshingSource struct {
	name   string
	index  int // in the configuration's sources
	refs   []secrets.Ref
	res    *secrets.Resolver
	reload func() (*config.Config, error)
	open   func(ctx context.Context, b config.Backend) (source.Source, error)
	logger *slog.Logger

	mu     sync.RWMutex
	cur    source.Source
	reopen sync.Mutex
}

func newRefreshingSource(s source.Source, index int, b config.Backend, o Options, open func(context.Context, config.Backend) (source.Source, error)) (*refreshingSource, error) {
	rs := &refreshingSource{name: b.Name, index: index, res: o.Secrets, reload: o.Reload, open: open, cur: s,
		logger: o.Logger.With("component", "secrets", "source", b.Name)}
	for _, ref := range b.SecretRefs {
		p, err := secrets.Parse(ref)
		if err != nil {
			return nil, err
		}
		rs.refs = append(rs.refs, p)
	}
	return rs, nil
}

func (r *refreshingSource) current() source.Source {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.cur
}

func (r *refreshingSource) Authenticate(ctx context.Context, name, password string) (*source.User, error) {
	s := r.current()
	u, err := s.Authenticate(ctx, name, password)
	if errors.Is(err, source.ErrBackendAuth) {
		if s2, ok := r.refresh(ctx, s); ok {
			return s2.Authenticate(ctx, name, password)
		}
	}
	return u, err
}

func (r *refreshingSource) Lookup(ctx context.Context, name string) (*source.User, error) {
	s := r.current()
	u, err := s.Lookup(ctx, name)
	if errors.Is(err, source.ErrBackendAuth) {
		if s2, ok := r.refresh(ctx, s); ok {
			return s2.Lookup(ctx, name)
		}
	}
	return u, err
}

// Unwrap returns the current source: source.As finds its optional
// capabilities, and source.Close closes it.
func (r *refreshingSource) Unwrap() source.Source { return r.current() }

// refresh replaces failed (the source that refused) with one opened from
// a configuration loaded with fresh secrets. It reports the source to
// retry on, or false when nothing was replaced (too soon since the last
// fetch, or the reopen failed).
func (r *refreshingSource) refresh(ctx context.Context, failed source.Source) (source.Source, bool) {
	r.reopen.Lock()
	defer r.reopen.Unlock()
	if s := r.current(); s != failed {
		return s, true // another call has reopened it already
	}
	if !r.res.Invalidate(r.refs) {
		return nil, false
	}
	cfg, err := r.reload()
	if err == nil && (r.index >= len(cfg.Sources) || cfg.Sources[r.index].Name != r.name) {
		err = fmt.Errorf("source %s is no longer at sources[%d]", r.name, r.index)
	}
	var s source.Source
	if err == nil {
		s, err = r.open(ctx, cfg.Sources[r.index])
	}
	if err != nil {
		r.logger.LogAttrs(ctx, slog.LevelError, "reopening the source with fresh secrets", slog.String("error", err.Error()))
		return nil, false
	}
	r.mu.Lock()
	r.cur = s
	r.mu.Unlock()
	if err := source.Close(failed); err != nil {
		r.logger.LogAttrs(ctx, slog.LevelWarn, "closing the source with the refused secret", slog.String("error", err.Error()))
	}
	r.logger.LogAttrs(ctx, slog.LevelInfo, "backend refused the credentials; source reopened with fresh secrets")
	return s, true
}
