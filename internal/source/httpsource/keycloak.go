package httpsource

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/ferry-migrate/ferry/internal/source"
)

// keycloakUser is a user in the Keycloak user-migration contract.
type keycloakUser struct {
	ID              string              `json:"id"`
	Username        string              `json:"username"`
	Email           string              `json:"email"`
	EmailVerified   bool                `json:"emailVerified"`
	FirstName       string              `json:"firstName"`
	LastName        string              `json:"lastName"`
	Enabled         *bool               `json:"enabled"`
	Attributes      map[string][]string `json:"attributes"`
	Groups          []string            `json:"groups"`
	Roles           []string            `json:"roles"`
	RequiredActions []string            `json:"requiredActions"`
}

// keycloakPath is the path for a user: "/" and the escaped name. "." and
// ".." are refused: they would name the collection or its parent.
func keycloakPath(name string) (string, bool) {
	if name == "" || name == "." || name == ".." {
		return "", false
	}
	return "/" + url.PathEscape(name), true
}

func (s *Source) keycloakGet(ctx context.Context, name string) (*source.User, error) {
	path, ok := keycloakPath(name)
	if !ok {
		return nil, source.ErrUserNotFound
	}
	res, err := s.call(ctx, http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	if res.status != http.StatusOK {
		return nil, res.outcome(false)
	}
	var ku keycloakUser
	if err := json.Unmarshal(res.body, &ku); err != nil {
		return nil, fmt.Errorf("GET user: %w: %v", ErrBadResponse, jsonErr(err))
	}
	if ku.Enabled != nil && !*ku.Enabled {
		return nil, source.ErrUserDisabled
	}
	if ku.Username == "" {
		return nil, fmt.Errorf("GET user: %w: no username", ErrBadResponse)
	}
	u := &source.User{
		ID:            ku.ID,
		Username:      ku.Username,
		Email:         ku.Email,
		EmailVerified: ku.Email != "" && (ku.EmailVerified || s.cfg.EmailVerified),
		Attributes:    map[string]string{},
		Groups:        ku.Groups,
	}
	if u.ID == "" {
		u.ID = ku.Username
	}
	if ku.FirstName != "" {
		u.Attributes["given_name"] = ku.FirstName
	}
	if ku.LastName != "" {
		u.Attributes["family_name"] = ku.LastName
	}
	for attr, key := range s.cfg.Attributes {
		vs := ku.Attributes[key]
		if len(vs) == 0 || vs[0] == "" {
			continue
		}
		if attr == "phone_number" {
			u.Phone, u.PhoneVerified = vs[0], s.cfg.PhoneVerified
			continue
		}
		u.Attributes[attr] = vs[0]
	}
	for _, a := range ku.RequiredActions {
		if a == "UPDATE_PASSWORD" {
			u.ResetRequired = true
		}
	}
	return u, nil
}

func (s *Source) keycloakAuthenticate(ctx context.Context, name, password string) (*source.User, error) {
	u, err := s.keycloakGet(ctx, name)
	if err != nil && !source.IsOutcome(err) {
		return nil, err
	}
	if err != nil {
		// Same round trips as for a known user: a password check whose
		// answer is ignored.
		if path, ok := keycloakPath(name); ok {
			_, _ = s.call(ctx, http.MethodPost, path, credentials{Password: password})
		}
		return nil, err
	}
	path, _ := keycloakPath(name)
	res, err := s.call(ctx, http.MethodPost, path, credentials{Password: password})
	if err != nil {
		return nil, err
	}
	switch res.status {
	case http.StatusOK, http.StatusNoContent:
		return u, nil
	default:
		return nil, res.outcome(true)
	}
}
