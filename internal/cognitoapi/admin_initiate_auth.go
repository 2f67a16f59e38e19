package cognitoapi

import "context"

func adminInitiateAuth(ctx context.Context, s *Server, c *call) (any, error) {
	return initiate(ctx, s, c, true)
}
