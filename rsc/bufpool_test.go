package rsc

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rscgo/rscgo/internal/restli"
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

// TestTunnelledBodiesOverHTTP2: tunnelled batch bodies come from a pool
// (pooledBody). Over HTTP/2 the server answers 503 before it reads a body,
// or after reading a little (the transport may still be writing it), and
// reads a third whole; many calls run at once, so that a buffer given back
// too early would be taken by another call. Every body read whole must be
// its own call's: its records are the ones its query names.
func TestTunnelledBodiesOverHTTP2(t *testing.T) {
	t.Parallel()
	callOf := regexp.MustCompile(`G\d+-R\d+`) // the goroutine and round in each record's id
	var n atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/oauth/v2/accessToken") {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token":"tok","expires_in":1800}`)
			return
		}
		if r.ProtoMajor != 2 {
			t.Errorf("HTTP/%d", r.ProtoMajor)
		}
		i := n.Add(1)
		switch i % 3 {
		case 0: // answer before reading anything
			w.Header().Set("Content-Type", "application/json")
			reply(w, 503, `{"message":"busy","status":503}`)
			return
		case 1: // read a little, then answer
			io.ReadFull(r.Body, make([]byte, 100))
			reply(w, 503, `{"message":"busy","status":503}`)
			return
		}
		_, query, body, err := restli.Untunnel(r)
		if err != nil {
			t.Errorf("untunnel: %v", err)
			reply(w, 400, `{}`)
			return
		}
		var doc struct {
			Entities map[string]json.RawMessage `json:"entities"`
		}
		if err := json.Unmarshal(body, &doc); err != nil || len(doc.Entities) != 100 {
			t.Errorf("body: %v, %d entities, want 100", err, len(doc.Entities))
		}
		for k := range doc.Entities {
			if call := callOf.FindString(k); call == "" || !strings.Contains(query, call+"-") {
				t.Errorf("the body holds record %s of call %s, which the query does not name: another call's body", k, call)
				break
			}
		}
		var b strings.Builder
		b.WriteString(`{"results":{`)
		first := true
		for k := range doc.Entities {
			if !first {
				b.WriteByte(',')
			}
			first = false
			fmt.Fprintf(&b, "%q:{\"status\":204}", k)
		}
		b.WriteString(`},"errors":{}}`)
		w.Header().Set("Content-Type", "application/json")
		reply(w, 200, b.String())
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	c, err := NewClient(WithBaseURL(srv.URL+"/api"), WithTokenURL(srv.URL+"/api/oauth/v2/accessToken"),
		WithTransport(srv.Client().Transport), WithCredentials("cid", "csecret"),
		WithLimits(Limits{Disabled: true}),
		WithRetryPolicy(RetryPolicy{MaxAttempts: 30, MinWait: time.Millisecond, MaxWait: 2 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for round := range 10 {
				cands := testCandidates(100)
				for i := range cands {
					cands[i].Key.CandidateID = fmt.Sprintf("G%d-R%d-%s-%s", g, round, cands[i].Key.CandidateID, strings.Repeat("x", 40))
				}
				res, err := c.Candidates.Upsert(t.Context(), cands)
				if err != nil {
					t.Errorf("g%d round %d: %v", g, round, err)
					return
				}
				if err := res.Err(); err != nil {
					t.Errorf("g%d round %d: %v", g, round, err)
					return
				}
			}
		})
	}
	wg.Wait()
}
