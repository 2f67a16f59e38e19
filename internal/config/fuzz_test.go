package config_test

import (
	"errors"
	"testing"

	"github.com/ferry-migrate/ferry/internal/config"
)

// FuzzLoad feeds arbitrary documents to the loader: it must never panic,
// and must either accept a document or say why with ErrInvalid.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		"sources: [{name: a, type: fake, config: {path: p, query: {by_username: q}}}]\n",
		"sources:\n  - name: a\n    type: fake\n    config: {path: ${HOME}, token_file: /x}\n",
		"migration: {pool_mode: alias, deadline: 3s, password_policy: {min_length: 8}}\n",
		"a: &x {b: *x}\n",
		"sources: [[[]]]\n",
		"<<: {sources: []}\n",
		"sources: [{config: !!binary aGVsbG8=}]\n",
	} {
		f.Add(seed)
	}
	l := config.Loader{
		Types:     map[string]func() any{"fake": func() any { return &fakeConfig{} }},
		LookupEnv: func(string) (string, bool) { return "v", true },
		ReadFile:  func(string) ([]byte, error) { return []byte("secret"), nil },
	}
	f.Fuzz(func(t *testing.T, doc string) {
		cfg, err := l.Load([]byte(doc))
		if err != nil && !errors.Is(err, config.ErrInvalid) {
			t.Fatalf("error without ErrInvalid: %v", err)
		}
		if err == nil && len(cfg.Sources) == 0 {
			t.Fatal("accepted a configuration without sources")
		}
	})
}
