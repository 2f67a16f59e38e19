package cognitoapi

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

func getUser(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		AccessToken string `json:"AccessToken"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("AccessToken", in.AccessToken); err != nil {
		return nil, err
	}
	u, err := s.svc.GetUser(ctx, in.AccessToken)
	if err != nil {
		return nil, err
	}
	out := getUserOut{Username: u.Username, UserAttributes: attributesOut(u)}
	out.PreferredMfaSetting, out.UserMFASettingList = userpool.MFASettings(u)
	return out, nil
}
