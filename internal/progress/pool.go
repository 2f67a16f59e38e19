package progress

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/ferry-migrate/ferry/internal/export"
	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/source"
)

// poolProgressEvery is how often (in users) a pool scan reports progress.
const poolProgressEvery = 6_000

// poolIndex holds the names of the pool's users, to tell which legacy
// users are already in it: usernames, and emails for the pools whose users
// may sign in with them. Names only — a few dozen bytes a user.
type poolIndex struct {
	users int
	// matchEmail: a pool user with a legacy user's email is that user.
	matchEmail bool
	usernames  map[string]bool
	emails     map[string]string // lower-cased email → username
}

// find reports whether u is in the pool, and as which username. Names
// compare case-insensitively: in a case-sensitive pool a user who differs
// only in case counts as present, which errs towards not importing twice.
func (p *poolIndex) find(m *export.Mapper, u *source.User) (string, bool) {
	if name, err := m.Username(u); err == nil {
		if p.usernames[strings.ToLower(name)] {
			return strings.ToLower(name), true
		}
	}
	if p.matchEmail && u.Email != "" {
		if name, ok := p.emails[strings.ToLower(u.Email)]; ok {
			return name, true
		}
	}
	return "", false
}

// read lists the pool's users, 60 a page, reporting progress and stopping
// with an error past MaxUsers. Under policy p, a pool user with a legacy
// user's email may be that user.
func (pool *Pool) read(ctx context.Context, p migration.Policy) (*poolIndex, error) {
	max := pool.MaxUsers
	if max <= 0 {
		max = DefaultMaxPoolUsers
	}
	idx := &poolIndex{usernames: map[string]bool{}, emails: map[string]string{}, matchEmail: matchesEmail(p.WithDefaults())}
	pages := cip.NewListUsersPaginator(pool.API, &cip.ListUsersInput{
		UserPoolId: aws.String(pool.ID), Limit: aws.Int32(60), AttributesToGet: []string{"email"},
	})
	next := poolProgressEvery
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("pool %s: list users: %w", pool.ID, err)
		}
		for _, u := range out.Users {
			name := strings.ToLower(aws.ToString(u.Username))
			idx.usernames[name] = true
			for _, a := range u.Attributes {
				if aws.ToString(a.Name) == "email" && aws.ToString(a.Value) != "" {
					idx.emails[strings.ToLower(aws.ToString(a.Value))] = name
				}
			}
		}
		idx.users += len(out.Users)
		if idx.users > max {
			return nil, fmt.Errorf("pool %s: more than %d users (raise --max-pool-users)", pool.ID, max)
		}
		if idx.users >= next && pool.Progress != nil {
			fmt.Fprintf(pool.Progress, "pool %s: %d users read\n", pool.ID, idx.users)
			next += poolProgressEvery
		}
	}
	return idx, nil
}

// matchesEmail reports whether the pool mode lets users sign in with
// their email, so that a pool user with a legacy user's email is that user.
func matchesEmail(p migration.Policy) bool {
	return p.PoolMode == migration.PoolAlias || p.PoolMode == migration.PoolEmailAsUsername
}
