package sync

import gosync "sync"

// slicePool keeps slices for reuse from batch to batch, so that the
// batches in flight share a few rather than each allocating its own.
type slicePool[E any] struct{ p gosync.Pool }

// get returns a slice of n zero elements.
func (sp *slicePool[E]) get(n int) *[]E {
	if s, ok := sp.p.Get().(*[]E); ok && cap(*s) >= n {
		*s = (*s)[:n]
		return s
	}
	s := make([]E, n)
	return &s
}

// put gives s back, cleared: nothing may use it any more.
func (sp *slicePool[E]) put(s *[]E) {
	clear(*s)
	sp.p.Put(s)
}
