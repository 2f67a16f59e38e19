package source_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/ferry-migrate/ferry/internal/passhash"
	"github.com/ferry-migrate/ferry/internal/source"
)

func TestHashRecord(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err    error
		reason string
	}{
		{fmt.Errorf("x: %w", passhash.ErrCostTooHigh), source.RecordHashOverBudget},
		{fmt.Errorf("x: %w", passhash.ErrUnknownFormat), source.RecordHashUnknown},
		{fmt.Errorf("x: %w", passhash.ErrMalformed), source.RecordHashMalformed},
		{fmt.Errorf("x: %w", passhash.ErrNotAllowed), source.RecordHashNotAllowed},
		{context.Canceled, ""},
	}
	for _, tc := range tests {
		rec := source.HashRecord("42", tc.err)
		switch {
		case tc.reason == "" && rec != nil:
			t.Errorf("HashRecord(%v) = %+v, want nil", tc.err, rec)
		case tc.reason != "" && (rec == nil || rec.Reason != tc.reason || rec.UserID != "42" || !errors.Is(rec, tc.err)):
			t.Errorf("HashRecord(%v) = %+v, want reason %s", tc.err, rec, tc.reason)
		}
	}
}
