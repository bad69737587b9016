// Package pushq holds what every handler of LinkedIn's push notifications
// shares: reading and authenticating a push, a bounded worker pool, and a
// bounded memory of event ids already seen.
package pushq

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash/fnv"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rscgo/rscgo/rsc"
)

// MaxBody bounds a push body; real ones are about 100 bytes.
const MaxBody = 64 << 10

// Refusal is why a push was refused, with the HTTP status to answer.
type Refusal struct {
	Status int
	Reason string
}

// Error implements error.
func (r *Refusal) Error() string { return r.Reason }

func refuse(status int, reason string) *Refusal { return &Refusal{status, reason} }

// ReadBody reads a push's body: POST only (405), at most MaxBody bytes
// (413).
func ReadBody(w http.ResponseWriter, r *http.Request) ([]byte, *Refusal) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return nil, refuse(http.StatusMethodNotAllowed, "POST only")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		return nil, refuse(http.StatusRequestEntityTooLarge, "payload too large")
	}
	return body, nil
}

// Authenticate checks a push's X-LI-Signature header against body. A
// missing header is refused (401) unless allowUnsigned; a present one must
// verify (401). An empty secret cannot verify anything, so it answers 503:
// the handler is misconfigured or the secret is not stored yet. header is
// the value Signature returns.
func Authenticate(body []byte, header, secret string, allowUnsigned bool) *Refusal {
	switch {
	case header == "" && allowUnsigned:
		return nil
	case header == "":
		return refuse(http.StatusUnauthorized, "signature required")
	case secret == "":
		return refuse(http.StatusServiceUnavailable, "cannot verify signatures now")
	case rsc.VerifyPush(body, header, secret) != nil:
		return BadSignature()
	}
	return nil
}

// BadSignature is the refusal of a push whose signature does not verify
// (401). Every bad signature gets this very answer, whatever is wrong with
// it, so that the answer tells nothing more.
func BadSignature() *Refusal { return refuse(http.StatusUnauthorized, "bad signature") }

// Signature returns the X-LI-Signature of a push, "" when it has none. A
// signed push carries the header once, its value "hmacsha256=" and the 64
// hex digits of the HMAC-SHA256 of the body (docs/linkedin-api.md §8.1;
// docs/wire-model.md, Push events), with optional spaces or tabs around it
// (RFC 9110, section 5.5). Anything else is ambiguous and refused with
// BadSignature, before the handler looks the instance or its secret up:
// the header more than once (which one would count? a proxy or a client
// may read another than the handler does), even with one valid value, and
// a value of another form, an empty one included (a header that is
// present is always verified, even where unsigned pushes are allowed).
func Signature(h http.Header) (string, *Refusal) {
	vs := h.Values(rsc.SignatureHeader)
	switch {
	case len(vs) == 0:
		return "", nil
	case len(vs) > 1 || !wellFormed(vs[0]):
		return "", BadSignature()
	}
	return vs[0], nil
}

// wellFormed reports whether v is "hmacsha256=" and 64 hex digits (of
// either case, as rsc.VerifyPush takes them), with optional spaces or tabs
// around.
func wellFormed(v string) bool {
	digits, ok := strings.CutPrefix(strings.Trim(v, " \t"), "hmacsha256=")
	_, err := hex.DecodeString(digits)
	return ok && len(digits) == 2*sha256.Size && err == nil
}

// Parse decodes an authenticated push. LinkedIn's JSON is UTF-8: a body
// that is not, or an id or type holding U+FFFD (what JSON decoding makes of
// invalid UTF-8 and of an escaped lone surrogate), is refused (400) rather
// than looked up under an id LinkedIn never issued.
func Parse(body []byte) (rsc.PushEvent, *Refusal) {
	if !utf8.Valid(body) {
		return rsc.PushEvent{}, refuse(http.StatusBadRequest, "push body is not valid UTF-8")
	}
	ev, err := rsc.ParsePushEvent(body)
	if err != nil {
		return ev, refuse(http.StatusBadRequest, "bad event: "+err.Error())
	}
	if !ValidID(ev.ID) || !ValidID(ev.Type) {
		return ev, refuse(http.StatusBadRequest, "push id or type is not a LinkedIn id (invalid UTF-8, control characters, or over 512 bytes)")
	}
	return ev, nil
}

// MaxIDLen bounds a push id or type. LinkedIn's are short ids and URNs; a
// longer one could not be fetched back (it goes into a request URL), so it
// is refused at the edge instead of being accepted and then dropped.
const MaxIDLen = 512

// ValidID reports whether a push id or type can have come from LinkedIn:
// valid UTF-8 without U+FFFD or control characters, at most MaxIDLen bytes.
func ValidID(s string) bool {
	return len(s) <= MaxIDLen && utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool {
		return r == utf8.RuneError || unicode.IsControl(r)
	})
}

// Fail answers a refusal.
func Fail(w http.ResponseWriter, rf *Refusal) { http.Error(w, rf.Reason, rf.Status) }

// Queue is a bounded pool of workers. Jobs of one key run on one worker, in
// order; a full queue refuses new jobs instead of growing.
type Queue struct {
	queues  []chan func()
	mu      sync.Mutex
	closed  bool
	pending atomic.Int64
	workers sync.WaitGroup
}

// ErrFull is returned by Add when the queue is full or closed.
var ErrFull = errors.New("push queue full")

// NewQueue starts workers that share at most size waiting jobs.
func NewQueue(workers, size int) *Queue {
	q := &Queue{}
	per := max(1, size/workers)
	for range workers {
		ch := make(chan func(), per)
		q.queues = append(q.queues, ch)
		q.workers.Add(1)
		go func() {
			defer q.workers.Done()
			for job := range ch {
				job()
				q.pending.Add(-1)
			}
		}()
	}
	return q
}

// Add queues job on key's worker, or returns ErrFull.
func (q *Queue) Add(key string, job func()) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return ErrFull
	}
	f := fnv.New32a()
	f.Write([]byte(key))
	ch := q.queues[int(f.Sum32()%uint32(len(q.queues)))]
	q.pending.Add(1)
	select {
	case ch <- job:
		return nil
	default:
		q.pending.Add(-1)
		return ErrFull
	}
}

// Wait blocks until every queued job has run, or ctx ends. It polls every
// few milliseconds.
func (q *Queue) Wait(ctx context.Context) error {
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	for q.pending.Load() > 0 {
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Close refuses new jobs, lets the workers finish the queued ones and
// waits for them.
func (q *Queue) Close() {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		for _, ch := range q.queues {
			close(ch)
		}
	}
	q.mu.Unlock()
	q.workers.Wait()
}

// Seen remembers keys for a TTL, evicting the oldest beyond its size. It
// lives in memory: a restart forgets it.
type Seen struct {
	mu   sync.Mutex
	size int
	ttl  time.Duration
	clk  rsc.Clock
	ll   *list.List
	m    map[string]*list.Element
}

type entry struct {
	key string
	at  time.Time
}

// NewSeen returns an empty memory of at most size keys, each kept for ttl
// by clk.
func NewSeen(size int, ttl time.Duration, clk rsc.Clock) *Seen {
	return &Seen{size: size, ttl: ttl, clk: clk, ll: list.New(), m: map[string]*list.Element{}}
}

// Add records key and reports whether it was new (or expired).
func (c *Seen) Add(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.clk.Now()
	if e, ok := c.m[key]; ok {
		if now.Sub(e.Value.(*entry).at) < c.ttl {
			return false
		}
		c.ll.Remove(e)
		delete(c.m, key)
	}
	c.m[key] = c.ll.PushFront(&entry{key: key, at: now})
	for c.ll.Len() > c.size {
		old := c.ll.Back()
		c.ll.Remove(old)
		delete(c.m, old.Value.(*entry).key)
	}
	return true
}

// Remove forgets key.
func (c *Seen) Remove(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[key]; ok {
		c.ll.Remove(e)
		delete(c.m, key)
	}
}

// Len returns the number of keys remembered.
func (c *Seen) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}
