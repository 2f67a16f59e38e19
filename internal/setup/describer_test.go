package setup

import (
	"testing"

	"github.com/ferry-migrate/ferry/internal/source"
)

// Every backend's Config says what it can fill in, so ferry preflight can
// check a pool against any configuration: a backend without Mapping would
// silently contribute no attributes to the check.
func TestEveryBackendDescribesItsMapping(t *testing.T) {
	t.Parallel()
	for name, st := range sourceTypes() {
		d, ok := st.newConfig().(source.Describer)
		if !ok {
			t.Errorf("%s: config %T does not implement source.Describer", name, st.newConfig())
			continue
		}
		if m := d.Mapping(); name != "sql" && len(m.Attributes) == 0 {
			// A SQL source without columns maps nothing; every other
			// backend reads contact attributes by default.
			t.Errorf("%s: zero config maps no attributes", name)
		}
	}
}
