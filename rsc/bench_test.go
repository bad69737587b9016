package rsc

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/rscgo/rscgo/internal/restli"
)

// BenchmarkUpsert100Candidates encodes and sends one 100-candidate
// batch_update per op (validation, JSON, Rest.li keys, query tunnelling,
// the transport stack and response decoding) against an in-process handler
// that answers a canned 204 for every key. cpu-ns/record is the process's
// CPU time per record (the handler's share included), steadier than ns/op
// on a busy machine.
//
//	go test -run='^$' -bench=Upsert100 -benchmem ./rsc
func BenchmarkUpsert100Candidates(b *testing.B) {
	cands := make([]Candidate, 100)
	var resp strings.Builder
	resp.WriteString(`{"errors":{},"results":{`)
	for i := range cands {
		cands[i] = testCandidate(fmt.Sprintf("C%05d", i))
		if i > 0 {
			resp.WriteByte(',')
		}
		fmt.Fprintf(&resp, `%q:{"status":204}`, restli.EncodeKeyBody(restli.Protocol1, cands[i].Key.restli(family{proto: restli.Protocol1})))
	}
	resp.WriteString(`}}`)
	body := resp.String()
	c := cannedClient(b, body)
	ctx := b.Context()
	b.ReportAllocs()
	b.ResetTimer()
	cpu := processCPU()
	for b.Loop() {
		res, err := c.Candidates.Upsert(ctx, cands)
		if err != nil || res.Succeeded() != 100 {
			b.Fatalf("succeeded %d, err %v", res.Succeeded(), err)
		}
	}
	b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(processCPU()-cpu)/float64(b.N*100), "cpu-ns/record")
}

// BenchmarkUpsert100AnswerOrder is BenchmarkUpsert100Candidates with the
// answer's keys as sent or as a Rest.li server escapes them
// (restli.EncodeServerBodyKey), in the order sent or reversed: an answer
// out of order in the server's escaping is the case each key must be
// decoded for (keyIndex).
//
//	go test -run='^$' -bench=Upsert100AnswerOrder -benchmem ./rsc
func BenchmarkUpsert100AnswerOrder(b *testing.B) {
	cands := make([]Candidate, 100)
	ours := make([]string, len(cands))
	server := make([]string, len(cands))
	for i := range cands {
		cands[i] = testCandidate(fmt.Sprintf("C%05d", i))
		k := cands[i].Key.restli(family{proto: restli.Protocol1})
		ours[i], server[i] = restli.EncodeKeyBody(restli.Protocol1, k), restli.EncodeServerBodyKey(restli.Protocol1, k)
	}
	answer := func(keys []string, reversed bool) string {
		var sb strings.Builder
		sb.WriteString(`{"errors":{},"results":{`)
		for j := range keys {
			k := keys[j]
			if reversed {
				k = keys[len(keys)-1-j]
			}
			if j > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, `%q:{"status":204}`, k)
		}
		sb.WriteString(`}}`)
		return sb.String()
	}
	for _, bc := range []struct {
		name     string
		keys     []string
		reversed bool
	}{
		{"as-sent/in-order", ours, false},
		{"as-sent/reversed", ours, true},
		{"server-escaped/in-order", server, false},
		{"server-escaped/reversed", server, true},
	} {
		body := answer(bc.keys, bc.reversed)
		b.Run(bc.name, func(b *testing.B) {
			c := cannedClient(b, body)
			b.ReportAllocs()
			for b.Loop() {
				res, err := c.Candidates.Upsert(b.Context(), cands)
				if err != nil || res.Succeeded() != len(cands) {
					b.Fatalf("succeeded %d, err %v", res.Succeeded(), err)
				}
			}
		})
	}
}

// BenchmarkRecordJSON compares the append-style encoders of the records
// sent in bulk with encoding/json.
//
//	go test -run='^$' -bench=RecordJSON -benchmem ./rsc
func BenchmarkRecordJSON(b *testing.B) {
	cand := testCandidate("C00001")
	app := testApplication("A00001")
	buf := make([]byte, 0, 4<<10)
	for _, bc := range []struct {
		name string
		enc  func() []byte
	}{
		{"Candidate/encoding-json", func() []byte { js, _ := json.Marshal(&cand); return js }},
		{"Candidate/appendJSON", func() []byte { return cand.appendJSON(buf[:0]) }},
		{"Application/encoding-json", func() []byte { js, _ := json.Marshal(&app); return js }},
		{"Application/appendJSON", func() []byte { return app.appendJSON(buf[:0]) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bc.enc()
			}
		})
	}
}

// cannedClient is a client, without pacing, of an in-process server that
// answers every API call with body.
func cannedClient(b *testing.B, body string) *Client {
	b.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/v2/accessToken", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"t","expires_in":1800}`)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, body)
	})
	c, err := NewClient(WithTransport(handlerTransport{mux}), WithBaseURL("http://rsc.test"), WithTokenURL("http://rsc.test/oauth/v2/accessToken"),
		WithCredentials("a", "b"), WithLimits(Limits{Disabled: true}))
	if err != nil {
		b.Fatal(err)
	}
	return c
}
