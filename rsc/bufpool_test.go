package rsc

import (
	"errors"
	"io"
	"testing"
)

// TestPooledBodyGivesBackLast checks that a pooled request body goes back
// to its pool only once the call has ended and every reader is closed, and
// that nothing reads it afterwards.
func TestPooledBodyGivesBackLast(t *testing.T) {
	var pool bufferPool
	buf := pool.get(8)
	*buf = append(*buf, "payload"...)
	pb := &pooledBody{pool: &pool, buf: buf}
	r1, err := pb.reader()
	if err != nil {
		t.Fatal(err)
	}
	if n := r1.(interface{ Len() int }).Len(); n != len("payload") {
		t.Errorf("Len %d, want %d", n, len("payload"))
	}
	if got, _ := io.ReadAll(r1); string(got) != "payload" {
		t.Errorf("read %q", got)
	}
	r2, _ := pb.reader() // a second attempt, still open when the call ends
	r1.(io.Closer).Close()
	pb.release()
	if pb.buf == nil {
		t.Fatal("the buffer went back while a reader was open")
	}
	if _, err := pb.reader(); !errors.Is(err, errBodyReleased) {
		t.Errorf("a reader after release: err %v, want errBodyReleased", err)
	}
	r2.(io.Closer).Close()
	if pb.buf != nil {
		t.Fatal("the buffer did not go back once the last reader was closed")
	}
	if n, err := r2.Read(make([]byte, 4)); n != 0 || err == nil {
		t.Errorf("a read after Close: %d bytes, err %v", n, err)
	}
	r2.(io.Closer).Close() // twice is harmless
	if pb.open != 0 {
		t.Errorf("open readers %d after closing twice", pb.open)
	}
}
