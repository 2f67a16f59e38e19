package httpsource

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/ferry-migrate/ferry/internal/source"
)

// ferryUser is a user in Ferry's contract.
type ferryUser struct {
	ID                  string            `json:"id"`
	Username            string            `json:"username"`
	Email               string            `json:"email"`
	EmailVerified       bool              `json:"email_verified"`
	PhoneNumber         string            `json:"phone_number"`
	PhoneNumberVerified bool              `json:"phone_number_verified"`
	Attributes          map[string]string `json:"attributes"`
	Groups              []string          `json:"groups"`
	// PasswordResetRequired: the legacy application requires a new
	// password; the user migrates with RESET_REQUIRED.
	PasswordResetRequired bool `json:"password_reset_required"`
}

func (s *Source) ferryCall(ctx context.Context, path string, body credentials, passwordAnswer bool) (*source.User, error) {
	res, err := s.call(ctx, http.MethodPost, path, body)
	if err != nil {
		return nil, err
	}
	if res.status != http.StatusOK {
		return nil, res.outcome(passwordAnswer)
	}
	var fu ferryUser
	if err := json.Unmarshal(res.body, &fu); err != nil {
		return nil, fmt.Errorf("POST %s: %w: %v", path, ErrBadResponse, jsonErr(err))
	}
	if fu.ID == "" {
		return nil, fmt.Errorf("POST %s: %w: no id", path, ErrBadResponse)
	}
	u := &source.User{
		ID:            fu.ID,
		Username:      fu.Username,
		Email:         fu.Email,
		EmailVerified: fu.EmailVerified && fu.Email != "",
		Phone:         fu.PhoneNumber,
		PhoneVerified: fu.PhoneNumberVerified && fu.PhoneNumber != "",
		Attributes:    fu.Attributes,
		Groups:        fu.Groups,
		ResetRequired: fu.PasswordResetRequired,
	}
	if u.Attributes == nil {
		u.Attributes = map[string]string{}
	}
	if u.Username == "" {
		u.Username = body.Username
	}
	return u, nil
}
