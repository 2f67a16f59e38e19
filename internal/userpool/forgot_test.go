package userpool_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ferry-migrate/ferry/internal/trigger"
	"github.com/ferry-migrate/ferry/internal/userpool"
)

// TestForgotPasswordDeliveriesTakeTheFloor: behind a client that prevents
// existence errors, once a legacy user's migration on forgot-password has
// shown what that answer costs (a trigger that takes 20 ms), a name the
// trigger does not know and the user now in the pool are answered in the
// same time, a quarter above it, and so is the next migration. On the fake
// clock of testing/synctest the times are exact; unpadded they would be
// 20 ms, 0 and 0.
func TestForgotPasswordDeliveriesTakeTheFloor(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const work = 20 * time.Millisecond
		migrate := answer(trigger.Response{UserAttributes: map[string]string{"email": "ann@example.com", "email_verified": "true"}})
		f := newFixture(t, &fakeInvoker{InvokeFunc: func(ctx context.Context, ev trigger.Event) ([]byte, error) {
			if ev.UserName != "ann" && ev.UserName != "bob" {
				return answer(trigger.Response{})(ctx, ev) // nobody: the trigger says no at once
			}
			time.Sleep(work) // a legacy user: the trigger's lookup and answer
			return migrate(ctx, ev)
		}}, fixtureOpts{client: func(in *userpool.CreateClientInput) {
			in.Settings.PreventUserExistenceErrors = "ENABLED"
		}})
		want := work * 5 / 4
		for _, tc := range []struct{ name, username string }{
			{"legacy user, migrated", "ann"},
			{"unknown name", "nobody"},
			{"user already in the pool", "ann"},
			{"another legacy user", "bob"},
		} {
			start := time.Now()
			d, err := f.svc.ForgotPassword(t.Context(), userpool.ForgotPasswordInput{ClientID: f.clientID, Username: tc.username})
			if err != nil || d == nil {
				t.Fatalf("%s: %+v, %v; want a code delivery", tc.name, d, err)
			}
			if took := time.Since(start); took != want {
				t.Errorf("%s: answered in %v, want %v (a quarter above the migration's %v)", tc.name, took, want, work)
			}
		}
	})
}

// TestForgotPasswordFloorIsPerPool: each pool learns its own floor. After
// a migrating pool's forgot-password has shown that its trigger takes
// 20 ms, a pool of the same service without a trigger still answers an
// unknown name at its own cost (nothing, on the fake clock), and the
// migrating pool keeps padding to a quarter above its trigger. With one
// floor for the service the second pool would take 25 ms.
func TestForgotPasswordFloorIsPerPool(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const work = 20 * time.Millisecond
		migrate := answer(trigger.Response{UserAttributes: map[string]string{"email": "ann@example.com", "email_verified": "true"}})
		f := newFixture(t, &fakeInvoker{InvokeFunc: func(ctx context.Context, ev trigger.Event) ([]byte, error) {
			time.Sleep(work)
			return migrate(ctx, ev)
		}}, fixtureOpts{client: func(in *userpool.CreateClientInput) {
			in.Settings.PreventUserExistenceErrors = "ENABLED"
		}})
		ctx := t.Context()
		other, err := f.svc.CreatePool(ctx, userpool.CreatePoolInput{Name: "other", DefaultPolicy: true})
		if err != nil {
			t.Fatal(err)
		}
		oc, err := f.svc.CreateClient(ctx, userpool.CreateClientInput{PoolID: other.Pool.ID, Name: "app",
			Settings: userpool.ClientSettings{PreventUserExistenceErrors: "ENABLED"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, client, username string
			want                   time.Duration
		}{
			{"migrating pool, legacy user", f.clientID, "ann", work * 5 / 4},
			{"pool without a trigger, unknown name", oc.Client.ID, "nobody", 0},
			{"migrating pool, user now in the pool", f.clientID, "ann", work * 5 / 4},
		} {
			start := time.Now()
			d, err := f.svc.ForgotPassword(ctx, userpool.ForgotPasswordInput{ClientID: tc.client, Username: tc.username})
			if err != nil || d == nil {
				t.Fatalf("%s: %+v, %v; want a code delivery", tc.name, d, err)
			}
			if took := time.Since(start); took != tc.want {
				t.Errorf("%s: answered in %v, want %v", tc.name, took, tc.want)
			}
		}
	})
}
