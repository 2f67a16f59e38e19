package userpool

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestLogValuesRedactSecrets(t *testing.T) {
	t.Parallel()
	const secret = "S3cret-value-42"
	tests := []struct {
		name string
		v    any
	}{
		{name: "auth input", v: AuthInput{ClientID: "c", AuthFlow: "USER_PASSWORD_AUTH",
			Params: map[string]string{"USERNAME": "ann", "PASSWORD": secret, "SECRET_HASH": secret}}},
		{name: "challenge input", v: ChallengeInput{ClientID: "c", ChallengeName: "NEW_PASSWORD_REQUIRED", Session: secret,
			Responses: map[string]string{"USERNAME": "ann", "NEW_PASSWORD": secret}}},
		{name: "sign-up input", v: SignUpInput{ClientID: "c", Username: "ann", Password: secret}},
		{name: "admin create user input", v: AdminCreateUserInput{PoolID: "p", Username: "ann", TemporaryPassword: secret}},
		{name: "client", v: Client{ID: "c", Secret: secret}},
		{name: "user", v: &User{Username: "ann", Password: &Verifier{Salt: []byte(secret), V: []byte(secret)},
			ResetCode: &Code{Code: secret}, ConfirmationCode: &Code{Code: secret}}},
		{name: "user pointer", v: &User{Username: "ann", ResetCode: &Code{Code: secret}}},
		{name: "verifier", v: &Verifier{Salt: []byte(secret), V: []byte(secret)}},
		{name: "user with a software token", v: &User{Username: "ann", MFA: UserMFA{TOTPSecret: secret, PendingTOTPSecret: secret}}},
		{name: "MFA settings", v: UserMFA{TOTPSecret: secret, PendingTOTPSecret: secret}},
		{name: "software token input", v: SoftwareTokenInput{AccessToken: secret, Session: secret, UserCode: secret}},
		{name: "custom challenge input", v: ChallengeInput{ClientID: "c", ChallengeName: "CUSTOM_CHALLENGE", Session: secret,
			Responses: map[string]string{"USERNAME": "ann", "ANSWER": secret}}},
		{name: "custom sequence", v: &customState{typed: "ann", private: map[string]string{"code": secret}, block: secret,
			session: []challengeResult{{ChallengeName: "CUSTOM_CHALLENGE"}}}},
		{name: "MFA challenge input", v: ChallengeInput{ClientID: "c", ChallengeName: "SOFTWARE_TOKEN_MFA", Session: secret,
			Responses: map[string]string{"USERNAME": "ann", "SOFTWARE_TOKEN_MFA_CODE": secret, "SMS_MFA_CODE": secret}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, h := range []func(*bytes.Buffer) slog.Handler{
				func(b *bytes.Buffer) slog.Handler {
					return slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})
				},
				func(b *bytes.Buffer) slog.Handler {
					return slog.NewJSONHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug})
				},
			} {
				var buf bytes.Buffer
				slog.New(h(&buf)).Debug("value", "v", tt.v)
				if strings.Contains(buf.String(), secret) {
					t.Fatalf("secret logged: %s", buf.String())
				}
				if !strings.Contains(buf.String(), "v") {
					t.Fatalf("nothing logged")
				}
			}
		})
	}
}
