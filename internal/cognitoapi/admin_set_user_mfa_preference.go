package cognitoapi

import "context"

func adminSetUserMFAPreference(ctx context.Context, s *Server, c *call) (any, error) {
	var in mfaPreferenceIn
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("UserPoolId", in.UserPoolID, "Username", in.Username); err != nil {
		return nil, err
	}
	return nil, s.svc.AdminSetUserMFAPreference(ctx, in.UserPoolID, in.Username, in.service())
}
