package cognitoapi

import "context"

// csvHeaderSkipped are schema attributes the import file has no column for:
// Cognito makes sub itself and identities belong to federated sign-in.
var csvHeaderSkipped = map[string]bool{"sub": true, "identities": true}

// getCSVHeader answers GetCSVHeader: the columns of a user import file for
// the pool, its standard and custom attributes in schema order followed by
// cognito:mfa_enabled and cognito:username, as Cognito lists them.
// Developer-only attributes are left out, as the import cannot set them.
func getCSVHeader(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		UserPoolID string `json:"UserPoolId"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("UserPoolId", in.UserPoolID); err != nil {
		return nil, err
	}
	v, err := s.svc.DescribePool(ctx, in.UserPoolID)
	if err != nil {
		return nil, err
	}
	header := []string{}
	for _, a := range v.Settings.SchemaAttributes {
		if csvHeaderSkipped[a.Name] || a.DeveloperOnlyAttribute {
			continue
		}
		header = append(header, a.Name)
	}
	header = append(header, "cognito:mfa_enabled", "cognito:username")
	return struct {
		UserPoolID string   `json:"UserPoolId"`
		CSVHeader  []string `json:"CSVHeader"`
	}{in.UserPoolID, header}, nil
}
