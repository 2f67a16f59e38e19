package cognitoapi

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// resourceServerIn is the input of Create/UpdateResourceServer.
type resourceServerIn struct {
	UserPoolID string                         `json:"UserPoolId"`
	Identifier string                         `json:"Identifier"`
	Name       string                         `json:"Name"`
	Scopes     []userpool.ResourceServerScope `json:"Scopes"`
}

func (in *resourceServerIn) input() userpool.ResourceServerInput {
	return userpool.ResourceServerInput{PoolID: in.UserPoolID, Identifier: in.Identifier, Name: in.Name, Scopes: in.Scopes}
}

// resourceServerOut renders ResourceServerType.
func resourceServerOut(rs *userpool.ResourceServer) map[string]any {
	scopes := rs.Scopes
	if scopes == nil {
		scopes = []userpool.ResourceServerScope{}
	}
	return map[string]any{"UserPoolId": rs.PoolID, "Identifier": rs.Identifier, "Name": rs.Name, "Scopes": scopes}
}

func createResourceServer(ctx context.Context, s *Server, c *call) (any, error) {
	var in resourceServerIn
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("UserPoolId", in.UserPoolID, "Identifier", in.Identifier, "Name", in.Name); err != nil {
		return nil, err
	}
	rs, err := s.svc.CreateResourceServer(ctx, in.input())
	if err != nil {
		return nil, err
	}
	return map[string]any{"ResourceServer": resourceServerOut(rs)}, nil
}
