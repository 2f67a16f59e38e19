package userpool

import (
	"log/slog"
	"sort"
)

// Types that can hold a password, a client secret or a one-time code redact
// them when logged (User, Verifier and Code do so in store.go).

const redacted = "[REDACTED]"

// secretParams are the AuthParameters and ChallengeResponses members that
// carry secrets.
var secretParams = map[string]bool{
	"PASSWORD": true, "NEW_PASSWORD": true, "SECRET_HASH": true, "REFRESH_TOKEN": true,
	"PASSWORD_CLAIM_SIGNATURE": true, "PASSWORD_CLAIM_SECRET_BLOCK": true, "SRP_A": true,
	"SOFTWARE_TOKEN_MFA_CODE": true, "SMS_MFA_CODE": true,
	"ANSWER": true, // a custom challenge's answer: a one-time code, a secret answer
}

func redactParams(m map[string]string) slog.Value {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	attrs := make([]slog.Attr, 0, len(keys))
	for _, k := range keys {
		v := m[k]
		if secretParams[k] && v != "" {
			v = redacted
		}
		attrs = append(attrs, slog.String(k, v))
	}
	return slog.GroupValue(attrs...)
}

func redactString(s string) string {
	if s == "" {
		return ""
	}
	return redacted
}

// LogValue redacts the password and other secret parameters.
func (in AuthInput) LogValue() slog.Value {
	return slog.GroupValue(slog.Bool("admin", in.Admin), slog.String("poolId", in.PoolID),
		slog.String("clientId", in.ClientID), slog.String("authFlow", in.AuthFlow),
		slog.Any("params", redactParams(in.Params)))
}

// LogValue redacts the new password and the SRP claim.
func (in ChallengeInput) LogValue() slog.Value {
	return slog.GroupValue(slog.String("poolId", in.PoolID), slog.String("clientId", in.ClientID),
		slog.String("challengeName", in.ChallengeName), slog.String("session", redactString(in.Session)),
		slog.Any("responses", redactParams(in.Responses)))
}

// LogValue redacts the password.
func (in SignUpInput) LogValue() slog.Value {
	return slog.GroupValue(slog.String("clientId", in.ClientID), slog.String("username", in.Username),
		slog.String("password", redactString(in.Password)), slog.String("secretHash", redactString(in.SecretHash)))
}

// LogValue redacts the temporary password.
func (in AdminCreateUserInput) LogValue() slog.Value {
	return slog.GroupValue(slog.String("poolId", in.PoolID), slog.String("username", in.Username),
		slog.String("temporaryPassword", redactString(in.TemporaryPassword)), slog.String("messageAction", in.MessageAction))
}

// LogValue redacts the client secret.
func (c Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", c.ID), slog.String("poolId", c.PoolID),
		slog.String("name", c.Name), slog.String("secret", redactString(c.Secret)))
}
