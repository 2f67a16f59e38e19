package userpool

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Cognito's default messages, used where the pool sets no template. A
// password-reset code goes out with the verification template when the
// pool has one (Cognito sends ForgotPassword codes with it too), and with
// its own default text otherwise.
const (
	defaultVerificationMessage = "Your verification code is {####}."
	defaultVerificationSubject = "Your verification code"
	defaultResetMessage        = "Your password reset code is {####}."
	defaultResetSubject        = "Your password reset code"
	defaultInviteMessage       = "Your username is {username} and temporary password is {####}."
	defaultInviteSubject       = "Your temporary password"
	codePlaceholder            = "{####}"
	usernamePlaceholder        = "{username}"
)

// verificationTemplate is VerificationMessageTemplateType.
type verificationTemplate struct {
	SmsMessage         string `json:"SmsMessage,omitempty"`
	EmailMessage       string `json:"EmailMessage,omitempty"`
	EmailSubject       string `json:"EmailSubject,omitempty"`
	EmailMessageByLink string `json:"EmailMessageByLink,omitempty"`
	EmailSubjectByLink string `json:"EmailSubjectByLink,omitempty"`
	DefaultEmailOption string `json:"DefaultEmailOption,omitempty"`
}

// inviteTemplate is MessageTemplateType (AdminCreateUserConfig.InviteMessageTemplate).
type inviteTemplate struct {
	SMSMessage   string `json:"SMSMessage,omitempty"`
	EmailMessage string `json:"EmailMessage,omitempty"`
	EmailSubject string `json:"EmailSubject,omitempty"`
}

// Patterns of the service model (EmailVerificationMessageType,
// SmsVerificationMessageType): a message must carry the code placeholder.
var (
	emailMessageRE = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*\{####\}[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*$`)
	smsMessageRE   = regexp.MustCompile(`^.*\{####\}.*$`)
	emailSubjectRE = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}\s]+$`)
)

func (s *PoolSettings) other(key string, into any) {
	if raw, ok := s.Other[key]; ok {
		_ = json.Unmarshal(raw, into) // stored by this program from a decoded request
	}
}

func (s *PoolSettings) setOther(key string, v any) {
	raw, err := json.Marshal(v)
	if err != nil {
		return // plain structs and strings always marshal
	}
	if s.Other == nil {
		s.Other = map[string]json.RawMessage{}
	}
	s.Other[key] = raw
}

// normaliseMessages gives a pool Cognito's message defaults and keeps the
// two ways of setting the verification message (the template and the
// older EmailVerificationMessage/Subject, SmsVerificationMessage) in step,
// as DescribeUserPool shows them. It reports a template that lacks the code
// placeholder, in the service model's words.
func (s *PoolSettings) normaliseMessages() error {
	var t verificationTemplate
	s.other("VerificationMessageTemplate", &t)
	var emailMsg, emailSubj, smsMsg string
	s.other("EmailVerificationMessage", &emailMsg)
	s.other("EmailVerificationSubject", &emailSubj)
	s.other("SmsVerificationMessage", &smsMsg)
	if t.EmailMessage == "" {
		t.EmailMessage = emailMsg
	}
	if t.EmailSubject == "" {
		t.EmailSubject = emailSubj
	}
	if t.SmsMessage == "" {
		t.SmsMessage = smsMsg
	}
	if t.DefaultEmailOption == "" {
		t.DefaultEmailOption = "CONFIRM_WITH_CODE"
	}
	if err := checkTemplate("verificationMessageTemplate", t.EmailMessage, t.SmsMessage); err != nil {
		return err
	}
	var inv inviteTemplate
	if len(s.AdminCreateUserConfig.InviteMessageTemplate) > 0 {
		if err := json.Unmarshal(s.AdminCreateUserConfig.InviteMessageTemplate, &inv); err != nil {
			return newErr(ErrInvalidParameter, "AdminCreateUserConfig.InviteMessageTemplate is not a MessageTemplateType: %s", err.Error())
		}
	}
	if err := checkTemplate("adminCreateUserConfig.inviteMessageTemplate", inv.EmailMessage, inv.SMSMessage); err != nil {
		return err
	}
	s.setOther("VerificationMessageTemplate", t)
	if t.EmailMessage != "" {
		s.setOther("EmailVerificationMessage", t.EmailMessage)
	}
	if t.EmailSubject != "" {
		s.setOther("EmailVerificationSubject", t.EmailSubject)
	}
	if t.SmsMessage != "" {
		s.setOther("SmsVerificationMessage", t.SmsMessage)
	}
	if _, ok := s.Other["EmailConfiguration"]; !ok {
		s.setOther("EmailConfiguration", map[string]string{"EmailSendingAccount": "COGNITO_DEFAULT"})
	}
	return nil
}

// checkTemplate checks the email and SMS messages of a template.
func checkTemplate(member, email, sms string) error {
	if email != "" && !emailMessageRE.MatchString(email) {
		return patternErr(email, member+".emailMessage", emailMessageRE)
	}
	if sms != "" && !smsMessageRE.MatchString(sms) {
		return patternErr(sms, member+".smsMessage", smsMessageRE)
	}
	return nil
}

func patternErr(v, member string, re *regexp.Regexp) error {
	pattern := strings.TrimSuffix(strings.TrimPrefix(re.String(), "^"), "$")
	return newErr(ErrInvalidParameter, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: %s", v, member, pattern)
}

// render returns the subject and body of a message of kind to username:
// the pool's template for it, or Cognito's default, with {####} replaced by
// the code and {username} by the username.
func (s *PoolSettings) render(kind, medium, username, code string) (subject, body string) {
	var t verificationTemplate
	s.other("VerificationMessageTemplate", &t)
	switch kind {
	case "invitation":
		var inv inviteTemplate
		if len(s.AdminCreateUserConfig.InviteMessageTemplate) > 0 {
			_ = json.Unmarshal(s.AdminCreateUserConfig.InviteMessageTemplate, &inv) // validated when stored
		}
		subject, body = inv.EmailSubject, inv.EmailMessage
		if medium == "SMS" {
			body = inv.SMSMessage
		}
		if subject == "" {
			subject = defaultInviteSubject
		}
		if body == "" {
			body = defaultInviteMessage
		}
	case "authentication":
		if medium == "SMS" {
			s.other("SmsAuthenticationMessage", &body)
		} else {
			// An email MFA code, or a sign-in code of USER_AUTH's EMAIL_OTP:
			// both take EmailMfaConfiguration's template.
			s.other(emailMFAMessageKey, &body)
			s.other(emailMFASubjectKey, &subject)
			if subject == "" {
				subject = defaultAuthenticationSubject
			}
		}
		if body == "" {
			body = defaultAuthenticationMessage
		}
	default: // confirmation, verification, reset
		subject, body = t.EmailSubject, t.EmailMessage
		if medium == "SMS" {
			body = t.SmsMessage
		}
		def, defSubj := defaultVerificationMessage, defaultVerificationSubject
		if kind == "reset" {
			def, defSubj = defaultResetMessage, defaultResetSubject
		}
		if subject == "" {
			subject = defSubj
		}
		if body == "" {
			body = def
		}
	}
	if medium == "SMS" {
		subject = ""
	}
	r := strings.NewReplacer(codePlaceholder, code, usernamePlaceholder, username)
	return subject, r.Replace(body)
}

// renderFor renders a message with the settings of the user's pool.
func (s *Service) renderFor(ctx context.Context, u *User, kind, medium, code string) (subject, body string, err error) {
	p, err := s.loadPool(ctx, u.PoolID)
	if err != nil {
		return "", "", fmt.Errorf("message template: %w", err)
	}
	subject, body = p.set.render(kind, medium, u.Username, code)
	return subject, body, nil
}
