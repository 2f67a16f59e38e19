package cognitoapi

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

func respond(ctx context.Context, s *Server, c *call, admin bool) (any, error) {
	var in struct {
		UserPoolID         string            `json:"UserPoolId"`
		ClientID           string            `json:"ClientId"`
		ChallengeName      string            `json:"ChallengeName"`
		Session            string            `json:"Session"`
		ChallengeResponses map[string]string `json:"ChallengeResponses"`
		ClientMetadata     map[string]string `json:"ClientMetadata"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if admin {
		if err := required("UserPoolId", in.UserPoolID); err != nil {
			return nil, err
		}
	}
	if err := required("ClientId", in.ClientID, "ChallengeName", in.ChallengeName); err != nil {
		return nil, err
	}
	if in.ChallengeResponses == nil {
		in.ChallengeResponses = map[string]string{}
	}
	r, err := s.svc.RespondToAuthChallenge(ctx, userpool.ChallengeInput{PoolID: in.UserPoolID, ClientID: in.ClientID,
		ChallengeName: in.ChallengeName, Session: in.Session, Responses: in.ChallengeResponses,
		ClientMetadata: in.ClientMetadata})
	if err != nil {
		return nil, err
	}
	return authResult(r), nil
}

func respondToAuthChallenge(ctx context.Context, s *Server, c *call) (any, error) {
	return respond(ctx, s, c, false)
}
