package cognitoapi

import (
	"maps"
	"slices"
)

// ImplementedOperations lists the dispatch table's actions for the
// external tests.
func ImplementedOperations() []string { return slices.Sorted(maps.Keys(operations)) }
