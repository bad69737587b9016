// Package option applies functional options.
package option

// Apply applies opts to v in order, returning the first error.
func Apply[T any, O ~func(*T) error](v *T, opts []O) error {
	for _, o := range opts {
		if err := o(v); err != nil {
			return err
		}
	}
	return nil
}
