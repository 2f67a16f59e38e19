package cognitoapi_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

func TestGroups(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	ctx := t.Context()
	pool := aws.String(s.PoolID)
	const adminRole = "arn:aws:iam::123456789012:role/admins"
	const readerRole = "arn:aws:iam::123456789012:role/readers"
	for _, g := range []cip.CreateGroupInput{
		{GroupName: aws.String("readers"), Precedence: aws.Int32(5), RoleArn: aws.String(readerRole)},
		{GroupName: aws.String("admins"), Precedence: aws.Int32(1), RoleArn: aws.String(adminRole), Description: aws.String("Administrators")},
		{GroupName: aws.String("beta")},
	} {
		g.UserPoolId = pool
		out, err := s.API.CreateGroup(ctx, &g)
		if err != nil {
			t.Fatalf("CreateGroup %s: %v", aws.ToString(g.GroupName), err)
		}
		if aws.ToString(out.Group.GroupName) != aws.ToString(g.GroupName) || out.Group.CreationDate == nil {
			t.Errorf("CreateGroup output = %+v", out.Group)
		}
	}
	_, err := s.API.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: pool, GroupName: aws.String("beta")})
	if code := apiCode(t, err); code != "GroupExistsException" {
		t.Errorf("duplicate: %s (%v)", code, err)
	}
	_, err = s.API.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: pool, GroupName: aws.String("x"), RoleArn: aws.String("not-an-arn-at-all-really")})
	if code := apiCode(t, err); code != "InvalidParameterException" {
		t.Errorf("bad role: %s (%v)", code, err)
	}
	_, err = s.API.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: pool, GroupName: aws.String("nobody")})
	if code, msg := apiCode(t, err), apiMessage(err); code != "ResourceNotFoundException" || msg != "Group not found." {
		t.Errorf("missing group: %s %q", code, msg)
	}
	up, err := s.API.UpdateGroup(ctx, &cip.UpdateGroupInput{UserPoolId: pool, GroupName: aws.String("beta"), Description: aws.String("Early access")})
	if err != nil || aws.ToString(up.Group.Description) != "Early access" {
		t.Fatalf("UpdateGroup: %+v %v", up, err)
	}

	s.CreateUser(t, "gina", "Passw0rd!")
	s.CreateUser(t, "hank", "Passw0rd!")
	for _, g := range []string{"readers", "admins", "beta"} {
		if _, err := s.API.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: pool, Username: aws.String("gina"), GroupName: aws.String(g)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.API.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: pool, Username: aws.String("hank"), GroupName: aws.String("readers")}); err != nil {
		t.Fatal(err)
	}
	_, err = s.API.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: pool, Username: aws.String("nobody"), GroupName: aws.String("readers")})
	if code := apiCode(t, err); code != "UserNotFoundException" {
		t.Errorf("unknown user: %s", code)
	}

	lg, err := s.API.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: pool, Limit: aws.Int32(2)})
	if err != nil || len(lg.Groups) != 2 || lg.NextToken == nil {
		t.Fatalf("ListGroups page 1: %+v %v", lg, err)
	}
	lg2, err := s.API.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: pool, Limit: aws.Int32(2), NextToken: lg.NextToken})
	if err != nil || len(lg2.Groups) != 1 || lg2.NextToken != nil {
		t.Fatalf("ListGroups page 2: %+v %v", lg2, err)
	}
	ug, err := s.API.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: pool, Username: aws.String("gina")})
	if err != nil || len(ug.Groups) != 3 {
		t.Fatalf("AdminListGroupsForUser: %+v %v", ug, err)
	}
	ur, err := s.API.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: pool, GroupName: aws.String("readers")})
	if err != nil || len(ur.Users) != 2 {
		t.Fatalf("ListUsersInGroup: %+v %v", ur, err)
	}

	a, err := s.SignIn(ctx, "gina", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	id, access := cognitotest.Claims(t, aws.ToString(a.AuthenticationResult.IdToken)), cognitotest.Claims(t, aws.ToString(a.AuthenticationResult.AccessToken))
	want := []any{"admins", "readers", "beta"} // by precedence, unset last
	for name, c := range map[string]map[string]any{"id": id, "access": access} {
		got, _ := c["cognito:groups"].([]any)
		if !slices.Equal(got, want) {
			t.Errorf("%s token cognito:groups = %v, want %v", name, c["cognito:groups"], want)
		}
	}
	if id["cognito:preferred_role"] != adminRole {
		t.Errorf("cognito:preferred_role = %v", id["cognito:preferred_role"])
	}
	if roles, _ := id["cognito:roles"].([]any); len(roles) != 2 {
		t.Errorf("cognito:roles = %v", id["cognito:roles"])
	}
	if _, ok := access["cognito:roles"]; ok {
		t.Error("access token carries cognito:roles")
	}

	if _, err := s.API.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: pool, Username: aws.String("gina"), GroupName: aws.String("admins")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.API.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: pool, GroupName: aws.String("beta")}); err != nil {
		t.Fatal(err)
	}
	a, err = s.SignIn(ctx, "gina", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	id = cognitotest.Claims(t, aws.ToString(a.AuthenticationResult.IdToken))
	if got, _ := id["cognito:groups"].([]any); !slices.Equal(got, []any{"readers"}) || id["cognito:preferred_role"] != readerRole {
		t.Errorf("after removal: groups %v, preferred role %v", id["cognito:groups"], id["cognito:preferred_role"])
	}
	hank, err := s.SignIn(ctx, "hank", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cognitotest.Claims(t, aws.ToString(hank.AuthenticationResult.IdToken))["cognito:groups"]; !ok {
		t.Error("hank's token has no cognito:groups")
	}
}

func TestAdminOperationsAcceptSub(t *testing.T) {
	t.Parallel()
	s := cognitotest.NewServer(t)
	ctx := t.Context()
	pool := aws.String(s.PoolID)
	s.CreateUser(t, "sam", "Passw0rd!")
	u, err := s.API.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String("sam")})
	if err != nil {
		t.Fatal(err)
	}
	sub := attrValue(u.UserAttributes, "sub")
	bySub, err := s.API.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String(sub)})
	if err != nil || aws.ToString(bySub.Username) != "sam" {
		t.Fatalf("AdminGetUser by sub: %+v %v", bySub, err)
	}
	if _, err := s.API.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: pool, Username: aws.String(sub)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.API.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: pool, Username: aws.String(strings.ToUpper(sub))}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.API.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: pool, Username: aws.String(sub), Password: aws.String("An0ther-pass"), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.API.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: pool, Username: aws.String(sub)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SignIn(ctx, "sam", "An0ther-pass"); err != nil {
		t.Fatal(err)
	}
	_, err = s.API.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String("00000000-0000-4000-8000-000000000000")})
	if code := apiCode(t, err); code != "UserNotFoundException" {
		t.Errorf("unknown sub: %s", code)
	}
	if _, err := s.API.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: pool, Username: aws.String(sub)}); err != nil {
		t.Fatal(err)
	}
	_, err = s.API.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: pool, Username: aws.String("sam")})
	if code := apiCode(t, err); code != "UserNotFoundException" {
		t.Errorf("after delete by sub: %s", code)
	}
}
