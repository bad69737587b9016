package restli

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// encodeCase is one row of an encoder table.
type encodeCase[In any] struct {
	in   In
	want string
}

// checkEncodes runs each row as a subtest: f(in) must be want.
func checkEncodes[In any](t *testing.T, f func(In) string, cases []encodeCase[In]) {
	t.Helper()
	for i, c := range cases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			if d := cmp.Diff(c.want, f(c.in)); d != "" {
				t.Errorf("input %#v (-want +got):\n%s", c.in, d)
			}
		})
	}
}

// decodeCase is one row of a decoder table.
type decodeCase[Out any] struct {
	in   string
	want Out
}

// checkDecodes runs each row as a subtest: f(in) must be want, without error.
func checkDecodes[Out any](t *testing.T, f func(string) (Out, error), cases []decodeCase[Out]) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := f(c.in)
			if err != nil {
				t.Fatalf("%q: %v", c.in, err)
			}
			if d := cmp.Diff(c.want, got); d != "" {
				t.Errorf("%q (-want +got):\n%s", c.in, d)
			}
		})
	}
}

// goldenCase is one row of a table of encoded forms.
type goldenCase struct{ name, got, want string }

// checkGolden runs each row as a subtest: got must be want.
func checkGolden(t *testing.T, cases []goldenCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if d := cmp.Diff(c.want, c.got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// wantErrors runs f on each bad input as a subtest and requires an error.
func wantErrors(t *testing.T, f func(string) error, bad ...string) {
	t.Helper()
	for _, in := range bad {
		t.Run(in, func(t *testing.T) {
			if err := f(in); err == nil {
				t.Errorf("%q: no error", in)
			}
		})
	}
}
