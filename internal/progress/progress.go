// Package progress reads how far a migration has come: every legacy
// source's users, counted, or listed and matched against the target pool.
// Status reports it per source (`ferry status`); Export writes the users
// who never migrated as a Cognito user import file (`ferry export`). Both
// open each source the same way, through package setup, and treat the pool
// as the truth when it is given.
package progress

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/ferry-migrate/ferry/internal/config"
	"github.com/ferry-migrate/ferry/internal/setup"
	"github.com/ferry-migrate/ferry/internal/source"
)

// DefaultMaxPoolUsers stops a pool scan that would run for hours: at 60
// users a page and Cognito's default 30 ListUsers requests per second
// (shared with everything else calling it), two million users take about
// 20 minutes.
const DefaultMaxPoolUsers = 2_000_000

// MarksOptimistic is what a report says when it cannot compare the marks
// with the pool: a trigger writes its mark when it answers, and cannot see
// whether Cognito then stored the user.
const MarksOptimistic = "marks are optimistic: the trigger marks a user when it answers, before Cognito stores them; give --user-pool-id to check the marks against the pool"

// ErrUnlisted: a source of a type that cannot list its users (HTTP,
// Cognito). A report says so for that source; it is not a fault.
var ErrUnlisted = errors.New("this type of source cannot list its users")

// Pool is the target user pool a report reads, when one is given.
type Pool struct {
	API *cip.Client
	ID  string
	// MaxUsers stops the scan with an error past this many users
	// (default DefaultMaxPoolUsers).
	MaxUsers int
	// Progress, when set, receives a line every poolProgressEvery users
	// read.
	Progress io.Writer
}

// listing is one open source that can list its users, with its counts.
type listing struct {
	source.Lister
	counts source.Counts
	close  func()
}

// openListing opens the configured source b, finds its Lister and reads
// its counts. The caller closes the listing.
func openListing(ctx context.Context, b config.Backend, logger *slog.Logger) (*listing, error) {
	s, err := setup.OpenSource(ctx, b, logger)
	if err != nil {
		return nil, err
	}
	l, ok := source.As[source.Lister](s)
	if !ok {
		_ = source.Close(s)
		return nil, fmt.Errorf("source %s (%s): %w", b.Name, b.Type, ErrUnlisted)
	}
	c, err := l.Count(ctx)
	if err != nil {
		_ = source.Close(s)
		return nil, err
	}
	return &listing{Lister: l, counts: c, close: func() { _ = source.Close(s) }}, nil
}

// unlisted reports whether err says that a source cannot list its users,
// by its type or by its configuration: an outcome to report, not a fault.
func unlisted(err error) bool {
	return errors.Is(err, ErrUnlisted) || setup.CannotList(err)
}
