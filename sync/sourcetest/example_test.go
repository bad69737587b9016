package sourcetest_test

import (
	"testing"

	rscsync "github.com/rscgo/rscgo/sync"
	"github.com/rscgo/rscgo/sync/sourcetest"
)

// An ATS vendor runs TestSource from a test in the package that implements
// its Source, against a database loaded with a representative data set
// (several records per stream, some sharing a modification time):
//
//	func TestSource(t *testing.T) {
//		src := mysource.New(openTestDB(t))
//		sourcetest.TestSource(t, src)
//	}
//
// For a large database, limit how much of each stream is read; a driver that
// buffers rows may need a larger cancellation bound. Naming the customer's
// integration context checks that no record belongs to another customer.
func ExampleTestSource() {
	testMySource := func(t *testing.T, src rscsync.Source) {
		sourcetest.TestSource(t, src,
			sourcetest.WithMaxRecords(1000),
			sourcetest.WithCancelBound(16),
			sourcetest.WithIntegrationContexts("urn:li:organization:123456"),
		)
	}
	_ = testMySource
}
