package cognitoapi

import (
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"
)

// checkLimits reports, in Cognito's words, every string member of in (a
// decoded input struct of op) longer than the service model allows
// (memberMax, generated from the model by model/gen_limits.py). Lengths
// count characters (Unicode code points), as the model's length trait
// does. A member's value is never echoed: most are marked sensitive in the
// model (passwords, usernames, client ids), and an error message is no
// place for them. Members the model does not bound (AuthParameters,
// ClientMetadata) are bounded by MaxBodyBytes, and a sign-in password
// longer than Cognito accepts is refused by the migration as a wrong
// password, at a wrong password's cost.
func checkLimits(op string, in any) error {
	limits := memberMax[op]
	if len(limits) == 0 {
		return nil
	}
	v := reflect.ValueOf(in)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil
	}
	v = v.Elem()
	var msgs []string
	for i := range v.NumField() {
		f := v.Type().Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		max, ok := limits[name]
		if !ok {
			continue
		}
		fv := v.Field(i)
		if fv.Kind() == reflect.Pointer {
			if fv.IsNil() {
				continue
			}
			fv = fv.Elem()
		}
		if fv.Kind() == reflect.String && overMax(fv.String(), max) {
			msgs = append(msgs, lengthMessage(lowerFirst(name), max))
		}
	}
	return validationErrors(msgs)
}

// overMax reports whether s has more than max characters, counting no
// further than needed.
func overMax(s string, max int) bool {
	if len(s) <= max {
		return false
	}
	return utf8.RuneCountInString(s) > max
}

func lengthMessage(path string, max int) string {
	return fmt.Sprintf("Value at '%s' failed to satisfy constraint: Member must have length less than or equal to %d", path, max)
}

// validationErrors is Cognito's InvalidParameterException for msgs, or nil.
func validationErrors(msgs []string) error {
	switch len(msgs) {
	case 0:
		return nil
	case 1:
		return invalidParameter("1 validation error detected: %s", msgs[0])
	}
	return invalidParameter("%d validation errors detected: %s", len(msgs), strings.Join(msgs, "; "))
}
