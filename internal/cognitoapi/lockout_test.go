package cognitoapi_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
)

func TestLockout(t *testing.T) {
	t.Parallel()
	for _, opts := range map[string][]cognitotest.Option{"memstore": nil, "sqlite": {cognitotest.WithSQLite()}} {
		clk := newClock()
		s := cognitotest.NewServer(t, append(opts, withClock(clk))...)
		ctx := t.Context()
		s.CreateUser(t, "lola", "Passw0rd!")
		attempt := func(password string) (code, msg string) {
			_, err := s.SignIn(ctx, "lola", password)
			if err == nil {
				return "", ""
			}
			return apiCode(t, err), apiMessage(err)
		}
		for i := 1; i <= 5; i++ {
			if code, msg := attempt("wrong"); code != "NotAuthorizedException" || msg != "Incorrect username or password." {
				t.Fatalf("failure %d: %s %q", i, code, msg)
			}
		}
		// The sixth failure still says the password is wrong and starts a
		// 2 s lockout, in which even the right password is refused.
		if _, msg := attempt("wrong"); msg != "Incorrect username or password." {
			t.Fatalf("failure 6: %q", msg)
		}
		if code, msg := attempt("Passw0rd!"); code != "NotAuthorizedException" || msg != "Password attempts exceeded" {
			t.Fatalf("during lockout: %s %q", code, msg)
		}
		// The administrator's password flow is locked out the same way.
		_, err := s.API.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: aws.String(s.PoolID), ClientId: aws.String(s.ClientID),
			AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "lola", "PASSWORD": "Passw0rd!"}})
		if msg := apiMessage(err); msg != "Password attempts exceeded" {
			t.Fatalf("admin flow during lockout: %q", msg)
		}
		clk.advance(2 * time.Second)
		if _, msg := attempt("wrong"); msg != "Incorrect username or password." {
			t.Fatalf("failure 7: %q", msg)
		}
		clk.advance(3 * time.Second) // the seventh failure locks for 4 s
		if code, msg := attempt("Passw0rd!"); msg != "Password attempts exceeded" {
			t.Fatalf("3 s into a 4 s lockout: %s %q", code, msg)
		}
		clk.advance(time.Second)
		if code, _ := attempt("Passw0rd!"); code != "" {
			t.Fatalf("after the lockout: %s", code)
		}
		// A success starts the count again.
		for i := 1; i <= 5; i++ {
			if _, msg := attempt("wrong"); msg != "Incorrect username or password." {
				t.Fatalf("after success, failure %d: %q", i, msg)
			}
		}
		// Fifteen quiet minutes forget the failures too.
		clk.advance(15 * time.Minute)
		for i := 1; i <= 5; i++ {
			if _, msg := attempt("wrong"); msg != "Incorrect username or password." {
				t.Fatalf("after 15 min, failure %d: %q", i, msg)
			}
		}
	}
}
