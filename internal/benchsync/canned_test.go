package benchsync

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	gosync "sync"
	"sync/atomic"
)

// batchSize is the records per batch call, LinkedIn's maximum, which both
// the engine and the hand loop use.
const batchSize = 100

// acceptedResponse is the fake's answer to a batch_update of candidates
// first..first+n-1 that stores every one, its keys in the fake's spelling
// (values query-escaped): the harness test checks it byte for byte against
// rsctest's.
func acceptedResponse(first, n int) []byte { return appendAccepted(nil, first, n) }

// appendAccepted appends acceptedResponse(first, n) to b.
func appendAccepted(b []byte, first, n int) []byte {
	b = append(b, `{"errors":{},"results":{`...)
	for i := first; i < first+n; i++ {
		if i > first {
			b = append(b, ',')
		}
		b = append(b, `"atsCandidateId=`...)
		b = appendCandidateID(b, i)
		b = append(b, `&dataProvider=ATS&integrationContext=`...)
		b = append(b, escapedOrg...)
		b = append(b, '"')
		b = append(b, `:{"status":204}`...)
	}
	return append(b, `}}`...)
}

// escapedOrg is org as the fake spells it in a response key.
var escapedOrg = url.QueryEscape(org)

// cannedTransport answers a batch_update of generated candidates with the
// fake's "all stored" response, prepared in advance for every batch of a
// dataset of n candidates (or built on the fly when memory, not CPU, is
// measured), and a token request with a token. It reads each request
// whole and looks at it only to find the batch's first id and count its
// keys, the same small work for the engine and the hand loop, so that the
// CPU measured around a sync is the client's.
type cannedTransport struct {
	n         int
	prepared  map[int][]byte // by first index; nil: build each answer
	records   atomic.Int64   // keys answered
	batches   atomic.Int64
	bufs      chan *bytes.Buffer // free buffers, kept across GCs so that they are not regrown
	keyMarker []byte
}

func newCannedTransport(n int, prepare bool) *cannedTransport {
	t := &cannedTransport{n: n, keyMarker: []byte("].atsCandidateId=")}
	t.bufs = make(chan *bytes.Buffer, 4*inFlight)
	if prepare {
		t.prepared = make(map[int][]byte, n/batchSize+1)
		for f := 0; f < n; f += batchSize {
			t.prepared[f] = acceptedResponse(f, min(batchSize, n-f))
		}
	}
	return t
}

const tokenResponse = `{"access_token":"canned-token","expires_in":1800}`

func (t *cannedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	buf := t.buffer()
	defer t.release(buf)
	if r.Body != nil {
		_, err := buf.ReadFrom(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	if r.URL.Path == "/oauth/v2/accessToken" {
		return t.answer(r, []byte(tokenResponse)), nil
	}
	if r.URL.Path != "/v2/atsCandidates" {
		return nil, fmt.Errorf("canned transport: unexpected %s %s", r.Method, r.URL.Path)
	}
	body := buf.Bytes()
	at := bytes.Index(body, t.keyMarker)
	if at < 0 || len(body) < at+len(t.keyMarker)+9 {
		return nil, fmt.Errorf("canned transport: no candidate key in %.200q", body)
	}
	id := body[at+len(t.keyMarker) : at+len(t.keyMarker)+9]
	first, err := strconv.Atoi(string(id[1:]))
	if err != nil || id[0] != 'C' {
		return nil, fmt.Errorf("canned transport: key %q is not a generated candidate id", id)
	}
	keys := bytes.Count(body, t.keyMarker)
	want := min(batchSize, t.n-first)
	if keys != want {
		return nil, fmt.Errorf("canned transport: batch from %s has %d keys, want %d", id, keys, want)
	}
	resp, ok := t.prepared[first]
	if !ok && t.prepared != nil {
		return nil, fmt.Errorf("canned transport: no batch starts at %s", id)
	}
	t.records.Add(int64(keys))
	t.batches.Add(1)
	if !ok {
		out := t.buffer()
		out.Write(appendAccepted(out.AvailableBuffer(), first, keys))
		a := t.answer(r, out.Bytes())
		a.Body = &releasingBody{Reader: bytes.NewReader(out.Bytes()), release: func() { t.release(out) }}
		return a, nil
	}
	return t.answer(r, resp), nil
}

// buffer returns a free buffer, empty.
func (t *cannedTransport) buffer() *bytes.Buffer {
	select {
	case b := <-t.bufs:
		b.Reset()
		return b
	default:
		return new(bytes.Buffer)
	}
}

func (t *cannedTransport) release(b *bytes.Buffer) {
	select {
	case t.bufs <- b:
	default:
	}
}

// releasingBody is a response body built in a transport buffer, given
// back when the client closes the body.
type releasingBody struct {
	*bytes.Reader
	release func()
	once    gosync.Once
}

func (b *releasingBody) Close() error {
	b.once.Do(b.release)
	return nil
}

func (t *cannedTransport) answer(r *http.Request, body []byte) *http.Response {
	return &http.Response{StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}}, ContentLength: int64(len(body)),
		Body: io.NopCloser(bytes.NewReader(body)), Request: r}
}
