// The Migrator's counters.

package migration

// Stats are counters since the Migrator was made. Migrated counts each
// legacy user once, however often Cognito retries.
type Stats struct {
	Migrated    int64
	NotMigrated int64
	Faults      int64
	// Of NotMigrated: throttled attempts, shadow migrations, sign-ins
	// outside the rollout, users Cognito would refuse, unusable records,
	// over-long passwords and forgot-passwords without a verified channel.
	// Of Faults: calls refused by an open circuit.
	Throttled         int64
	Shadow            int64
	OutsideRollout    int64
	Unmigratable      int64
	BadRecord         int64
	PasswordTooLong   int64
	NoVerifiedChannel int64
	CircuitOpen       int64
}

// Stats returns the counters.
func (m *Migrator) Stats() Stats {
	return Stats{
		Migrated: m.nMigrated.Load(), NotMigrated: m.nNotMigrated.Load(), Faults: m.nFaults.Load(),
		Throttled: m.nThrottled.Load(), Shadow: m.nShadow.Load(),
		OutsideRollout: m.nOutsideRollout.Load(), CircuitOpen: m.nCircuitOpen.Load(),
		Unmigratable: m.nUnmigratable.Load(), BadRecord: m.nBadRecord.Load(), PasswordTooLong: m.nPasswordTooLong.Load(),
		NoVerifiedChannel: m.nNoVerifiedChannel.Load(),
	}
}
