package cognitoapi

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// updateUserPool replaces the pool's mutable settings: what the request
// leaves out returns to its default, as Cognito documents.
func updateUserPool(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		UserPoolID string `json:"UserPoolId"`
		poolSettingsIn
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("UserPoolId", in.UserPoolID); err != nil {
		return nil, err
	}
	next, _ := in.poolSettingsIn.settings(c.body)
	name := ""
	if in.PoolName != nil {
		name = *in.PoolName
	}
	return nil, s.svc.UpdatePool(ctx, in.UserPoolID, func(cur userpool.PoolSettings) (string, userpool.PoolSettings) {
		if cur.Policies.SignInPolicy != nil && next.Policies.SignInPolicy == nil {
			next.Policies.SignInPolicy = cur.Policies.SignInPolicy
		}
		return name, next
	})
}
