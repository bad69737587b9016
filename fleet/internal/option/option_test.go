package option

import (
	"errors"
	"testing"
)

func TestApplyStopsAtFirstError(t *testing.T) {
	type conf struct{ n int }
	type opt func(*conf) error
	bad := errors.New("bad")
	var c conf
	err := Apply(&c, []opt{
		func(c *conf) error { c.n++; return nil },
		func(*conf) error { return bad },
		func(c *conf) error { c.n += 10; return nil },
	})
	if err != bad || c.n != 1 {
		t.Errorf("Apply = %v with n = %d, want %v with n = 1", err, c.n, bad)
	}
}

func TestApplySkipsNil(t *testing.T) {
	type conf struct{ n int }
	type opt func(*conf) error
	inc := func(c *conf) error { c.n++; return nil }
	for _, tc := range []struct {
		name string
		opts []opt
		want int
	}{
		{"none", nil, 0},
		{"only nil", []opt{nil}, 0},
		{"nil between", []opt{inc, nil, inc}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c conf
			if err := Apply(&c, tc.opts); err != nil || c.n != tc.want {
				t.Errorf("Apply = %v with n = %d, want nil with n = %d", err, c.n, tc.want)
			}
		})
	}
}
