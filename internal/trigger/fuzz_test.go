package trigger_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferry-migrate/ferry/internal/migration"
	"github.com/ferry-migrate/ferry/internal/trigger"
)

// FuzzInvoke feeds arbitrary payloads to the handler as the Lambda runtime
// would: it must never panic, and must answer either valid JSON or the one
// MigrationError.
func FuzzInvoke(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"triggerSource":"UserMigration_Authentication","userName":"alice","request":{"password":"Corr3ct-horse"}}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		h := newHandler(t, trigger.FailEmpty, migration.Policy{}, nil)
		out, err := h.Invoke(t.Context(), payload)
		if err != nil {
			if _, ok := err.(*trigger.MigrationError); !ok || err.Error() != trigger.MigrationMessage {
				t.Fatalf("error %T %q leaves the process", err, err)
			}
			return
		}
		if !json.Valid(out) {
			t.Fatalf("invalid JSON answer: %s", out)
		}
	})
}
