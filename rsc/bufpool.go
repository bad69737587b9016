package rsc

import "sync"

// bufferPool keeps byte buffers for reuse from call to call: the JSON
// chunks of encoded records, the bodies of tunnelled batch calls. A Client
// has its own (no global state).
type bufferPool struct{ p sync.Pool }

// get returns an empty buffer of capacity at least n.
func (bp *bufferPool) get(n int) *[]byte {
	if b, ok := bp.p.Get().(*[]byte); ok && cap(*b) >= n {
		*b = (*b)[:0]
		return b
	}
	b := make([]byte, 0, n)
	return &b
}

// put gives b back: nothing may use it any more.
func (bp *bufferPool) put(b *[]byte) { bp.p.Put(b) }
