package deploy

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/passhash"
)

// TestDefaultMemoryFitsTheFamilies: the SAM and Terraform defaults are one
// size, and at that size Ferry's verification budget (three quarters of the
// default 4 s deadline, on the CPU share and memory Lambda gives the
// function) admits the dearest hashes the documented rule promises: bcrypt
// cost 14 and an Argon2id hash of 900 MiB, neither of which fits 512 MB.
func TestDefaultMemoryFitsTheFamilies(t *testing.T) {
	t.Parallel()
	tpl := loadTemplate(t, samTemplate)
	sam, err := strconv.Atoi(get(tpl.parameters["MemorySize"], "Default").Value)
	if err != nil {
		t.Fatal(err)
	}
	tf, _ := loadModule(t, moduleDir).variableDefault(t, "memory_size").AsBigFloat().Int64()
	if int64(sam) != tf {
		t.Fatalf("SAM MemorySize default %d, Terraform memory_size default %d: want one size", sam, tf)
	}
	hashes := map[string]passhash.Hash{
		"bcrypt cost 14":  {Encoded: "$2a$14$" + strings.Repeat("a", 53)},
		"argon2id 900MiB": {Encoded: "$argon2id$v=19$m=921600,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$" + strings.Repeat("A", 43)},
	}
	fits := func(mb int, h passhash.Hash) error {
		l := passhash.LimitsFor(4*time.Second, mb, true)
		v, err := passhash.New(passhash.Options{Limits: &l})
		if err != nil {
			t.Fatal(err)
		}
		return v.Budget(h, 16)
	}
	for name, h := range hashes {
		if err := fits(sam, h); err != nil {
			t.Errorf("%s at the default %d MB: %v", name, sam, err)
		}
		if err := fits(512, h); !errors.Is(err, passhash.ErrOverBudget) {
			t.Errorf("%s at 512 MB: %v, want over budget (else the test shows nothing)", name, err)
		}
	}
}
