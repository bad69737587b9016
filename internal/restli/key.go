package restli

import (
	"cmp"
	"slices"
)

// ParamsField is the name of the complex-key parameters field in protocol
// 2.0, as in ($params:(),atsJobApplicationId:A1,integrationContext:...).
//
// A Field with this name is special in protocol 2.0 only: when its Value is
// already a 2.0-encoded record such as "()" or "(a:b)", EncodeKeyPath and
// EncodeBatchIDs write it as is instead of escaping it, and DecodeKey returns
// the record's raw text as the Value. In protocol 1.0 it is an ordinary field.
const ParamsField = "$params"

// Get returns the value of the first field called name.
func (k Key) Get(name string) (string, bool) {
	for _, f := range k {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// Equal reports whether k and o hold the same fields, ignoring order
// (LinkedIn echoes keys with fields in varying order, e.g. Postman's ACL
// bodies put dataProvider first). Repeated fields are compared as a
// multiset.
func (k Key) Equal(o Key) bool {
	if len(k) != len(o) {
		return false
	}
	var small [16]bool
	var used []bool
	if len(o) <= len(small) {
		used = small[:len(o)]
	} else {
		used = make([]bool, len(o))
	}
outer:
	for _, f := range k {
		for j, g := range o {
			if !used[j] && f == g {
				used[j] = true
				continue outer
			}
		}
		return false
	}
	return true
}

// Without returns a copy of k without the fields called name (for example
// ParamsField, to compare a versioned complex key with a plain one).
func (k Key) Without(name string) Key {
	out := make(Key, 0, len(k))
	for _, f := range k {
		if f.Name != name {
			out = append(out, f)
		}
	}
	return out
}

// Sorted returns a copy of k with fields ordered by name (then value), the
// order LinkedIn's Python client uses when it encodes a key.
func (k Key) Sorted() Key {
	out := slices.Clone(k)
	slices.SortStableFunc(out, func(a, b Field) int {
		if c := cmp.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return cmp.Compare(a.Value, b.Value)
	})
	return out
}
