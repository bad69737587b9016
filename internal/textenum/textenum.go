// Package textenum encodes small integer enums as text keys, for the
// MarshalText and UnmarshalText methods of the phase, milestone and scope
// types (checkpoint and event files store the keys, never the numbers).
package textenum

import "fmt"

// Marshal returns keys[i], or an error naming pkg and what when i is out of
// range.
func Marshal(pkg, what string, keys []string, i int) ([]byte, error) {
	if i < 0 || i >= len(keys) {
		return nil, fmt.Errorf("%s: invalid %s %d", pkg, what, i)
	}
	return []byte(keys[i]), nil
}

// Unmarshal returns the index of b in keys, or an error naming pkg and what.
func Unmarshal(pkg, what string, keys []string, b []byte) (int, error) {
	for i, k := range keys {
		if string(b) == k {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%s: unknown %s %q", pkg, what, b)
}
