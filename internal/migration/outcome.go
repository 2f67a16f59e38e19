package migration

// Outcome names how one migration request ended. It is the one vocabulary
// of logs ("outcome"), metrics (the Outcome dimension) and Stats: every
// Result carries exactly one.
type Outcome string

// Outcomes.
const (
	OutcomeMigrated          Outcome = "migrated"            // the answer was sent; Cognito creates the user
	OutcomeWrongPassword     Outcome = "wrong_password"      // a source knew the user; the password did not match
	OutcomeUnknown           Outcome = "unknown"             // no source knew the name
	OutcomeDisabled          Outcome = "disabled"            // disabled or locked in the legacy directory
	OutcomeNameRejected      Outcome = "name_rejected"       // the name's shape (lookup mode), or one the pool does not know the account by (not_canonical_name)
	OutcomeBadRecord         Outcome = "bad_record"          // the user's own record cannot be used (source.RecordError)
	OutcomeUnmigratable      Outcome = "unmigratable"        // no answer Cognito would accept can be made for the user
	OutcomeThrottled         Outcome = "throttled"           // an attempt limit was reached; no source was asked
	OutcomePasswordTooLong   Outcome = "password_too_long"   // the typed password is longer than Cognito accepts; no source saw it
	OutcomeShadow            Outcome = "shadow"              // shadow mode: the user would have migrated
	OutcomeOutsideRollout    Outcome = "outside_rollout"     // the client or user is not in the staged rollout yet
	OutcomeNoVerifiedChannel Outcome = "no_verified_channel" // a forgot-password for a user with no verified email or phone: no code can be sent
	OutcomeCircuitOpen       Outcome = "circuit_open"        // a source's circuit breaker refused the call (a fault)
	OutcomeFault             Outcome = "fault"               // a source fault, a timeout, a malformed request
)

// Outcomes lists every Outcome, in the order of the constants: the values
// the Outcome dimension and the "outcome" log field can take.
var Outcomes = []Outcome{
	OutcomeMigrated, OutcomeWrongPassword, OutcomeUnknown, OutcomeDisabled, OutcomeNameRejected,
	OutcomeBadRecord, OutcomeUnmigratable, OutcomeThrottled, OutcomePasswordTooLong, OutcomeShadow,
	OutcomeOutsideRollout, OutcomeNoVerifiedChannel, OutcomeCircuitOpen, OutcomeFault,
}

// failedAttempt reports whether o spends the throttle's failed-attempt
// budget: every "no" that a guessing attacker can provoke. An
// unmigratable user proved the password; a fault says nothing.
func (o Outcome) failedAttempt() bool {
	switch o {
	case OutcomeWrongPassword, OutcomeUnknown, OutcomeDisabled, OutcomeNameRejected,
		OutcomeBadRecord, OutcomePasswordTooLong:
		return true
	}
	return false
}
