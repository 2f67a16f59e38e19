package ldapsource

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-ldap/ldap/v3"
	"github.com/google/uuid"

	"github.com/ferry-migrate/ferry/internal/source"
)

// Attributes read to decide whether an account is disabled, whatever the
// configuration: each is absent from directories that do not use it.
const (
	// attrUserAccountControl is Active Directory's flag word; bit 0x2 is
	// ACCOUNTDISABLE.
	attrUserAccountControl = "userAccountControl"
	// attrPwdAccountLockedTime is set by OpenLDAP's ppolicy overlay on a
	// locked account ("000001010000Z": locked until an administrator unlocks).
	attrPwdAccountLockedTime = "pwdAccountLockedTime"
	// attrNsAccountLock is 389 Directory Server's / Red Hat IdM's lock flag.
	attrNsAccountLock = "nsAccountLock"

	uacAccountDisable = 0x2
)

// searchAttributes lists what a user search asks for.
func (c *Config) searchAttributes() []string {
	a := c.Attributes
	attrs := []string{a.ID, a.Username, a.Email, a.Phone, a.GivenName, a.FamilyName, a.Name, "cn",
		attrUserAccountControl, attrNsAccountLock}
	attrs = append(attrs, lockAttributes...)
	if a.Groups != "" {
		attrs = append(attrs, a.Groups)
	}
	if c.PasswordAttribute != "" {
		attrs = append(attrs, c.PasswordAttribute)
	}
	for _, v := range a.Extra {
		attrs = append(attrs, v)
	}
	return attrs
}

// lockAttributes are the attributes (operational ones included, which a
// search returns only when named) that the lock decision reads.
var lockAttributes = []string{attrPwdAccountLockedTime, attrPwdPolicySubentry, attrPwdFailureTime,
	attrLockoutTime, attrBadPwdCount, attrBadPasswordTime}

// disabledReason returns why e is a disabled account, or "": the flags
// that disable an account for good. Locks that expire are lockReason's.
func disabledReason(e *ldap.Entry) string {
	if v := e.GetEqualFoldAttributeValue(attrUserAccountControl); v != "" {
		// AD writes it as a signed 32-bit decimal.
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err == nil && n&uacAccountDisable != 0 {
			return "userAccountControl ACCOUNTDISABLE"
		}
	}
	if strings.EqualFold(strings.TrimSpace(e.GetEqualFoldAttributeValue(attrNsAccountLock)), "true") {
		return "nsAccountLock true"
	}
	return ""
}

// userFromEntry maps a directory entry onto a source.User.
func (c *Config) userFromEntry(e *ldap.Entry) (*source.User, error) {
	a := c.Attributes
	id, err := textValue(e, a.ID)
	if err != nil {
		return nil, err
	}
	if id == "" {
		id = e.DN
	}
	u := &source.User{
		ID:            id,
		Username:      e.GetEqualFoldAttributeValue(a.Username),
		Email:         e.GetEqualFoldAttributeValue(a.Email),
		Phone:         e.GetEqualFoldAttributeValue(a.Phone),
		Attributes:    map[string]string{},
		HashFamily:    "",
		EmailVerified: false,
	}
	u.EmailVerified = u.Email != "" && c.EmailVerified
	u.PhoneVerified = u.Phone != "" && c.PhoneVerified
	set := func(key, attr string) error {
		v, err := textValue(e, attr)
		if err != nil {
			return err
		}
		if v != "" {
			u.Attributes[key] = v
		}
		return nil
	}
	if err := set("given_name", a.GivenName); err != nil {
		return nil, err
	}
	if err := set("family_name", a.FamilyName); err != nil {
		return nil, err
	}
	if err := set("name", a.Name); err != nil {
		return nil, err
	}
	if _, ok := u.Attributes["name"]; !ok && a.Name == "displayName" {
		if err := set("name", "cn"); err != nil {
			return nil, err
		}
	}
	for key, attr := range a.Extra {
		if err := set(key, attr); err != nil {
			return nil, err
		}
	}
	if a.Groups != "" {
		for _, v := range e.GetEqualFoldAttributeValues(a.Groups) {
			u.Groups = append(u.Groups, groupName(v))
		}
	}
	return u, nil
}

// textValue renders the first value of attr as text: objectGUID as a UUID,
// objectSid as S-1-…, other binary values as base64, text as is.
func textValue(e *ldap.Entry, attr string) (string, error) {
	raw := e.GetEqualFoldRawAttributeValue(attr)
	if len(raw) == 0 {
		return "", nil
	}
	switch strings.ToLower(attr) {
	case "objectguid", "msds-consistencyguid":
		s, err := GUIDString(raw)
		if err != nil {
			return "", fmt.Errorf("attribute %s: %w", attr, err)
		}
		return s, nil
	case "objectsid":
		s, err := SIDString(raw)
		if err != nil {
			return "", fmt.Errorf("attribute %s: %w", attr, err)
		}
		return s, nil
	}
	if !utf8.Valid(raw) {
		return base64.StdEncoding.EncodeToString(raw), nil
	}
	return string(raw), nil
}

// GUIDString renders an Active Directory objectGUID (16 bytes, the first
// three fields little-endian as Windows stores a GUID) in the usual text
// form, e.g. "8a7f0cb2-6f3e-4b41-9f0e-2d2b6a2f9c11".
func GUIDString(b []byte) (string, error) {
	if len(b) != 16 {
		return "", fmt.Errorf("guid: %d bytes, want 16", len(b))
	}
	var u uuid.UUID
	binary.BigEndian.PutUint32(u[0:4], binary.LittleEndian.Uint32(b[0:4]))
	binary.BigEndian.PutUint16(u[4:6], binary.LittleEndian.Uint16(b[4:6]))
	binary.BigEndian.PutUint16(u[6:8], binary.LittleEndian.Uint16(b[6:8]))
	copy(u[8:], b[8:])
	return u.String(), nil
}

// SIDString renders a binary Windows security identifier as S-R-A-S1-S2….
func SIDString(b []byte) (string, error) {
	if len(b) < 8 || len(b) != 8+4*int(b[1]) {
		return "", fmt.Errorf("sid: %d bytes do not form a SID", len(b))
	}
	var auth uint64
	for _, x := range b[2:8] {
		auth = auth<<8 | uint64(x)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "S-%d-%d", b[0], auth)
	for i := 0; i < int(b[1]); i++ {
		fmt.Fprintf(&sb, "-%d", binary.LittleEndian.Uint32(b[8+4*i:]))
	}
	return sb.String(), nil
}

// groupName reduces a group DN to its first RDN value; other values are
// returned as they are.
func groupName(v string) string {
	dn, err := ldap.ParseDN(v)
	if err != nil || len(dn.RDNs) == 0 || len(dn.RDNs[0].Attributes) == 0 {
		return v
	}
	return dn.RDNs[0].Attributes[0].Value
}

// escapeDN escapes a value for use inside a DN's attribute value (RFC 4514).
func escapeDN(v string) string { return ldap.EscapeDN(v) }
