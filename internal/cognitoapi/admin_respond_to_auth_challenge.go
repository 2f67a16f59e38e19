package cognitoapi

import "context"

func adminRespondToAuthChallenge(ctx context.Context, s *Server, c *call) (any, error) {
	return respond(ctx, s, c, true)
}
