package cognitoapi

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// softwareTokenIn is AssociateSoftwareToken's and VerifySoftwareToken's
// input.
type softwareTokenIn struct {
	AccessToken        string `json:"AccessToken"`
	Session            string `json:"Session"`
	UserCode           string `json:"UserCode"`
	FriendlyDeviceName string `json:"FriendlyDeviceName"`
}

func (in softwareTokenIn) service() userpool.SoftwareTokenInput {
	return userpool.SoftwareTokenInput{AccessToken: in.AccessToken, Session: in.Session,
		UserCode: in.UserCode, FriendlyDeviceName: in.FriendlyDeviceName}
}

func associateSoftwareToken(ctx context.Context, s *Server, c *call) (any, error) {
	var in softwareTokenIn
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	r, err := s.svc.AssociateSoftwareToken(ctx, in.service())
	if err != nil {
		return nil, err
	}
	out := map[string]string{"SecretCode": r.SecretCode}
	if r.Session != "" {
		out["Session"] = r.Session
	}
	return out, nil
}
