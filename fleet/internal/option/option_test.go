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
