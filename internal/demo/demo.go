// Package demo is `ferry demo`: it builds a legacy user directory on
// SQLite, starts a local user pool with Ferry as its user-migration
// trigger, and drives it with the AWS SDK for Go as an application would,
// checking every step. The pool, its store and the trigger are built
// through package setup, as `ferry serve` builds them.
package demo

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/setup"
	"github.com/ferry-migrate/ferry/internal/userpool"
)

// Options configure Run.
type Options struct {
	// Out receives the step-by-step account.
	Out io.Writer
	// Logger receives the pool's and the trigger's logs.
	Logger *slog.Logger

	// legacyPassword, when set, overrides the password the legacy
	// directory stores for a user (tests use it to make a step fail).
	legacyPassword map[string]string
}

// StepError names the demo step that did not do what it said.
type StepError struct {
	Step  int
	Title string
	Err   error
}

func (e *StepError) Error() string {
	return fmt.Sprintf("demo step %d (%s): %v", e.Step, e.Title, e.Err)
}

func (e *StepError) Unwrap() error { return e.Err }

// demo is one run of the demonstration.
// Its users are legacyUsers().
type demo struct {
	opts   Options
	users  []legacyUser
	out    io.Writer
	dir    string
	dbPath string
	legacy *sql.DB

	app     *setup.App
	store   userpool.Store
	svc     *userpool.Service
	baseURL string
	api     *cip.Client
	http    *http.Client

	poolID, clientID string
	invocations      atomic.Int64
	// first is alice's first sign-in, refreshed in step 4.
	first      *ciptypes.AuthenticationResultType
	stopServer func()
}

// countingInvoker counts trigger invocations, to show which sign-ins reach
// the legacy directory.
type countingInvoker struct {
	next userpool.Invoker
	n    *atomic.Int64
}

func (c countingInvoker) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	c.n.Add(1)
	return c.next.Invoke(ctx, payload)
}

// Run runs the demonstration, printing each step to o.Out. It returns a
// *StepError naming the first step that did not do what it said.
func Run(ctx context.Context, o Options) error {
	d := &demo{opts: o, out: o.Out, users: legacyUsers(), http: &http.Client{Timeout: 10 * time.Second}}
	dir, err := os.MkdirTemp("", "ferry-demo-")
	if err != nil {
		return fmt.Errorf("demo: temporary directory: %w", err)
	}
	d.dir = dir
	defer os.RemoveAll(dir)

	fmt.Fprintln(d.out, "Ferry demo: legacy users move into a Cognito user pool the moment they sign in.")
	fmt.Fprintln(d.out)
	steps := []struct {
		title string
		run   func(ctx context.Context) error
	}{
		{"create the legacy user directory", d.createLegacy},
		{"start the local user pool with Ferry as its migration trigger", d.startPool},
		{"a legacy user signs in: migrated on the spot", d.firstSignIn},
		{"the same user signs in again and refreshes: the pool answers alone", d.secondSignIn},
		{"a wrong password is refused and nothing is created", d.wrongPassword},
		{"users with phpass and bcrypt hashes sign in", d.otherFormats},
		{"a legacy user who forgot the password resets it", d.forgotPassword},
		{"the migrated user signs in with SRP", d.srpSignIn},
		{"check the bookkeeping", d.summary},
	}
	defer d.close()
	for i, s := range steps {
		fmt.Fprintf(d.out, "[%d/%d] %s\n", i+1, len(steps), capitalize(s.title))
		if err := s.run(ctx); err != nil {
			fmt.Fprintf(d.out, "      ✗ %v\n\nThe demo stopped at step %d.\n", err, i+1)
			return &StepError{Step: i + 1, Title: s.title, Err: err}
		}
		fmt.Fprintln(d.out)
	}
	fmt.Fprintln(d.out, "Every step did what it said. In production the same trigger runs as a Lambda")
	fmt.Fprintln(d.out, "function (make lambda) attached to a real pool; `ferry serve` runs this pool for development.")
	return nil
}

func (d *demo) say(format string, args ...any) {
	fmt.Fprintf(d.out, "      "+format+"\n", args...)
}

func (d *demo) ok(format string, args ...any) {
	fmt.Fprintf(d.out, "      ✓ "+format+"\n", args...)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// close stops the server and closes the sources, the pool store and the
// legacy database.
func (d *demo) close() {
	if d.stopServer != nil {
		d.stopServer()
	}
	if d.app != nil {
		_ = d.app.Close()
	}
	if d.store != nil {
		_ = d.store.Close()
	}
	if d.legacy != nil {
		_ = d.legacy.Close()
	}
}
