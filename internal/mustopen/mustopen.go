// Package mustopen opens file stores for tests.
package mustopen

import "testing"

// Dir returns the store that open (a file store's constructor, such as
// sync.NewFileStore) returns for dir, and fails the test if it fails.
func Dir[S any](t testing.TB, open func(dir string) (S, error), dir string) S {
	t.Helper()
	s, err := open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
