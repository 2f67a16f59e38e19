package cognitoapi

import "context"

func updateUserAttributes(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		AccessToken    string            `json:"AccessToken"`
		UserAttributes []attributeIn     `json:"UserAttributes"`
		ClientMetadata map[string]string `json:"ClientMetadata"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("UserAttributes", in.UserAttributes, "AccessToken", in.AccessToken); err != nil {
		return nil, err
	}
	attrs, err := attributeMap("UserAttributes", in.UserAttributes)
	if err != nil {
		return nil, err
	}
	ds, err := s.svc.UpdateUserAttributes(ctx, in.AccessToken, attrs)
	if err != nil {
		return nil, err
	}
	out := struct {
		CodeDeliveryDetailsList []*codeDeliveryOut `json:"CodeDeliveryDetailsList"`
	}{CodeDeliveryDetailsList: []*codeDeliveryOut{}}
	for _, d := range ds {
		out.CodeDeliveryDetailsList = append(out.CodeDeliveryDetailsList, deliveryOut(d))
	}
	return out, nil
}
