package storetest_test

import (
	"bytes"
	"log/slog"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/userpool"
	"github.com/ferry-migrate/ferry/internal/userpool/memstore"
	"github.com/ferry-migrate/ferry/internal/userpool/storetest"
)

// The suite is exercised here against the simplest store; each store
// package runs it against itself.
func TestRunOnMemstore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(*testing.T) userpool.Store { return memstore.New() })
}

// TestStoredSecretsRedact logs a user holding every secret a store keeps
// and checks none reaches the log.
func TestStoredSecretsRedact(t *testing.T) {
	t.Parallel()
	u := &userpool.User{
		PoolID: "us-east-1_x", Username: "alice", Sub: "sub-1", Status: "CONFIRMED", Enabled: true,
		Attributes:       map[string]string{"email": "alice-private@example.com"},
		Password:         &userpool.Verifier{Salt: []byte("SALTSALT"), V: []byte("VERIFIERBYTES")},
		ConfirmationCode: &userpool.Code{Code: "918273", ExpiresAt: time.Unix(1, 0)},
		ResetCode:        &userpool.Code{Code: "564738", ExpiresAt: time.Unix(2, 0)},
	}
	secrets := []string{"SALTSALT", "VERIFIERBYTES", "U0FMVFNBTFQ", "VkVSSUZJRVJCWVRFUw", "918273", "564738", "alice-private"}
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			opts := &slog.HandlerOptions{Level: slog.LevelDebug}
			h := slog.Handler(slog.NewTextHandler(&buf, opts))
			if format == "json" {
				h = slog.NewJSONHandler(&buf, opts)
			}
			logger := slog.New(h)
			logger.Debug("user", "user", u, "verifier", u.Password, "code", u.ResetCode)
			out := buf.String()
			for _, s := range secrets {
				if bytes.Contains([]byte(out), []byte(s)) {
					t.Errorf("log holds %q: %s", s, out)
				}
			}
			if !bytes.Contains([]byte(out), []byte("alice")) {
				t.Errorf("log lost the username: %s", out)
			}
		})
	}
}
