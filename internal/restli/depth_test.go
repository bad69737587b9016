package restli

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// nested returns n levels of open, an innermost x, then n closes.
func nested(open string, n int) string {
	return strings.Repeat(open, n) + "x" + strings.Repeat(")", n)
}

// Deeply nested input (a few megabytes, as a hostile server or client could
// send) is refused with ErrTooDeep by every entry point, without
// exhausting the stack, and with an error text of bounded size.
func TestNestingDepthLimit(t *testing.T) {
	t.Parallel()
	const huge = 1 << 20 // 1 MiB of "List(" is 5 MiB of input
	for _, tc := range []struct {
		name  string
		parse func(s string) error
		input string
	}{
		{"Decode lists", func(s string) error { _, err := Decode(s); return err }, nested(listPrefix, huge)},
		{"Decode records", func(s string) error { _, err := Decode(s); return err }, strings.Repeat("(a:", huge) + "x" + strings.Repeat(")", huge)},
		{"ReducedDecode", func(s string) error { _, err := ReducedDecode(s); return err }, nested(listPrefix, huge)},
		{"DecodeKey", func(s string) error { _, err := DecodeKey(s); return err }, "(a:" + nested(listPrefix, huge) + ")"},
		{"DecodeKey escaped", func(s string) error { _, err := DecodeKey(s); return err }, "%28a:" + strings.Repeat("List%28", huge) + "x" + strings.Repeat("%29", huge+1)},
		{"DecodeRestliID", func(s string) error { _, _, err := DecodeRestliID(s); return err }, "(a:" + nested(listPrefix, huge) + ")"},
		{"ParseQuery", func(s string) error { _, err := ParseQuery(s); return err }, "ids=List((a:" + nested(listPrefix, huge) + "))"},
		{"Untunnel", func(s string) error {
			r := httptest.NewRequest(http.MethodPost, "/v2/x", strings.NewReader(s))
			r.Header.Set(HeaderMethodOverride, "GET")
			r.Header.Set("Content-Type", ContentTypeForm)
			_, q, _, err := Untunnel(r)
			if err != nil {
				return err
			}
			_, err = ParseQuery(q)
			return err
		}, "ids=List((a:" + nested(listPrefix, huge) + "))"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.parse(tc.input)
			if !errors.Is(err, ErrTooDeep) {
				t.Fatalf("err = %.200v, want ErrTooDeep", err)
			}
			if n := len(err.Error()); n > 300 {
				t.Errorf("error text is %d bytes, want a bounded excerpt", n)
			}
		})
	}
}

// Nesting up to MaxDepth is accepted, one level more is not.
func TestNestingDepthBoundary(t *testing.T) {
	t.Parallel()
	for depth, wantErr := range map[int]bool{1: false, MaxDepth: false, MaxDepth + 1: true} {
		t.Run(fmt.Sprint(depth), func(t *testing.T) {
			_, err := Decode(nested(listPrefix, depth))
			if got := errors.Is(err, ErrTooDeep); got != wantErr {
				t.Errorf("depth %d: err = %v, want too deep %v", depth, err, wantErr)
			}
		})
	}
}

// FuzzNesting: any mix of lists and records, however deep, parses or fails
// with an error; deeper than MaxDepth always fails with ErrTooDeep.
func FuzzNesting(f *testing.F) {
	f.Add([]byte{1, 0, 1}, uint16(3))
	f.Add([]byte{0}, uint16(MaxDepth+1))
	f.Add([]byte{1}, uint16(5000))
	f.Fuzz(func(t *testing.T, shape []byte, depth uint16) {
		if len(shape) == 0 {
			shape = []byte{0}
		}
		var open, close strings.Builder
		for i := range int(depth) {
			if shape[i%len(shape)]&1 == 0 {
				open.WriteString(listPrefix)
			} else {
				open.WriteString("(k:")
			}
			close.WriteByte(')')
		}
		s := open.String() + "v" + close.String()
		_, err := Decode(s)
		if int(depth) > MaxDepth && !errors.Is(err, ErrTooDeep) {
			t.Fatalf("depth %d: err = %v, want ErrTooDeep", depth, err)
		}
		if int(depth) <= MaxDepth && err != nil {
			t.Fatalf("depth %d: %v", depth, err)
		}
	})
}
