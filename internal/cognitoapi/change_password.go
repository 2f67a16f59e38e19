package cognitoapi

import "context"

func changePassword(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		PreviousPassword string `json:"PreviousPassword"`
		ProposedPassword string `json:"ProposedPassword"`
		AccessToken      string `json:"AccessToken"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("ProposedPassword", in.ProposedPassword, "AccessToken", in.AccessToken); err != nil {
		return nil, err
	}
	return nil, s.svc.ChangePassword(ctx, in.AccessToken, in.PreviousPassword, in.ProposedPassword)
}
