package setup

import (
	"slices"
	"testing"
)

func TestCustomAttributes(t *testing.T) {
	cfg, err := Load([]byte(`
sources:
  - name: app
    type: sql
    config:
      preset: wordpress
      driver: sqlite
      dsn: "file:/nonexistent/legacy.db"
      attributes: {id: "custom:legacy_id", first_name: given_name}
migration:
  schema: {custom: ["custom:plan"]}
`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := CustomAttributes(cfg), []string{"custom:legacy_id", "custom:plan"}; !slices.Equal(got, want) {
		t.Errorf("CustomAttributes = %v, want %v", got, want)
	}
}
