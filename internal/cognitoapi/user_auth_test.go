package cognitoapi_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/srp"
)

// sesEmail is an EmailConfiguration that sends through Amazon SES, which
// the EMAIL_OTP first factor needs.
var sesEmail = &types.EmailConfigurationType{EmailSendingAccount: types.EmailSendingAccountTypeDeveloper,
	SourceArn: aws.String("arn:aws:ses:us-east-1:123456789012:identity/no-reply@example.com")}

// withFirstFactors gives the ready pool a SignInPolicy and SES email.
func withFirstFactors(f ...types.AuthFactorType) cognitotest.Option {
	return cognitotest.WithPool(func(in *cip.CreateUserPoolInput) {
		in.Policies = &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: f}}
		in.EmailConfiguration = sesEmail
	})
}

// withUserAuth adds ALLOW_USER_AUTH to the ready client's flows.
var withUserAuth = cognitotest.WithClient(func(in *cip.CreateUserPoolClientInput) {
	in.ExplicitAuthFlows = append(in.ExplicitAuthFlows, types.ExplicitAuthFlowsTypeAllowUserAuth)
})

// userAuthServer is a pool allowing every implemented first factor, with
// uma (password, verified email and phone) and nova (password, unverified
// email).
func userAuthServer(t *testing.T, opts ...cognitotest.Option) *cognitotest.Server {
	t.Helper()
	s := cognitotest.NewServer(t, append([]cognitotest.Option{withUserAuth,
		withFirstFactors(types.AuthFactorTypePassword, types.AuthFactorTypeEmailOtp, types.AuthFactorTypeSmsOtp)}, opts...)...)
	s.CreateUser(t, "uma", "Passw0rd!", "email", "uma@example.com", "email_verified", "true",
		"phone_number", "+15555550100", "phone_number_verified", "true")
	s.CreateUser(t, "nova", "Passw0rd!", "email", "nova@example.com")
	return s
}

func startUserAuth(t *testing.T, s *cognitotest.Server, params map[string]string) (*cip.InitiateAuthOutput, error) {
	t.Helper()
	return s.API.InitiateAuth(t.Context(), &cip.InitiateAuthInput{ClientId: aws.String(s.ClientID),
		AuthFlow: types.AuthFlowTypeUserAuth, AuthParameters: params})
}

func answer(t *testing.T, s *cognitotest.Server, name types.ChallengeNameType, session *string, r map[string]string) (*cip.RespondToAuthChallengeOutput, error) {
	t.Helper()
	return s.API.RespondToAuthChallenge(t.Context(), &cip.RespondToAuthChallengeInput{ClientId: aws.String(s.ClientID),
		ChallengeName: name, Session: session, ChallengeResponses: r})
}

// srpClaim answers a PASSWORD_VERIFIER challenge with password.
func srpClaim(t *testing.T, c *srp.Client, p map[string]string) map[string]string {
	t.Helper()
	ts, sig, err := c.Respond(p["USER_ID_FOR_SRP"], p["SALT"], p["SRP_B"], p["SECRET_BLOCK"], time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{"USERNAME": p["USER_ID_FOR_SRP"], "PASSWORD_CLAIM_SECRET_BLOCK": p["SECRET_BLOCK"],
		"TIMESTAMP": ts, "PASSWORD_CLAIM_SIGNATURE": sig}
}

func TestUserAuthSelectChallenge(t *testing.T) {
	t.Parallel()
	s := userAuthServer(t)
	for _, tt := range []struct {
		user string
		want []types.ChallengeNameType
	}{
		{"uma", []types.ChallengeNameType{"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"}},
		{"nova", []types.ChallengeNameType{"PASSWORD", "PASSWORD_SRP"}}, // an unverified email gets no code
	} {
		out, err := startUserAuth(t, s, map[string]string{"USERNAME": tt.user})
		if err != nil {
			t.Fatalf("%s: %v", tt.user, err)
		}
		if out.ChallengeName != types.ChallengeNameTypeSelectChallenge || aws.ToString(out.Session) == "" ||
			!slices.Equal(out.AvailableChallenges, tt.want) {
			t.Errorf("%s: %s %v session=%q, want SELECT_CHALLENGE %v", tt.user, out.ChallengeName, out.AvailableChallenges, aws.ToString(out.Session), tt.want)
		}
	}
	// A preference the user cannot use falls back to the choice.
	out, err := startUserAuth(t, s, map[string]string{"USERNAME": "nova", "PREFERRED_CHALLENGE": "EMAIL_OTP"})
	if err != nil || out.ChallengeName != types.ChallengeNameTypeSelectChallenge {
		t.Errorf("nova preferring EMAIL_OTP: %v %+v", err, out)
	}
}

// TestUserAuthFirstFactors signs uma in through each first factor, both
// chosen from SELECT_CHALLENGE and named as PREFERRED_CHALLENGE.
func TestUserAuthFirstFactors(t *testing.T) {
	t.Parallel()
	s := userAuthServer(t)
	// finish answers whatever challenge the first step gave until tokens.
	finish := func(t *testing.T, name types.ChallengeNameType, session *string, params map[string]string, c *srp.Client) {
		t.Helper()
		for range 3 {
			var r map[string]string
			switch name {
			case types.ChallengeNameTypePasswordVerifier:
				r = srpClaim(t, c, params)
			case types.ChallengeNameTypeEmailOtp, types.ChallengeNameTypeSmsOtp:
				wantMedium := map[types.ChallengeNameType]string{"EMAIL_OTP": "EMAIL", "SMS_OTP": "SMS"}[name]
				if params["CODE_DELIVERY_DELIVERY_MEDIUM"] != wantMedium || params["CODE_DELIVERY_DESTINATION"] == "" {
					t.Errorf("%s parameters: %v", name, params)
				}
				key := string(name) + "_CODE"
				if _, err := answer(t, s, name, session, map[string]string{"USERNAME": "uma", key: "000000x"}); apiCode(t, err) != "CodeMismatchException" {
					t.Errorf("wrong %s: %v, want CodeMismatchException", key, err)
				}
				r = map[string]string{"USERNAME": "uma", key: lastCode(t, s, "uma")}
			case types.ChallengeNameTypePassword:
				r = map[string]string{"USERNAME": "uma", "PASSWORD": "Passw0rd!"}
			case types.ChallengeNameTypePasswordSrp:
				r = map[string]string{"USERNAME": "uma", "SRP_A": c.SRPA()}
			default:
				t.Fatalf("unexpected challenge %s", name)
			}
			out, err := answer(t, s, name, session, r)
			if err != nil {
				t.Fatalf("answer %s: %v", name, err)
			}
			if out.AuthenticationResult != nil {
				if claims := cognitotest.Claims(t, aws.ToString(out.AuthenticationResult.AccessToken)); claims["username"] != "uma" {
					t.Errorf("access token username = %v", claims["username"])
				}
				return
			}
			name, session, params = out.ChallengeName, out.Session, out.ChallengeParameters
		}
		t.Fatal("no tokens after three steps")
	}
	for _, factor := range []string{"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"} {
		t.Run("select "+factor, func(t *testing.T) {
			c, err := srp.NewClient(srp.PoolName(s.PoolID), "Passw0rd!")
			if err != nil {
				t.Fatal(err)
			}
			sel, err := startUserAuth(t, s, map[string]string{"USERNAME": "uma"})
			if err != nil {
				t.Fatal(err)
			}
			r := map[string]string{"USERNAME": "uma", "ANSWER": factor}
			switch factor {
			case "PASSWORD":
				r["PASSWORD"] = "Passw0rd!"
			case "PASSWORD_SRP":
				r["SRP_A"] = c.SRPA()
			}
			out, err := answer(t, s, types.ChallengeNameTypeSelectChallenge, sel.Session, r)
			if err != nil {
				t.Fatal(err)
			}
			if out.AuthenticationResult != nil {
				return // PASSWORD signs in at once
			}
			finish(t, out.ChallengeName, out.Session, out.ChallengeParameters, c)
			// The choice was made: its session is spent.
			if _, err := answer(t, s, types.ChallengeNameTypeSelectChallenge, sel.Session, r); apiCode(t, err) != "NotAuthorizedException" {
				t.Errorf("spent SELECT_CHALLENGE session: %v", err)
			}
		})
		t.Run("preferred "+factor, func(t *testing.T) {
			c, err := srp.NewClient(srp.PoolName(s.PoolID), "Passw0rd!")
			if err != nil {
				t.Fatal(err)
			}
			out, err := startUserAuth(t, s, map[string]string{"USERNAME": "uma", "PREFERRED_CHALLENGE": factor})
			if err != nil {
				t.Fatal(err)
			}
			if string(out.ChallengeName) != factor {
				t.Fatalf("challenge %s, want %s", out.ChallengeName, factor)
			}
			finish(t, out.ChallengeName, out.Session, out.ChallengeParameters, c)
		})
	}
	t.Run("preferred PASSWORD given at once", func(t *testing.T) {
		out, err := startUserAuth(t, s, map[string]string{"USERNAME": "uma", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Passw0rd!"})
		if err != nil || out.AuthenticationResult == nil {
			t.Fatalf("%v %+v", err, out)
		}
	})
	t.Run("preferred PASSWORD_SRP with SRP_A", func(t *testing.T) {
		c, err := srp.NewClient(srp.PoolName(s.PoolID), "Passw0rd!")
		if err != nil {
			t.Fatal(err)
		}
		out, err := startUserAuth(t, s, map[string]string{"USERNAME": "uma", "PREFERRED_CHALLENGE": "PASSWORD_SRP", "SRP_A": c.SRPA()})
		if err != nil || out.ChallengeName != types.ChallengeNameTypePasswordVerifier {
			t.Fatalf("%v %+v", err, out)
		}
		finish(t, out.ChallengeName, out.Session, out.ChallengeParameters, c)
	})
}

func TestUserAuthErrors(t *testing.T) {
	t.Parallel()
	s := userAuthServer(t)
	sel := func(t *testing.T) *string {
		out, err := startUserAuth(t, s, map[string]string{"USERNAME": "uma"})
		if err != nil {
			t.Fatal(err)
		}
		return out.Session
	}
	for _, tt := range []struct {
		name     string
		run      func(t *testing.T) error
		wantCode string
		wantMsg  string
	}{
		{"preferred WEB_AUTHN", func(t *testing.T) error {
			_, err := startUserAuth(t, s, map[string]string{"USERNAME": "uma", "PREFERRED_CHALLENGE": "WEB_AUTHN"})
			return err
		}, "InvalidParameterException", "not implemented by this local user pool"},
		{"answer WEB_AUTHN", func(t *testing.T) error {
			_, err := answer(t, s, types.ChallengeNameTypeSelectChallenge, sel(t), map[string]string{"USERNAME": "uma", "ANSWER": "WEB_AUTHN"})
			return err
		}, "InvalidParameterException", "not implemented by this local user pool"},
		{"unknown preference", func(t *testing.T) error {
			_, err := startUserAuth(t, s, map[string]string{"USERNAME": "uma", "PREFERRED_CHALLENGE": "SMS_MFA"})
			return err
		}, "InvalidParameterException", "PREFERRED_CHALLENGE"},
		{"missing username", func(t *testing.T) error {
			_, err := startUserAuth(t, s, map[string]string{})
			return err
		}, "InvalidParameterException", "USERNAME"},
		{"unknown user", func(t *testing.T) error {
			_, err := startUserAuth(t, s, map[string]string{"USERNAME": "nobody"})
			return err
		}, "UserNotFoundException", "User does not exist."},
		{"wrong password", func(t *testing.T) error {
			_, err := answer(t, s, types.ChallengeNameTypeSelectChallenge, sel(t), map[string]string{"USERNAME": "uma", "ANSWER": "PASSWORD", "PASSWORD": "wrong"})
			return err
		}, "NotAuthorizedException", "Incorrect username or password."},
		{"answer not available", func(t *testing.T) error {
			out, err := startUserAuth(t, s, map[string]string{"USERNAME": "nova"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = answer(t, s, types.ChallengeNameTypeSelectChallenge, out.Session, map[string]string{"USERNAME": "nova", "ANSWER": "EMAIL_OTP"})
			return err
		}, "InvalidParameterException", "AvailableChallenges"},
		{"missing ANSWER", func(t *testing.T) error {
			_, err := answer(t, s, types.ChallengeNameTypeSelectChallenge, sel(t), map[string]string{"USERNAME": "uma"})
			return err
		}, "InvalidParameterException", "ANSWER"},
		{"session of another user", func(t *testing.T) error {
			_, err := answer(t, s, types.ChallengeNameTypeSelectChallenge, sel(t), map[string]string{"USERNAME": "nova", "ANSWER": "PASSWORD", "PASSWORD": "Passw0rd!"})
			return err
		}, "NotAuthorizedException", "Invalid session for the user."},
		{"made-up session", func(t *testing.T) error {
			_, err := answer(t, s, types.ChallengeNameTypeSelectChallenge, aws.String(strings.Repeat("x", 40)), map[string]string{"USERNAME": "uma", "ANSWER": "PASSWORD", "PASSWORD": "Passw0rd!"})
			return err
		}, "NotAuthorizedException", "Invalid session for the user."},
		{"OTP code on the choice's session", func(t *testing.T) error {
			_, err := answer(t, s, types.ChallengeNameTypeEmailOtp, sel(t), map[string]string{"USERNAME": "uma", "EMAIL_OTP_CODE": "123456"})
			return err
		}, "NotAuthorizedException", "Invalid session for the user."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run(t)
			if got := apiCode(t, err); got != tt.wantCode || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("got %v, want %s containing %q", err, tt.wantCode, tt.wantMsg)
			}
		})
	}
}

func TestUserAuthClientAndAdmin(t *testing.T) {
	t.Parallel()
	// A client without ALLOW_USER_AUTH refuses the flow.
	plain := cognitotest.NewServer(t)
	plain.CreateUser(t, "uma", "Passw0rd!")
	if _, err := startUserAuth(t, plain, map[string]string{"USERNAME": "uma"}); apiCode(t, err) != "InvalidParameterException" ||
		!strings.Contains(err.Error(), "USER_AUTH flow not enabled for this client") {
		t.Errorf("client without ALLOW_USER_AUTH: %v", err)
	}
	// AdminInitiateAuth runs the same flow; a pool with the default policy
	// offers only the password factors.
	s := cognitotest.NewServer(t, withUserAuth)
	s.CreateUser(t, "uma", "Passw0rd!", "email", "uma@example.com", "email_verified", "true")
	out, err := s.API.AdminInitiateAuth(t.Context(), &cip.AdminInitiateAuthInput{UserPoolId: aws.String(s.PoolID), ClientId: aws.String(s.ClientID),
		AuthFlow: types.AuthFlowTypeUserAuth, AuthParameters: map[string]string{"USERNAME": "uma"}})
	if err != nil || !slices.Equal(out.AvailableChallenges, []types.ChallengeNameType{"PASSWORD", "PASSWORD_SRP"}) {
		t.Fatalf("AdminInitiateAuth: %v %+v", err, out)
	}
	r, err := s.API.AdminRespondToAuthChallenge(t.Context(), &cip.AdminRespondToAuthChallengeInput{UserPoolId: aws.String(s.PoolID),
		ClientId: aws.String(s.ClientID), ChallengeName: types.ChallengeNameTypeSelectChallenge, Session: out.Session,
		ChallengeResponses: map[string]string{"USERNAME": "uma", "ANSWER": "PASSWORD", "PASSWORD": "Passw0rd!"}})
	if err != nil || r.AuthenticationResult == nil {
		t.Fatalf("AdminRespondToAuthChallenge: %v %+v", err, r)
	}
}

// TestUserAuthExistenceErrorsPrevented: an unknown name gets the choice a
// user with every factor would; a password fails as a wrong one, and a
// code "sent" to it never matches, though nothing was sent.
func TestUserAuthExistenceErrorsPrevented(t *testing.T) {
	t.Parallel()
	s := userAuthServer(t, cognitotest.WithClient(func(in *cip.CreateUserPoolClientInput) {
		in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesEnabled
	}))
	known, err := startUserAuth(t, s, map[string]string{"USERNAME": "uma"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := startUserAuth(t, s, map[string]string{"USERNAME": "nobody"})
	if err != nil || out.ChallengeName != types.ChallengeNameTypeSelectChallenge ||
		!slices.Equal(out.AvailableChallenges, known.AvailableChallenges) {
		t.Fatalf("unknown user: %v %+v, want the choice uma gets: %v", err, out, known.AvailableChallenges)
	}
	_, err = answer(t, s, types.ChallengeNameTypeSelectChallenge, out.Session, map[string]string{"USERNAME": "nobody", "ANSWER": "PASSWORD", "PASSWORD": "Passw0rd!"})
	if apiCode(t, err) != "NotAuthorizedException" || !strings.Contains(err.Error(), "Incorrect username or password.") {
		t.Fatalf("password for an unknown user: %v", err)
	}
	for _, tt := range []struct {
		name, typed, medium string
		viaSelect           bool
	}{
		{"EMAIL_OTP", "nobody", "EMAIL", true},
		{"SMS_OTP", "nobody", "SMS", false},
		{"EMAIL_OTP", "+15555550199", "EMAIL", false}, // a phone number typed, a code asked by email
	} {
		var ch *string
		var params map[string]string
		if tt.viaSelect {
			sel, err := startUserAuth(t, s, map[string]string{"USERNAME": tt.typed})
			if err != nil {
				t.Fatal(err)
			}
			r, err := answer(t, s, types.ChallengeNameTypeSelectChallenge, sel.Session, map[string]string{"USERNAME": tt.typed, "ANSWER": tt.name})
			if err != nil || string(r.ChallengeName) != tt.name {
				t.Fatalf("%s chosen by %s: %v %+v", tt.name, tt.typed, err, r)
			}
			ch, params = r.Session, r.ChallengeParameters
		} else {
			r, err := startUserAuth(t, s, map[string]string{"USERNAME": tt.typed, "PREFERRED_CHALLENGE": tt.name})
			if err != nil || string(r.ChallengeName) != tt.name {
				t.Fatalf("%s preferred by %s: %v %+v", tt.name, tt.typed, err, r)
			}
			ch, params = r.Session, r.ChallengeParameters
		}
		if params["CODE_DELIVERY_DELIVERY_MEDIUM"] != tt.medium || !strings.Contains(params["CODE_DELIVERY_DESTINATION"], "*") {
			t.Errorf("%s for %s: parameters %v", tt.name, tt.typed, params)
		}
		_, err := answer(t, s, types.ChallengeNameType(tt.name), ch, map[string]string{"USERNAME": tt.typed, tt.name + "_CODE": "123456"})
		if apiCode(t, err) != "CodeMismatchException" {
			t.Errorf("%s code for %s: %v, want CodeMismatchException", tt.name, tt.typed, err)
		}
	}
	msgs, err := s.Service.Store().ListMessages(t.Context(), s.PoolID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Username != "uma" && m.Username != "nova" {
			t.Errorf("a message for a user that does not exist: %+v", m)
		}
	}
}

// TestUserAuthPasswordless: in a pool whose only first factor is
// EMAIL_OTP, the choice offers only the code, a password is not taken, and
// a user without a verified email address cannot sign in.
func TestUserAuthPasswordless(t *testing.T) {
	t.Parallel()
	s := userAuthServer(t, withFirstFactors(types.AuthFactorTypeEmailOtp))
	for _, params := range []map[string]string{
		{"USERNAME": "uma"},
		{"USERNAME": "uma", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Passw0rd!"},
	} {
		out, err := startUserAuth(t, s, params)
		if err != nil || out.ChallengeName != types.ChallengeNameTypeSelectChallenge ||
			!slices.Equal(out.AvailableChallenges, []types.ChallengeNameType{"EMAIL_OTP"}) {
			t.Fatalf("%v: %v %+v, want SELECT_CHALLENGE of EMAIL_OTP alone", params, err, out)
		}
	}
	if _, err := startUserAuth(t, s, map[string]string{"USERNAME": "nova"}); apiCode(t, err) != "NotAuthorizedException" {
		t.Fatalf("nova, whose email is not verified: %v", err)
	}
}
