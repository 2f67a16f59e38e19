package migration

import (
	"context"
	"time"

	"github.com/ferry-migrate/ferry/internal/timing"
)

// Forgot-password answer classes, by the work each does: the chain asked
// and nobody found, or a legacy user found and an answer built for them
// (sent, or refused for a reason of the user's own: no verified channel,
// an answer Cognito would refuse, shadow mode). Each class's cost is
// learnt separately, so a flood of unknown names cannot pull the floor
// below what a legacy user costs.
const (
	forgotMissed = iota
	forgotAnswered
)

// padForgot ends a forgot-password begun at start at the forgot floor, so
// that its time does not tell an unknown name, a legacy user (who migrates)
// and a user refused for a named reason (no verified channel, throttled,
// outside the rollout) apart: the trigger answers all of them alike, and
// their times must not differ either. The floor is learnt from the answers
// themselves (timing.Floor: a quarter above the dearer class's median), and
// the padding never runs past ctx's deadline. Faults are not padded: they
// reach Cognito as errors, which no disguise would hide, and padding them
// would only bring the deadline nearer.
func (m *Migrator) padForgot(ctx context.Context, start time.Time, res Result) {
	class := timing.Unobserved
	switch res.Outcome {
	case OutcomeFault, OutcomeCircuitOpen:
		return
	case OutcomeUnknown:
		class = forgotMissed
	case OutcomeMigrated, OutcomeShadow, OutcomeNoVerifiedChannel, OutcomeUnmigratable:
		class = forgotAnswered
	}
	m.forgotFloor.Pad(ctx, start, class)
}
