package rsc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/internal/restli"
)

// readBody reads what io.ReadAll reads, whatever length the response
// announces.
func TestReadBody(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("0123456789", 100)
	for _, tc := range []struct {
		name      string
		announced int64
	}{
		{"exact", int64(len(body))},
		{"unknown", -1},
		{"none", 0},
		{"shorter than the body", 10},
		{"longer than the body", int64(len(body)) + 10},
		{"over the limit", maxResponseBody + 1},
		{"over what is allocated in advance", maxPreallocBody + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// iotest.OneByteReader-like chunks: several reads.
			r := io.MultiReader(strings.NewReader(body[:3]), strings.NewReader(body[3:500]), strings.NewReader(body[500:]))
			got, err := readBody(&http.Response{ContentLength: tc.announced, Body: io.NopCloser(r)}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(body, string(got)); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
			// The same into a reused buffer, smaller than the body.
			r = io.MultiReader(strings.NewReader(body[:3]), strings.NewReader(body[3:500]), strings.NewReader(body[500:]))
			got, err = readBody(&http.Response{ContentLength: tc.announced, Body: io.NopCloser(r)}, make([]byte, 0, 100))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(body, string(got)); diff != "" {
				t.Errorf("body read into a reused buffer (-want +got):\n%s", diff)
			}
		})
	}
}

// Concurrent upserts, whose records are encoded in chunks and scratch the
// client reuses from call to call, each send exactly their own records.
func TestUpsertConcurrentReusesNoChunkInUse(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	got := map[string]string{} // body key → entity JSON as received
	h := setup(t, func(w http.ResponseWriter, s seen) {
		var body struct {
			Entities map[string]json.RawMessage `json:"entities"`
		}
		if err := json.Unmarshal(s.Body, &body); err != nil {
			reply(w, 400, `{"message":"bad body"}`)
			return
		}
		var resp bytes.Buffer
		resp.WriteString(`{"errors":{},"results":{`)
		mu.Lock()
		i := 0
		for k, v := range body.Entities {
			got[k] = string(v)
			if i > 0 {
				resp.WriteByte(',')
			}
			i++
			fmt.Fprintf(&resp, `%q:{"status":204}`, k)
		}
		mu.Unlock()
		resp.WriteString(`}}`)
		reply(w, 200, resp.String())
	})
	want := map[string]string{}
	var wg sync.WaitGroup
	for g := range 4 {
		cands := make([]Candidate, 150) // two calls each
		for i := range cands {
			cands[i] = testCandidate(fmt.Sprintf("G%dC%03d", g, i))
			// Records of many sizes (up to 1 KB) fill chunks unevenly.
			long := strings.Repeat("x", 1+(g*150+i)*37%255)
			cands[i].FirstName, cands[i].LastName, cands[i].CurrentCompanyName, cands[i].CurrentJobTitle = long, long, long, long
			js, _ := json.Marshal(&cands[i])
			want["atsCandidateId="+cands[i].Key.CandidateID+"&dataProvider=ATS&integrationContext="+org] = string(js)
		}
		wg.Go(func() {
			// Calls of at most 100 records reuse the encoding scratch too.
			for _, part := range [][]Candidate{cands, cands[:100], cands[100:], cands[:100]} {
				if res, err := h.client.Candidates.Upsert(t.Context(), part); err != nil || res.Succeeded() != len(part) {
					t.Errorf("upsert: %d succeeded, err %v", res.Succeeded(), err)
				}
			}
		})
	}
	wg.Wait()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entities received (-want +got):\n%s", diff)
	}
}

// do reports the body copied only when it tunnelled the call: a body sent
// as it is may still be read by the transport after do returns, so the
// caller must not reuse it.
func TestBodyCopiedOnlyWhenTunnelled(t *testing.T) {
	t.Parallel()
	h := setup(t, func(w http.ResponseWriter, s seen) { reply(w, 200, `{}`) })
	for _, tc := range []struct {
		name  string
		query string
		body  []byte
		want  bool
	}{
		{"short query", "ids=a", []byte(`{"entities":{}}`), false},
		{"long query", "ids=" + strings.Repeat("a", restli.MaxQueryLength), []byte(`{"entities":{}}`), true},
		{"long query, no body", "ids=" + strings.Repeat("a", restli.MaxQueryLength), nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl := &call{method: http.MethodPut, restli: "batch_update", path: "/atsCandidates", query: tc.query, body: tc.body, res: resCandidates, idempotent: true}
			if _, err := h.client.do(t.Context(), cl); err != nil {
				t.Fatal(err)
			}
			if cl.bodyCopied != tc.want {
				t.Errorf("bodyCopied = %v, want %v", cl.bodyCopied, tc.want)
			}
		})
	}
}
