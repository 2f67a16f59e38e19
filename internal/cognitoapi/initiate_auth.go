package cognitoapi

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// authOut is InitiateAuth's and RespondToAuthChallenge's output.
type authOut struct {
	ChallengeName        string            `json:"ChallengeName,omitempty"`
	Session              string            `json:"Session,omitempty"`
	ChallengeParameters  map[string]string `json:"ChallengeParameters"`
	AuthenticationResult *authResultOut    `json:"AuthenticationResult,omitempty"`
	// AvailableChallenges is InitiateAuth's only: USER_AUTH's
	// SELECT_CHALLENGE.
	AvailableChallenges []string `json:"AvailableChallenges,omitempty"`
}

type authResultOut struct {
	AccessToken  string `json:"AccessToken"`
	ExpiresIn    int64  `json:"ExpiresIn"`
	TokenType    string `json:"TokenType"`
	RefreshToken string `json:"RefreshToken,omitempty"`
	IDToken      string `json:"IdToken"`
}

func authResult(r *userpool.AuthResult) authOut {
	out := authOut{ChallengeName: r.ChallengeName, Session: r.Session, ChallengeParameters: r.ChallengeParameters,
		AvailableChallenges: r.AvailableChallenges}
	if out.ChallengeParameters == nil {
		out.ChallengeParameters = map[string]string{}
	}
	out.AuthenticationResult = tokenSetOut(r.Tokens)
	return out
}

// tokenSetOut is AuthenticationResultType; nil for no tokens.
func tokenSetOut(t *userpool.TokenSet) *authResultOut {
	if t == nil {
		return nil
	}
	return &authResultOut{AccessToken: t.AccessToken, ExpiresIn: t.ExpiresIn,
		TokenType: t.TokenType, RefreshToken: t.RefreshToken, IDToken: t.IDToken}
}

type initiateAuthIn struct {
	UserPoolID     string            `json:"UserPoolId"`
	ClientID       string            `json:"ClientId"`
	AuthFlow       string            `json:"AuthFlow"`
	AuthParameters map[string]string `json:"AuthParameters"`
	ClientMetadata map[string]string `json:"ClientMetadata"`
	Session        string            `json:"Session"`
}

func initiate(ctx context.Context, s *Server, c *call, admin bool) (any, error) {
	var in initiateAuthIn
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if admin {
		if err := required("UserPoolId", in.UserPoolID); err != nil {
			return nil, err
		}
	}
	if err := required("ClientId", in.ClientID, "AuthFlow", in.AuthFlow); err != nil {
		return nil, err
	}
	if in.AuthParameters == nil {
		in.AuthParameters = map[string]string{}
	}
	r, err := s.svc.InitiateAuth(ctx, userpool.AuthInput{Admin: admin, PoolID: in.UserPoolID, ClientID: in.ClientID,
		AuthFlow: in.AuthFlow, Params: in.AuthParameters, ClientMetadata: in.ClientMetadata, Session: in.Session})
	if err != nil {
		return nil, err
	}
	return authResult(r), nil
}

func initiateAuth(ctx context.Context, s *Server, c *call) (any, error) {
	return initiate(ctx, s, c, false)
}
