// Package option applies functional options.
package option

// Apply applies opts to v in order, skipping nil ones, and returns the
// first error.
func Apply[T any, O ~func(*T) error](v *T, opts []O) error {
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(v); err != nil {
			return err
		}
	}
	return nil
}
