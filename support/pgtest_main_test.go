package support

import (
	"os"
	"testing"

	"mfadesk/data"
	"mfadesk/pgtest"
)

// With MFADESK_TEST_DB=postgres the tests' databases are on a throwaway
// PostgreSQL cluster, which this stops when they end.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, data.Migrate)) }
