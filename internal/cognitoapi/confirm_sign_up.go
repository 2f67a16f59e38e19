package cognitoapi

import "context"

func confirmSignUp(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		ClientID           string `json:"ClientId"`
		SecretHash         string `json:"SecretHash"`
		Username           string `json:"Username"`
		ConfirmationCode   string `json:"ConfirmationCode"`
		ForceAliasCreation bool   `json:"ForceAliasCreation"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("ClientId", in.ClientID, "Username", in.Username, "ConfirmationCode", in.ConfirmationCode); err != nil {
		return nil, err
	}
	return nil, s.svc.ConfirmSignUp(ctx, in.ClientID, in.SecretHash, in.Username, in.ConfirmationCode, in.ForceAliasCreation)
}
