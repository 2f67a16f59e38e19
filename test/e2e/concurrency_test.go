package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/trigger"
)

// TestConcurrentMigrations checks that the pool runs the trigger for
// different users at the same time, as Cognito does: the migration
// throughput the peer benchmark measures is bound by the legacy hash only
// if first sign-ins are not serialised. Each invocation waits until all n
// have started; a pool that ran them one by one would never get there.
func TestConcurrentMigrations(t *testing.T) {
	endToEnd(t)
	t.Parallel()
	const n = 4
	var started sync.WaitGroup
	started.Add(n)
	all := make(chan struct{})
	go func() { started.Wait(); close(all) }()
	handler := func(ctx context.Context, ev trigger.Event) (trigger.Event, error) {
		started.Done()
		select {
		case <-all:
		case <-ctx.Done():
			return ev, ctx.Err()
		}
		ev.Response = trigger.Response{
			UserAttributes:  map[string]string{"email": ev.UserName + "@example.com", "email_verified": "true"},
			FinalUserStatus: "CONFIRMED", MessageAction: "SUPPRESS",
		}
		return ev, nil
	}
	s := cognitotest.NewServer(t, cognitotest.WithMigration(lambdainvoke.InProcess(handler)))
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	errs := make(chan error, n)
	for i := range n {
		go func() {
			out, err := s.SignIn(ctx, fmt.Sprintf("par%d", i), "Legacy#Pass1")
			if err == nil && out.AuthenticationResult == nil {
				b, _ := json.Marshal(out)
				err = fmt.Errorf("no tokens: %s", b)
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("concurrent first sign-in: %v", err)
		}
	}
}
