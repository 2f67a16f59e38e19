package userpool

import "context"

// PostConfirmation trigger sources.
const (
	sourcePostConfirmationSignUp = "PostConfirmation_ConfirmSignUp"
	sourcePostConfirmationForgot = "PostConfirmation_ConfirmForgotPassword"
)

// postConfirmation runs the pool's PostConfirmation trigger for u, just
// confirmed (ConfirmSignUp, AdminConfirmSignUp, a SignUp its PreSignUp
// auto-confirmed) or just given a new password (ConfirmForgotPassword —
// also the first one of a user migrated by ForgotPassword). As in Cognito
// the confirmation stands when the function fails: the caller gets the
// function's error, the user stays confirmed.
func (s *Service) postConfirmation(ctx context.Context, p *pool, u *User, source string) error {
	arn := p.set.LambdaConfig.PostConfirmation
	if arn == "" {
		return nil
	}
	return s.runNotice(ctx, p, triggerPostConfirmation, arn, source, u.Username, struct {
		UserAttributes map[string]string `json:"userAttributes"`
		ClientMetadata map[string]string `json:"clientMetadata"`
	}{eventAttributes(p, u), nonNil(callOf(ctx).meta)})
}
