package option

import (
	"io"
	"testing"
)

func TestNonNil(t *testing.T) {
	var f func()
	var p *int
	var r io.Reader
	for _, v := range []any{nil, f, p, r, map[string]int(nil), []int(nil)} {
		if err := NonNil("pkg", "WithX", v); err == nil || err.Error() != "pkg: WithX: nil argument" {
			t.Errorf("NonNil(%#v) = %v", v, err)
		}
	}
	for _, v := range []any{func() {}, new(int), io.Reader(nil) == nil, 0, ""} {
		if err := NonNil("pkg", "WithX", v); err != nil {
			t.Errorf("NonNil(%#v) = %v", v, err)
		}
	}
}

type testConfig struct {
	Base
	s string
}

func TestWithAndApply(t *testing.T) {
	withS := func(s string) func(*testConfig) error {
		return With("WithS", 1, s, func(c *testConfig, s string) { c.s = s })
	}
	var nilFunc func(*testConfig) error
	c := &testConfig{Base: Base{Pkg: "pkg", Target: 1, Names: map[uint8]string{1: "New", 2: "Other"}}}
	if err := Apply(c, []func(*testConfig) error{withS("a"), nilFunc, withS("b")}); err != nil || c.s != "b" {
		t.Errorf("Apply = %v, s = %q", err, c.s)
	}
	c.Target = 2
	if err := Apply(c, []func(*testConfig) error{withS("c")}); err == nil || err.Error() != "pkg: WithS does not apply to Other" {
		t.Errorf("misplaced option: %v", err)
	}
}
