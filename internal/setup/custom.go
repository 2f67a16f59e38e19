package setup

import (
	"reflect"
	"slices"
	"strings"

	"github.com/ferry-migrate/ferry/internal/config"
)

// CustomAttributes lists, sorted and without the prefix's duplicates, every
// custom attribute ("custom:legacy_id") the configuration can return: the
// migration schema's declared ones and every "custom:" name its sources
// map values to, whatever the source type calls the mapping. A local pool
// created for the configuration declares them all, so no migrated user is
// refused for an attribute missing from its schema.
func CustomAttributes(cfg *config.Config) []string {
	var out []string
	add := func(s string) {
		if len(s) > len("custom:") && strings.HasPrefix(s, "custom:") && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, a := range cfg.Migration.Schema.Custom {
		add(a)
	}
	add(cfg.Migration.AliasUsernameAttribute)
	for _, b := range cfg.Sources {
		walkStrings(reflect.ValueOf(b.Config), add, 0)
	}
	slices.Sort(out)
	return out
}

// walkStrings calls f with every string (and string map key) in v. depth
// bounds the walk: configurations are shallow, and a cycle must not hang.
func walkStrings(v reflect.Value, f func(string), depth int) {
	if depth > 16 || !v.IsValid() {
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			walkStrings(v.Elem(), f, depth+1)
		}
	case reflect.String:
		f(v.String())
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				walkStrings(v.Field(i), f, depth+1)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			walkStrings(v.Index(i), f, depth+1)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			walkStrings(k, f, depth+1)
			walkStrings(v.MapIndex(k), f, depth+1)
		}
	}
}
