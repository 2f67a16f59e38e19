package sqlitestore

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

const userCols = `pool_id, username_key, username, sub, status, enabled, version, data`

func userColsOf(alias string) string {
	return alias + `.pool_id, ` + alias + `.username_key, ` + alias + `.username, ` + alias + `.sub, ` +
		alias + `.status, ` + alias + `.enabled, ` + alias + `.version, ` + alias + `.data`
}

// userData is the part of a user kept as JSON in users.data. Its own types
// (not userpool's) fix the stored field names whatever becomes of the
// domain structs.
type userData struct {
	Attributes       map[string]string    `json:"attributes,omitempty"`
	Aliases          map[string]string    `json:"aliases,omitempty"`
	Password         *verifierData        `json:"password,omitempty"`
	ConfirmationCode *codeData            `json:"confirmation_code,omitempty"`
	ResetCode        *codeData            `json:"reset_code,omitempty"`
	Verification     map[string]*codeData `json:"verification_codes,omitempty"`
	Pending          map[string]string    `json:"pending_attributes,omitempty"`
	FailedSignIns    int                  `json:"failed_sign_ins,omitempty"`
	LastFailed       time.Time            `json:"last_failed_sign_in,omitzero"`
	MFA              *mfaData             `json:"mfa,omitempty"`
	Origin           string               `json:"origin,omitempty"`
	TokensValidAfter time.Time            `json:"tokens_valid_after"`
	CreatedAt        time.Time            `json:"created_at"`
	UpdatedAt        time.Time            `json:"updated_at"`
}

// mfaData is a user's MFA settings; absent for users without any.
type mfaData struct {
	SMSEnabled        bool   `json:"sms_enabled,omitempty"`
	SMSPreferred      bool   `json:"sms_preferred,omitempty"`
	TOTPEnabled       bool   `json:"totp_enabled,omitempty"`
	TOTPPreferred     bool   `json:"totp_preferred,omitempty"`
	TOTPSecret        string `json:"totp_secret,omitempty"`
	PendingTOTPSecret string `json:"pending_totp_secret,omitempty"`
	TOTPDeviceName    string `json:"totp_device_name,omitempty"`
	LastTOTPStep      uint64 `json:"last_totp_step,omitempty"`
	EmailEnabled      bool   `json:"email_enabled,omitempty"`
	EmailPreferred    bool   `json:"email_preferred,omitempty"`
}

type verifierData struct {
	Salt []byte `json:"salt"`
	V    []byte `json:"v"`
}

type codeData struct {
	Code      string    `json:"code"`
	ExpiresAt time.Time `json:"expires_at"`
	Attempts  int       `json:"attempts,omitempty"`
}

func codeOut(c *userpool.Code) *codeData {
	if c == nil {
		return nil
	}
	return &codeData{Code: c.Code, ExpiresAt: c.ExpiresAt, Attempts: c.Attempts}
}

func codeIn(c *codeData) *userpool.Code {
	if c == nil {
		return nil
	}
	return &userpool.Code{Code: c.Code, ExpiresAt: c.ExpiresAt, Attempts: c.Attempts}
}

func encodeUser(u *userpool.User) ([]byte, error) {
	d := userData{
		Attributes: u.Attributes, Aliases: u.Aliases, Origin: u.Origin,
		ConfirmationCode: codeOut(u.ConfirmationCode), ResetCode: codeOut(u.ResetCode),
		TokensValidAfter: u.TokensValidAfter, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
	}
	if u.Password != nil {
		d.Password = &verifierData{Salt: u.Password.Salt, V: u.Password.V}
	}
	for attr, c := range u.VerificationCodes {
		if d.Verification == nil {
			d.Verification = map[string]*codeData{}
		}
		d.Verification[attr] = codeOut(c)
	}
	d.Pending, d.FailedSignIns, d.LastFailed = u.PendingAttributes, u.FailedSignIns, u.LastFailedSignIn
	if m := u.MFA; m != (userpool.UserMFA{}) {
		d.MFA = &mfaData{SMSEnabled: m.SMSEnabled, SMSPreferred: m.SMSPreferred, TOTPEnabled: m.TOTPEnabled,
			TOTPPreferred: m.TOTPPreferred, TOTPSecret: m.TOTPSecret, PendingTOTPSecret: m.PendingTOTPSecret,
			TOTPDeviceName: m.TOTPDeviceName, LastTOTPStep: m.LastTOTPStep, EmailEnabled: m.EmailEnabled, EmailPreferred: m.EmailPreferred}
	}
	return json.Marshal(d)
}

// scanUser reads the userCols of row, then extra columns into extra.
func scanUser(row interface{ Scan(...any) error }, extra ...any) (*userpool.User, error) {
	var u userpool.User
	var data []byte
	dst := append([]any{&u.PoolID, &u.UsernameKey, &u.Username, &u.Sub, &u.Status, &u.Enabled, &u.Version, &data}, extra...)
	if err := row.Scan(dst...); err != nil {
		return nil, err
	}
	var d userData
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("user %q: decode: %w", u.UsernameKey, err)
	}
	u.Attributes, u.Aliases, u.Origin = d.Attributes, d.Aliases, d.Origin
	u.ConfirmationCode, u.ResetCode = codeIn(d.ConfirmationCode), codeIn(d.ResetCode)
	u.TokensValidAfter, u.CreatedAt, u.UpdatedAt = d.TokensValidAfter, d.CreatedAt, d.UpdatedAt
	if d.Password != nil {
		u.Password = &userpool.Verifier{Salt: d.Password.Salt, V: d.Password.V}
	}
	for attr, c := range d.Verification {
		if u.VerificationCodes == nil {
			u.VerificationCodes = map[string]*userpool.Code{}
		}
		u.VerificationCodes[attr] = codeIn(c)
	}
	u.PendingAttributes, u.FailedSignIns, u.LastFailedSignIn = d.Pending, d.FailedSignIns, d.LastFailed
	if m := d.MFA; m != nil {
		u.MFA = userpool.UserMFA{SMSEnabled: m.SMSEnabled, SMSPreferred: m.SMSPreferred, TOTPEnabled: m.TOTPEnabled,
			TOTPPreferred: m.TOTPPreferred, TOTPSecret: m.TOTPSecret, PendingTOTPSecret: m.PendingTOTPSecret,
			TOTPDeviceName: m.TOTPDeviceName, LastTOTPStep: m.LastTOTPStep, EmailEnabled: m.EmailEnabled, EmailPreferred: m.EmailPreferred}
	}
	return &u, nil
}

// filterValues are the user_filters rows of u: attribute → folded value.
func filterValues(u *userpool.User) map[string]string {
	out := make(map[string]string, len(userpool.FilterableAttributes))
	for _, attr := range userpool.FilterableAttributes {
		if v, ok := u.FilterValue(attr); ok {
			out[attr] = userpool.FilterKey(attr, v)
		}
	}
	return out
}
