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
func acceptedResponse(first, n int) []byte {
	b := []byte(`{"errors":{},"results":{`)
	for i := first; i < first+n; i++ {
		if i > first {
			b = append(b, ',')
		}
		b = append(b, `"atsCandidateId=`...)
		b = append(b, candidateID(i)...)
		b = append(b, `&dataProvider=ATS&integrationContext=`...)
		b = append(b, url.QueryEscape(org)...)
		b = append(b, '"')
		b = append(b, `:{"status":204}`...)
	}
	return append(b, `}}`...)
}

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
	bufs      gosync.Pool
	keyMarker []byte
}

func newCannedTransport(n int, prepare bool) *cannedTransport {
	t := &cannedTransport{n: n, keyMarker: []byte("].atsCandidateId=")}
	t.bufs.New = func() any { return new(bytes.Buffer) }
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
	buf := t.bufs.Get().(*bytes.Buffer)
	defer t.bufs.Put(buf)
	buf.Reset()
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
	if !ok {
		resp = acceptedResponse(first, keys)
	}
	t.records.Add(int64(keys))
	t.batches.Add(1)
	return t.answer(r, resp), nil
}

func (t *cannedTransport) answer(r *http.Request, body []byte) *http.Response {
	return &http.Response{StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}}, ContentLength: int64(len(body)),
		Body: io.NopCloser(bytes.NewReader(body)), Request: r}
}
