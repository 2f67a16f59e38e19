package cognitoapi

import "context"

func verifySoftwareToken(ctx context.Context, s *Server, c *call) (any, error) {
	var in softwareTokenIn
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("UserCode", in.UserCode); err != nil {
		return nil, err
	}
	r, err := s.svc.VerifySoftwareToken(ctx, in.service())
	if err != nil {
		return nil, err
	}
	out := map[string]string{"Status": "SUCCESS"}
	if r.Session != "" {
		out["Session"] = r.Session
	}
	return out, nil
}
