package cognitoapi

import "context"

func addCustomAttributes(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		UserPoolID       string     `json:"UserPoolId"`
		CustomAttributes []schemaIn `json:"CustomAttributes"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("UserPoolId", in.UserPoolID, "CustomAttributes", in.CustomAttributes); err != nil {
		return nil, err
	}
	p := poolSettingsIn{Schema: in.CustomAttributes}
	return nil, s.svc.AddCustomAttributes(ctx, in.UserPoolID, p.schema())
}
