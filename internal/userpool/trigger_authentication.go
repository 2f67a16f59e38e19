package userpool

import "context"

// Authentication trigger sources.
const (
	sourcePreAuthentication  = "PreAuthentication_Authentication"
	sourcePostAuthentication = "PostAuthentication_Authentication"
)

// preAuthentication runs the pool's PreAuthentication trigger before the
// password of a sign-in is checked (USER_PASSWORD_AUTH,
// ADMIN_USER_PASSWORD_AUTH, USER_SRP_AUTH, and USER_AUTH as its first
// factor starts); a function error refuses the sign-in. u is nil for a user that does not exist, reported (as Cognito
// does) only to clients that prevent user-existence errors, with
// userNotFound true. The request's ClientMetadata reaches the function as
// validationData, as Cognito documents.
func (s *Service) preAuthentication(ctx context.Context, p *pool, typed string, u *User) error {
	arn := p.set.LambdaConfig.PreAuthentication
	if arn == "" {
		return nil
	}
	name, attrs := typed, map[string]string{}
	if u != nil {
		name, attrs = u.Username, eventAttributes(p, u)
	}
	return s.runNotice(ctx, p, triggerPreAuthentication, arn, sourcePreAuthentication, name, struct {
		UserAttributes map[string]string `json:"userAttributes"`
		ValidationData map[string]string `json:"validationData"`
		UserNotFound   bool              `json:"userNotFound"`
	}{attrs, nonNil(callOf(ctx).meta), u == nil})
}

// postAuthentication runs the pool's PostAuthentication trigger once a
// sign-in is proven, before its tokens are issued; a function error fails
// the sign-in. This pool remembers no devices, so newDeviceUsed is always
// false.
func (s *Service) postAuthentication(ctx context.Context, p *pool, u *User) error {
	arn := p.set.LambdaConfig.PostAuthentication
	if arn == "" {
		return nil
	}
	return s.runNotice(ctx, p, triggerPostAuthentication, arn, sourcePostAuthentication, u.Username, struct {
		NewDeviceUsed  bool              `json:"newDeviceUsed"`
		UserAttributes map[string]string `json:"userAttributes"`
		ClientMetadata map[string]string `json:"clientMetadata"`
	}{false, eventAttributes(p, u), nonNil(callOf(ctx).meta)})
}
