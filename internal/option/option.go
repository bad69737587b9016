// Package option holds what the functional options of onboarding and
// inmail share: options that apply to some constructors only, and checks
// of their arguments.
package option

import (
	"fmt"
	"reflect"
)

// Base is embedded in a package's option config. Target is the bit of the
// constructor being configured; Names names each constructor's bit.
type Base struct {
	Pkg    string
	Target uint8
	Names  map[uint8]string
}

// base gives With access to the embedded Base.
func (b *Base) base() *Base { return b }

// Config is a package's option config: a pointer to a struct embedding
// Base.
type Config interface{ base() *Base }

// Only refuses an option outside the constructors (bits) it applies to.
func (b *Base) Only(name string, targets uint8) error {
	if b.Target&targets == 0 {
		return fmt.Errorf("%s: %s does not apply to %s", b.Pkg, name, b.Names[b.Target])
	}
	return nil
}

// With returns an option for the constructors in targets that refuses a
// nil v and otherwise applies set.
func With[C Config, T any](name string, targets uint8, v T, set func(C, T)) func(C) error {
	return Check(name, targets, v, func(v T) string {
		if NonNil("", "", v) != nil {
			return "nil argument"
		}
		return ""
	}, set)
}

// Check returns an option for the constructors in targets that refuses v
// when check says why ("pkg: name: why") and otherwise applies set.
func Check[C Config, T any](name string, targets uint8, v T, check func(T) string, set func(C, T)) func(C) error {
	return func(c C) error {
		b := c.base()
		if err := b.Only(name, targets); err != nil {
			return err
		}
		if why := check(v); why != "" {
			return fmt.Errorf("%s: %s: %s", b.Pkg, name, why)
		}
		set(c, v)
		return nil
	}
}

// Pool checks the sizes of a worker pool: workers > 0, queue >= workers.
func Pool(p [2]int) string {
	if p[0] <= 0 || p[1] < p[0] {
		return fmt.Sprintf("%d workers and a queue of %d: need workers > 0 and queue >= workers", p[0], p[1])
	}
	return ""
}

// Apply applies opts to c in order, skipping nil ones, and returns the
// first error.
func Apply[C Config, O ~func(C) error](c C, opts []O) error {
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(c); err != nil {
			return err
		}
	}
	return nil
}

// NonNilSet is an option that applies set, or fails with "pkg: name: nil
// what" when v is nil, as NonNil sees it: a nil interface, or one holding a
// nil pointer or func (a nil *FakeClock, say), which would panic on the
// first call.
func NonNilSet[C any](pkg, name, what string, v any, set func(C)) func(C) error {
	return func(c C) error {
		if NonNil(pkg, name, v) != nil {
			return fmt.Errorf("%s: %s: nil %s", pkg, name, what)
		}
		set(c)
		return nil
	}
}

// NonNil returns an error naming pkg and the option when v is nil (a nil
// interface, func, pointer, map or slice).
func NonNil(pkg, name string, v any) error {
	if v == nil {
		return fmt.Errorf("%s: %s: nil argument", pkg, name)
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Func, reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
		if rv.IsNil() {
			return fmt.Errorf("%s: %s: nil argument", pkg, name)
		}
	}
	return nil
}
