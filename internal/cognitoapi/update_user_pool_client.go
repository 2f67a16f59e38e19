package cognitoapi

import "context"

// updateUserPoolClient replaces the client's settings (replace, not merge).
func updateUserPoolClient(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		UserPoolID string `json:"UserPoolId"`
		ClientID   string `json:"ClientId"`
		clientSettingsIn
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("UserPoolId", in.UserPoolID, "ClientId", in.ClientID); err != nil {
		return nil, err
	}
	set, revocationSet := in.clientSettingsIn.settings(c.body)
	name := ""
	if in.ClientName != nil {
		name = *in.ClientName
	}
	v, err := s.svc.UpdateClient(ctx, in.UserPoolID, in.ClientID, name, set, revocationSet)
	if err != nil {
		return nil, err
	}
	out, err := clientOut(v)
	if err != nil {
		return nil, err
	}
	return map[string]any{"UserPoolClient": out}, nil
}
