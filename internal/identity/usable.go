package identity

import (
	"strings"
	"unicode/utf8"
)

// MaxBytes is the longest name a source sends to its backend. Cognito caps
// usernames at 128 characters and email addresses at 254 octets; a longer
// name cannot be a legacy user that Cognito could sign in.
const MaxBytes = 1024

// Usable reports whether name could belong to anyone: not empty, at most
// MaxBytes bytes, valid UTF-8 (an encoder would turn invalid bytes into
// U+FFFD, which could match another name) and without NUL. A source
// answers any other name as an unknown user (after its dummy
// verification) without asking its backend.
func Usable(name string) bool {
	return name != "" && len(name) <= MaxBytes && utf8.ValidString(name) && !strings.ContainsRune(name, 0)
}
