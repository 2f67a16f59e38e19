package sqlsource

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPresetAttributesMerge: a configuration's attributes are merged with
// the preset's mapping field by field, as the docs say; they do not
// replace it. The source and its Mapping agree.
func TestPresetAttributesMerge(t *testing.T) {
	t.Parallel()
	c := Config{Preset: "django", Driver: DriverSQLite, DSN: "file:unused.db",
		Attributes: map[string]string{"id": "custom:legacy_id", "first_name": "nickname"}}
	r, err := c.resolved()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"id": "custom:legacy_id", "first_name": "nickname", "last_name": "family_name"}
	if diff := cmp.Diff(want, r.Attributes); diff != "" {
		t.Errorf("merged attributes (-want +got):\n%s", diff)
	}
	base, _ := PresetConfig("django", DriverSQLite)
	if base.Attributes["first_name"] != "given_name" {
		t.Errorf("the preset's own mapping was changed: %v", base.Attributes)
	}
	m := c.Mapping()
	for _, a := range []string{"custom:legacy_id", "nickname", "family_name"} {
		if !slices.Contains(m.Attributes, a) {
			t.Errorf("Mapping() lacks %s: %v", a, m.Attributes)
		}
	}
}
