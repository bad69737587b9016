package rsc

import (
	"encoding/json"
	"fmt"
	"testing"
)

// appendJSONString writes a JSON string that decodes to its input, for keys
// with and without characters JSON escapes.
func TestAppendJSONString(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "atsCandidateId=C1&dataProvider=ATS", "(a:b%20c)", `q"uote`, `back\slash`, "tab\t", "é", "<&>", "\x00", "\u2028"} {
		got := appendJSONString([]byte("x"), s)
		var back string
		if err := json.Unmarshal(got[1:], &back); err != nil || back != s || got[0] != 'x' {
			t.Errorf("appendJSONString(%q) = %s, decodes to %q (%v)", s, got, back, err)
		}
	}
}

// scanResults agrees with encoding/json on every body it accepts, and
// accepts the common shapes.
func TestScanResults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		body   string
		accept bool
	}{
		{`{"results":{"a=1&b=2":{"status":204},"(k:v)":{"status":201}},"errors":{}}`, true},
		{` { "errors" : { } , "results" : { "x" : { "status" : 422 } } } `, true},
		{`{"results":{}}`, true},
		{`{}`, true},
		{`{"results":{"x":{"status":204}},"errors":{"y":{"status":422,"message":"bad"}}}`, false},
		{`{"results":{"x":{"status":204,"extra":1}}}`, false},
		{`{"results":{"x\"y":{"status":204}}}`, false},
		{`{"results":{"é":{"status":204}}}`, false},
		{`{"results":{"x":{"status":0204}}}`, false},
		{`{"results":{"x":{"status":204}},}`, false},
		{`{"results":{"x":{"status":204}}} x`, false},
		{`{"results":{"x":{"status":-1}}}`, false},
		{`{"statuses":{}}`, false},
		{`{,}`, false},
		{``, false},
	} {
		t.Run(tc.body, func(t *testing.T) {
			got, ok := scanResults([]byte(tc.body), nil)
			if ok != tc.accept {
				t.Fatalf("accepted %v, want %v", ok, tc.accept)
			}
			if ok {
				checkScanAgainstJSON(t, tc.body, got)
			}
		})
	}
}

// checkScanAgainstJSON requires encoding/json to read body as scanResults did.
func checkScanAgainstJSON(t *testing.T, body string, got []keyStatus) {
	t.Helper()
	var br batchResponse
	if err := json.Unmarshal([]byte(body), &br); err != nil {
		t.Fatalf("scanResults accepted %q, which encoding/json refuses: %v", body, err)
	}
	want := map[string]int{}
	for k, st := range br.Results {
		want[k] = st.Status
	}
	have := map[string]int{}
	for _, ks := range got {
		have[string(ks.key)] = ks.status // the last of duplicate keys wins, as in encoding/json
	}
	if len(br.Errors) != 0 || fmt.Sprint(want) != fmt.Sprint(have) {
		t.Fatalf("body %q: scanResults read %v, encoding/json %v (errors %v)", body, have, want, br.Errors)
	}
}

// FuzzScanResults: whatever scanResults accepts, encoding/json reads the same.
func FuzzScanResults(f *testing.F) {
	f.Add(`{"results":{"a=1&b=2":{"status":204}},"errors":{}}`)
	f.Add(`{"errors":{},"results":{"x":{"status":422},"x":{"status":201}}}`)
	f.Add(`{"results":{"x":{"status":99}}}`)
	f.Fuzz(func(t *testing.T, body string) {
		if got, ok := scanResults([]byte(body), nil); ok {
			checkScanAgainstJSON(t, body, got)
		}
	})
}
