package userpool

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// Store errors. Stores return them (possibly wrapped); the service maps them
// to Cognito exceptions.
var (
	ErrNotFound      = errors.New("not found")
	ErrExists        = errors.New("already exists")       // pool id, client id, or username key taken
	ErrAliasExists   = errors.New("alias already exists") // an alias key held by another user
	ErrConflict      = errors.New("concurrent update")    // UpdateUser saw a different Version
	ErrInvalidCursor = errors.New("invalid pagination token")
)

// Pool is a user pool. Settings is the pool's configuration as the service
// understands it; a Store persists it opaquely.
type Pool struct {
	ID        string // "<region>_<alnum>", e.g. "us-east-1_a1B2c3D4e"
	Name      string
	Settings  json.RawMessage
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Client is an app client of a pool. Client ids are unique across pools
// (InitiateAuth names only the client), so a Store can find one by id alone.
type Client struct {
	ID        string // 26 lowercase alphanumerics
	PoolID    string
	Name      string
	Secret    string // empty when the client has no secret
	Settings  json.RawMessage
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Verifier is an SRP password verifier: Cognito-style SRP-6a salt and
// v = g^x mod N. No password is ever stored.
type Verifier struct {
	Salt []byte
	V    []byte
}

// Code is a one-time code sent to a user (confirmation or password reset).
type Code struct {
	Code      string
	ExpiresAt time.Time
	Attempts  int // failed attempts against this code
}

// User is a user of a pool.
type User struct {
	PoolID string
	// Username is the canonical username, as created (case preserved). In
	// pools whose UsernameAttributes are email/phone it is a generated UUID.
	Username string
	// UsernameKey is the lookup key of Username: lower-cased in
	// case-insensitive pools, equal to Username otherwise. The service
	// computes it; the Store keeps it unique per pool.
	UsernameKey string
	Sub         string // UUID, immutable
	// Status: UNCONFIRMED, CONFIRMED, RESET_REQUIRED, FORCE_CHANGE_PASSWORD.
	Status  string
	Enabled bool
	// Attributes holds every attribute but sub, e.g. "email",
	// "email_verified" ("true"/"false"), "custom:legacy_id".
	Attributes map[string]string
	// Aliases maps an alias attribute ("email", "phone_number",
	// "preferred_username") to its lookup key, for the aliases that are
	// active (verified, enabled in the pool). The Store keeps each
	// (PoolID, attribute, key) unique across users.
	Aliases map[string]string
	// Password is nil for users who have none (invited, or federated).
	Password *Verifier
	// ConfirmationCode and ResetCode are pending one-time codes, if any.
	ConfirmationCode *Code
	ResetCode        *Code
	// VerificationCodes are pending attribute-verification codes, by
	// attribute ("email", "phone_number").
	VerificationCodes map[string]*Code
	// PendingAttributes are new values of email or phone_number held back
	// until verified (the pool's AttributesRequireVerificationBeforeUpdate):
	// the old value stays in Attributes, and in use, meanwhile.
	PendingAttributes map[string]string
	// FailedSignIns counts wrong passwords since the lockout state was last
	// reset, and LastFailedSignIn is when the latest of them was typed.
	FailedSignIns    int
	LastFailedSignIn time.Time
	// MFA is the user's multi-factor settings and software token.
	MFA UserMFA
	// Origin says how the user came into the pool: "signup", "admin", or
	// "migration" (created by the user-migration trigger).
	Origin string
	// TokensValidAfter: tokens issued before this instant are revoked
	// (GlobalSignOut, AdminUserGlobalSignOut, password change).
	TokensValidAfter time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
	// Version is bumped by every successful UpdateUser; the Store rejects an
	// update whose Version is not the stored one (ErrConflict).
	Version int64
}

// LogValue redacts the verifier: with its salt it allows an offline
// dictionary attack on the password.
func (v *Verifier) LogValue() slog.Value { return slog.StringValue("REDACTED") }

// LogValue keeps a pending code out of logs; its expiry and attempts stay.
func (c *Code) LogValue() slog.Value {
	return slog.GroupValue(slog.Time("expires_at", c.ExpiresAt), slog.Int("attempts", c.Attempts))
}

// LogValue keeps the software token's secrets out of logs.
func (m UserMFA) LogValue() slog.Value {
	return slog.GroupValue(slog.Bool("sms", m.SMSEnabled), slog.Bool("totp", m.TOTPEnabled))
}

// LogValue logs who the user is and where they stand, never the verifier,
// pending codes or attribute values (personal data).
func (u *User) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("pool", u.PoolID), slog.String("username", u.Username), slog.String("sub", u.Sub),
		slog.String("status", u.Status), slog.Bool("enabled", u.Enabled), slog.String("origin", u.Origin),
		slog.Int64("version", u.Version), slog.Bool("has_password", u.Password != nil),
	)
}

// Filterable attributes for ListUsers, as Cognito allows them.
var FilterableAttributes = []string{
	"username", "email", "phone_number", "name", "given_name", "family_name",
	"preferred_username", "cognito:user_status", "status", "sub",
}

// ListUsersQuery selects users of one pool, in a stable order: UsernameKey
// when Attribute is "", otherwise the filtered value (as FilterKey folds it)
// then UsernameKey, which is Cognito's documented order and the order of an
// index on the attribute.
//
// A user matches "=" when FilterKey of its value (User.FilterValue) equals
// FilterKey of Value, and "^=" when it starts with it. A user whose
// attribute is unset or empty never matches.
type ListUsersQuery struct {
	// Attribute is one of FilterableAttributes, or "" for every user.
	Attribute string
	// Prefix selects "^=" (starts with) instead of "=" (equals).
	Prefix bool
	Value  string
	// Limit is 1..60; After is the cursor returned by the previous page.
	Limit int
	After string
}

// FilterValue returns the value of the filterable attribute of u that
// ListUsers matches: Username for "username", Sub for "sub", Status for
// "cognito:user_status", "Enabled"/"Disabled" for "status", and the
// attribute's value otherwise. ok is false when the user has none.
func (u *User) FilterValue(attribute string) (v string, ok bool) {
	switch attribute {
	case "username":
		v = u.Username
	case "sub":
		v = u.Sub
	case "cognito:user_status":
		v = u.Status
	case "status":
		v = "Disabled"
		if u.Enabled {
			v = "Enabled"
		}
	default:
		v = u.Attributes[attribute]
	}
	return v, v != ""
}

// FilterKey folds v, a value of the filterable attribute, into the form
// ListUsers compares: "username", "sub" and "status" are case-sensitive;
// "cognito:user_status" is case-insensitive (folded to upper case, as
// statuses are spelled); the standard attributes are case-insensitive
// (folded to lower case), as Cognito documents for searches.
func FilterKey(attribute, v string) string {
	switch attribute {
	case "username", "sub", "status":
		return v
	case "cognito:user_status":
		return strings.ToUpper(v)
	default:
		return strings.ToLower(v)
	}
}

// IsFilterable reports whether ListUsers can filter on attribute.
func IsFilterable(attribute string) bool {
	return slices.Contains(FilterableAttributes, attribute)
}

// RefreshToken is a refresh token as stored: only its SHA-256 hash, never
// the token itself.
type RefreshToken struct {
	Hash      string // hex SHA-256 of the opaque token
	PoolID    string
	ClientID  string
	Username  string // canonical username
	Sub       string
	OriginJTI string // shared by every token minted from this refresh token
	// Scope is the space-separated OAuth scopes of a managed-login sign-in,
	// kept so a refresh mints tokens with the same scopes; "" for tokens
	// of the user-pool API.
	Scope     string
	AuthTime  time.Time
	ExpiresAt time.Time
	Revoked   bool
	CreatedAt time.Time
}

// Domain is a pool's managed-login domain: a prefix domain
// ("my-app", served by Cognito as my-app.auth.<region>.amazoncognito.com)
// or a custom domain ("auth.example.com") with its certificate.
type Domain struct {
	Domain              string
	PoolID              string
	CertificateARN      string // custom domains only
	ManagedLoginVersion int    // 1: classic hosted UI, 2: managed login
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// ResourceServer is an OAuth 2.0 resource server of a pool: an identifier
// (often a URL) and the custom scopes clients may request as
// "<identifier>/<scope>".
type ResourceServer struct {
	PoolID     string
	Identifier string
	Name       string
	Scopes     []ResourceServerScope
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// ResourceServerScope is one custom scope of a resource server.
type ResourceServerScope struct {
	ScopeName        string `json:"ScopeName"`
	ScopeDescription string `json:"ScopeDescription"`
}

// Message is a code or notice delivered to the local outbox.
type Message struct {
	ID          int64 // assigned by the Store, increasing
	PoolID      string
	Username    string
	Medium      string // "EMAIL" or "SMS"
	Destination string // the address or number
	Kind        string // "confirmation", "reset", "invitation", "verification"
	Code        string
	Subject     string // of an email; "" for SMS
	Body        string
	CreatedAt   time.Time
}

// Group is a group of a pool's users (CreateGroup).
type Group struct {
	PoolID      string
	Name        string // case-sensitive, unique per pool
	Description string
	RoleArn     string
	Precedence  *int // nil when unset
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Store persists pools, clients, users, groups, refresh tokens and outbox
// messages.
//
// Contract (checked by storetest.Run):
//   - Every method is safe for concurrent use and atomic: a failed call
//     changes nothing (CreateUser never leaves half a user, nor an alias
//     without its user).
//   - Create* returns ErrExists when the key is taken; CreateUser returns
//     ErrAliasExists when an alias key is held by another user, unless
//     StealAliases is set, in which case the alias is moved to the new user
//     (and removed from the other user's Aliases) in the same transaction.
//   - Get*/Update*/Delete* return ErrNotFound for a missing key.
//   - UpdateUser applies only if u.Version equals the stored Version, then
//     stores Version+1 (and sets u.Version); otherwise ErrConflict. It
//     re-indexes aliases and may return ErrAliasExists.
//   - Creating a client, user, token or message in a missing pool returns
//     ErrNotFound.
//   - CreateDomain and CreateResourceServer return ErrExists for a taken
//     key and ErrNotFound for a missing pool.
//   - DeletePool removes the pool's clients, users, groups, tokens,
//     messages, domains and resource servers; DeleteUser removes the
//     user's refresh tokens and group memberships with it; DeleteGroup
//     removes its memberships.
//   - AddUserToGroup and RemoveUserFromGroup are idempotent; both return
//     ErrNotFound when the group or the user is missing.
//   - Groups list by name; a user's groups by name; a group's users by
//     username key.
//   - PutRefreshToken inserts or replaces the token with that Hash.
//     RevokeRefreshTokens matching no token is not an error.
//   - List* page in a stable order; a cursor is opaque to callers; a limit
//     of 0 or less means 60 (Cognito's largest page). A cursor the Store did
//     not issue for that query returns ErrInvalidCursor.
//   - Lookups by username key, alias key and sub stay O(log n) at 1,000,000
//     users.
type Store interface {
	CreatePool(ctx context.Context, p *Pool) error
	GetPool(ctx context.Context, id string) (*Pool, error)
	UpdatePool(ctx context.Context, p *Pool) error
	DeletePool(ctx context.Context, id string) error
	ListPools(ctx context.Context, limit int, after string) (pools []*Pool, next string, err error)

	CreateClient(ctx context.Context, c *Client) error
	GetClient(ctx context.Context, clientID string) (*Client, error)
	UpdateClient(ctx context.Context, c *Client) error
	DeleteClient(ctx context.Context, clientID string) error
	ListClients(ctx context.Context, poolID string, limit int, after string) (clients []*Client, next string, err error)

	CreateUser(ctx context.Context, u *User, opts CreateUserOptions) error
	GetUser(ctx context.Context, poolID, usernameKey string) (*User, error)
	GetUserByAlias(ctx context.Context, poolID, attribute, key string) (*User, error)
	GetUserBySub(ctx context.Context, poolID, sub string) (*User, error)
	UpdateUser(ctx context.Context, u *User) error
	DeleteUser(ctx context.Context, poolID, usernameKey string) error
	ListUsers(ctx context.Context, poolID string, q ListUsersQuery) (users []*User, next string, err error)
	CountUsers(ctx context.Context, poolID string) (int, error)

	CreateGroup(ctx context.Context, g *Group) error
	GetGroup(ctx context.Context, poolID, name string) (*Group, error)
	UpdateGroup(ctx context.Context, g *Group) error
	DeleteGroup(ctx context.Context, poolID, name string) error
	ListGroups(ctx context.Context, poolID string, limit int, after string) (groups []*Group, next string, err error)
	AddUserToGroup(ctx context.Context, poolID, group, usernameKey string) error
	RemoveUserFromGroup(ctx context.Context, poolID, group, usernameKey string) error
	ListGroupsForUser(ctx context.Context, poolID, usernameKey string, limit int, after string) (groups []*Group, next string, err error)
	ListUsersInGroup(ctx context.Context, poolID, group string, limit int, after string) (users []*User, next string, err error)

	PutRefreshToken(ctx context.Context, t *RefreshToken) error
	GetRefreshToken(ctx context.Context, hash string) (*RefreshToken, error)
	// RevokeRefreshTokens revokes the pool's tokens with the given origin
	// jti, or every token of username when originJTI is empty.
	RevokeRefreshTokens(ctx context.Context, poolID, username, originJTI string) error

	// Domains: a domain is unique across pools; ListDomains returns a
	// pool's domains in name order. DeletePool removes them.
	CreateDomain(ctx context.Context, d *Domain) error
	GetDomain(ctx context.Context, domain string) (*Domain, error)
	UpdateDomain(ctx context.Context, d *Domain) error
	DeleteDomain(ctx context.Context, domain string) error
	ListDomains(ctx context.Context, poolID string) ([]*Domain, error)

	// Resource servers are keyed by (PoolID, Identifier);
	// ListResourceServers returns a pool's in identifier order (Cognito
	// allows 25 per pool, so there is no paging here). DeletePool removes
	// them.
	CreateResourceServer(ctx context.Context, rs *ResourceServer) error
	GetResourceServer(ctx context.Context, poolID, identifier string) (*ResourceServer, error)
	UpdateResourceServer(ctx context.Context, rs *ResourceServer) error
	DeleteResourceServer(ctx context.Context, poolID, identifier string) error
	ListResourceServers(ctx context.Context, poolID string) ([]*ResourceServer, error)

	AppendMessage(ctx context.Context, m *Message) error
	// ListMessages returns messages with ID > afterID, oldest first; poolID
	// "" means every pool.
	ListMessages(ctx context.Context, poolID string, afterID int64, limit int) ([]*Message, error)

	Close() error
}

// CreateUserOptions modify CreateUser.
type CreateUserOptions struct {
	// StealAliases moves aliases held by other users to the new user
	// (forceAliasCreation / ForceAliasCreation).
	StealAliases bool
}
