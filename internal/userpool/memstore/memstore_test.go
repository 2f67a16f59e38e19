package memstore_test

import (
	"testing"

	"github.com/ferry-migrate/ferry/internal/userpool"
	"github.com/ferry-migrate/ferry/internal/userpool/memstore"
	"github.com/ferry-migrate/ferry/internal/userpool/storetest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) userpool.Store { return memstore.New() })
}
