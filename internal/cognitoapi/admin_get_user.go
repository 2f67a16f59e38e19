package cognitoapi

import (
	"context"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// getUserOut is AdminGetUser's and GetUser's output (UserAttributes, not
// UserType's Attributes).
type getUserOut struct {
	Username             string         `json:"Username"`
	UserAttributes       []attributeOut `json:"UserAttributes"`
	UserCreateDate       *epoch         `json:"UserCreateDate,omitempty"`
	UserLastModifiedDate *epoch         `json:"UserLastModifiedDate,omitempty"`
	Enabled              *bool          `json:"Enabled,omitempty"`
	UserStatus           string         `json:"UserStatus,omitempty"`
	PreferredMfaSetting  string         `json:"PreferredMfaSetting,omitempty"`
	UserMFASettingList   []string       `json:"UserMFASettingList,omitempty"`
}

func adminGetUser(ctx context.Context, s *Server, c *call) (any, error) {
	var in struct {
		UserPoolID string `json:"UserPoolId"`
		Username   string `json:"Username"`
	}
	if err := decode(c, &in); err != nil {
		return nil, err
	}
	if err := required("UserPoolId", in.UserPoolID, "Username", in.Username); err != nil {
		return nil, err
	}
	u, err := s.svc.AdminGetUser(ctx, in.UserPoolID, in.Username)
	if err != nil {
		return nil, err
	}
	return adminUserOut(u), nil
}

func adminUserOut(u *userpool.User) getUserOut {
	created, modified, enabled := epoch(u.CreatedAt), epoch(u.UpdatedAt), u.Enabled
	out := getUserOut{Username: u.Username, UserAttributes: attributesOut(u), UserCreateDate: &created,
		UserLastModifiedDate: &modified, Enabled: &enabled, UserStatus: u.Status}
	out.PreferredMfaSetting, out.UserMFASettingList = userpool.MFASettings(u)
	return out
}
