package config_test

import (
	"strings"
	"testing"
)

func TestMetricsSection(t *testing.T) {
	t.Parallel()
	const base = "sources: [{name: a, type: fake, config: {path: /p, query: {by_username: q}}}]\n"
	tests := []struct {
		name    string
		yaml    string
		wantNS  string
		wantErr string
	}{
		{"default", "", "", ""},
		{"namespace", "metrics: {namespace: Ferry/prod}\n", "Ferry/prod", ""},
		{"reserved namespace", "metrics: {namespace: AWS/Lambda}\n", "", "metrics.namespace:"},
		{"too long", "metrics: {namespace: " + strings.Repeat("n", 256) + "}\n", "", "metrics.namespace:"},
		{"unknown key", "metrics: {namespce: x}\n", "", "metrics.namespce: unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := loader(t, nil).Load([]byte(base + tt.yaml))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Load = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Metrics.Namespace != tt.wantNS {
				t.Errorf("namespace = %q, want %q", cfg.Metrics.Namespace, tt.wantNS)
			}
		})
	}
}
