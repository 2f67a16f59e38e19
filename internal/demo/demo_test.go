package demo

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
)

// TestFailingStep makes the legacy directory store another password for
// alice: her sign-in must fail, and the demo must stop there and say so.
func TestFailingStep(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := Run(t.Context(), Options{
		Out: &out, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		legacyPassword: map[string]string{"alice": "something-else"},
	})
	var stepErr *StepError
	if !errors.As(err, &stepErr) || stepErr.Step != 3 {
		t.Fatalf("Run = %v, want a failure at step 3\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "✗") || !strings.Contains(out.String(), "The demo stopped at step 3.") {
		t.Errorf("output does not name the failing step:\n%s", out.String())
	}
	if strings.Contains(out.String(), "[4/9]") {
		t.Errorf("the demo went on after a failed step:\n%s", out.String())
	}
}
