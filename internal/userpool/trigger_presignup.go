package userpool

import (
	"context"
	"maps"
)

// PreSignUp trigger sources.
const (
	sourcePreSignUpSignUp          = "PreSignUp_SignUp"
	sourcePreSignUpAdminCreateUser = "PreSignUp_AdminCreateUser"
)

// preSignUpResponse is events.CognitoEventUserPoolsPreSignupResponse.
type preSignUpResponse struct {
	AutoConfirmUser bool `json:"autoConfirmUser"`
	AutoVerifyEmail bool `json:"autoVerifyEmail"`
	AutoVerifyPhone bool `json:"autoVerifyPhone"`
}

// preSignUp runs the pool's PreSignUp trigger for u, built but not yet
// stored, and applies its answer to u: autoConfirmUser confirms a SignUp
// (AdminCreateUser users keep FORCE_CHANGE_PASSWORD, as in Cognito),
// autoVerifyEmail and autoVerifyPhone mark the attribute verified (and
// fail, as Cognito does, when the user has no such attribute). It reports
// whether the user was auto-confirmed. A function error refuses the
// sign-up; nothing is stored.
func (s *Service) preSignUp(ctx context.Context, p *pool, u *User, source string, validationData map[string]string) (bool, error) {
	arn := p.set.LambdaConfig.PreSignUp
	if arn == "" {
		return false, nil
	}
	tc := callOf(ctx)
	attrs := maps.Clone(u.Attributes)
	ev := newEvent(p, tc, "1", source, u.Username)
	ev.Request = struct {
		UserAttributes map[string]string `json:"userAttributes"`
		ValidationData map[string]string `json:"validationData"`
		ClientMetadata map[string]string `json:"clientMetadata"`
	}{attrs, nonNil(validationData), nonNil(tc.meta)}
	ev.Response = preSignUpResponse{}
	var r preSignUpResponse
	if err := s.runTrigger(ctx, p, triggerPreSignUp, arn, ev, &r); err != nil {
		return false, err
	}
	if r.AutoVerifyEmail {
		if u.Attributes["email"] == "" {
			return false, newErr(ErrInvalidLambdaResponse, "Invalid lambda function output : autoVerifyEmail is true but the user has no email.")
		}
		u.Attributes["email_verified"] = "true"
	}
	if r.AutoVerifyPhone {
		if u.Attributes["phone_number"] == "" {
			return false, newErr(ErrInvalidLambdaResponse, "Invalid lambda function output : autoVerifyPhone is true but the user has no phone_number.")
		}
		u.Attributes["phone_number_verified"] = "true"
	}
	confirmed := r.AutoConfirmUser && source == sourcePreSignUpSignUp
	if confirmed {
		// A confirmed user's verified aliases are active at once.
		u.Status = "CONFIRMED"
		u.Aliases = p.set.aliases(u.Attributes)
	}
	return confirmed, nil
}
