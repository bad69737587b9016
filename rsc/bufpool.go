package rsc

import (
	"bytes"
	"errors"
	"io"
	"sync"
)

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

// put gives b back, unless it is nil: nothing may use it any more.
func (bp *bufferPool) put(b *[]byte) {
	if b != nil {
		bp.p.Put(b)
	}
}

// pooledBody is the body of one request, held in a buffer from a pool,
// sent through readers that retryablehttp asks for once per attempt. An
// http.RoundTripper may still read or close the body after RoundTrip has
// returned (its contract says so), so the buffer goes back to the pool only
// once the caller is done with the request (release) and every reader made
// has been closed. A reader's Read and Close exclude each other, and after
// Close it reads nothing, so no read can touch a buffer already given back.
// A reader that is never closed keeps the buffer from the pool, which is
// then merely left to the garbage collector.
type pooledBody struct {
	mu       sync.Mutex
	pool     *bufferPool
	buf      *[]byte // nil once given back
	open     int     // readers not closed yet
	released bool    // the caller is done: no reader is made any more
}

// errBodyReleased is what a reader asked for after release returns.
var errBodyReleased = errors.New("rsc: request body read after its call ended")

// reader returns a new reader of the whole body (a retryablehttp.ReaderFunc).
func (pb *pooledBody) reader() (io.Reader, error) {
	pb.mu.Lock()
	defer pb.mu.Unlock()
	if pb.released {
		return nil, errBodyReleased
	}
	pb.open++
	r := &pooledReader{pb: pb}
	r.r.Reset(*pb.buf)
	return r, nil
}

// release says the caller is done with the request.
func (pb *pooledBody) release() {
	pb.mu.Lock()
	defer pb.mu.Unlock()
	pb.released = true
	pb.giveBack()
}

// giveBack returns the buffer to the pool once nothing can read it; pb.mu
// is held.
func (pb *pooledBody) giveBack() {
	if pb.released && pb.open == 0 && pb.buf != nil {
		pb.pool.put(pb.buf)
		pb.buf = nil
	}
}

// pooledReader reads a pooledBody; Len lets retryablehttp set the
// request's Content-Length.
type pooledReader struct {
	pb     *pooledBody
	r      bytes.Reader
	closed bool
}

func (r *pooledReader) Read(p []byte) (int, error) {
	r.pb.mu.Lock()
	defer r.pb.mu.Unlock()
	if r.closed {
		return 0, errBodyReleased
	}
	return r.r.Read(p)
}

func (r *pooledReader) Len() int {
	r.pb.mu.Lock()
	defer r.pb.mu.Unlock()
	return r.r.Len()
}

func (r *pooledReader) Close() error {
	r.pb.mu.Lock()
	defer r.pb.mu.Unlock()
	if !r.closed {
		r.closed = true
		r.pb.open--
		r.pb.giveBack()
	}
	return nil
}
