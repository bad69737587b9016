package pushq

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

func TestAuthenticateAndParse(t *testing.T) {
	body := []byte(`{"id":"r1","type":"EXPORT_CANDIDATE_PROFILE"}`)
	good := rsc.SignPush(body, "k")
	for _, tc := range []struct {
		name, sig, secret string
		unsigned          bool
		want              int // 0: accepted
	}{
		{"signed", good, "k", false, 0},
		{"unsigned, required", "", "k", false, http.StatusUnauthorized},
		{"unsigned, allowed", "", "", true, 0},
		{"bad signature", rsc.SignPush(body, "x"), "k", true, http.StatusUnauthorized},
		{"empty secret", good, "", false, http.StatusServiceUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := 0
			if rf := Authenticate(body, tc.sig, tc.secret, tc.unsigned); rf != nil {
				got = rf.Status
			}
			if got != tc.want {
				t.Errorf("Authenticate = %d, want %d", got, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name, body string
		want       string // "" accepted
	}{
		{"event", `{"id":"r1","type":"EXPORT_CANDIDATE_PROFILE"}`, ""},
		{"raw invalid UTF-8", "{\"id\":\"\xff\",\"type\":\"EXPORT_CANDIDATE_PROFILE\"}", "push body is not valid UTF-8"},
		{"escaped lone surrogate", `{"id":"\ud800","type":"EXPORT_CANDIDATE_PROFILE"}`, "push id or type is not a LinkedIn id (invalid UTF-8, control characters, or over 512 bytes)"},
		{"escaped NUL in the id", `{"id":"r\u0000>","type":"EXPORT_CANDIDATE_PROFILE"}`, "push id or type is not a LinkedIn id (invalid UTF-8, control characters, or over 512 bytes)"},
		{"id of 513 bytes", `{"id":"` + strings.Repeat("1", 513) + `","type":"INTEGRATION_STATUS_CHANGE"}`, "push id or type is not a LinkedIn id (invalid UTF-8, control characters, or over 512 bytes)"},
		{"id of 512 bytes", `{"id":"` + strings.Repeat("1", 512) + `","type":"INTEGRATION_STATUS_CHANGE"}`, ""},
		{"no id", `{"type":"EXPORT_CANDIDATE_PROFILE"}`, "bad event: rsc: push event without id or type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			if _, rf := Parse([]byte(tc.body)); rf != nil {
				got = rf.Reason
				if rf.Status != http.StatusBadRequest {
					t.Errorf("status %d, want 400", rf.Status)
				}
			}
			if got != tc.want {
				t.Errorf("Parse = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestReadBody(t *testing.T) {
	w := httptest.NewRecorder()
	if _, rf := ReadBody(w, httptest.NewRequest(http.MethodGet, "/", nil)); rf == nil || rf.Status != http.StatusMethodNotAllowed {
		t.Errorf("GET: %v", rf)
	}
	big := strings.NewReader(strings.Repeat("x", MaxBody+1))
	if _, rf := ReadBody(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/", big)); rf == nil || rf.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("too large: %v", rf)
	}
}

func TestQueueBoundedAndOrdered(t *testing.T) {
	synctest.Test(t, testQueue)
}

func testQueue(t *testing.T) {
	q := NewQueue(1, 2)
	block := make(chan struct{})
	var mu sync.Mutex
	var ran []int
	job := func(i int) func() {
		return func() {
			<-block
			mu.Lock()
			ran = append(ran, i)
			mu.Unlock()
		}
	}
	// One job runs (blocked), two wait, the fourth is refused.
	accepted := 0
	for i := range 4 {
		if q.Add("k", job(i)) == nil {
			accepted++
		}
		synctest.Wait() // the worker takes the first job
	}
	if accepted != 3 {
		t.Errorf("accepted %d jobs with 1 worker and room for 2, want 3", accepted)
	}
	close(block)
	if err := q.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	q.Close()
	if err := q.Add("k", func() {}); err != ErrFull {
		t.Errorf("Add after Close = %v", err)
	}
	if len(ran) != 3 || ran[0] != 0 || ran[1] != 1 || ran[2] != 2 {
		t.Errorf("ran %v, want [0 1 2]", ran)
	}
}

func TestSeen(t *testing.T) {
	clk := rsctest.NewFakeClock(time.Unix(0, 0))
	c := NewSeen(2, time.Minute, clk)
	if !c.Add("a") || c.Add("a") || !c.Add("b") || !c.Add("c") || !c.Add("a") {
		t.Error("bounded add")
	}
	if c.Len() != 2 {
		t.Errorf("Len = %d, want 2", c.Len())
	}
	clk.Advance(2 * time.Minute)
	if !c.Add("c") {
		t.Error("expired entry not forgotten")
	}
	c.Remove("c")
	if !c.Add("c") {
		t.Error("removed entry still remembered")
	}
}

// Signature takes one well-formed X-LI-Signature header and refuses any
// other as a bad signature; what it takes is what rsc.VerifyPush verifies.
func TestSignature(t *testing.T) {
	body := []byte(`{"id":"r1","type":"EXPORT_CANDIDATE_PROFILE"}`)
	good := rsc.SignPush(body, "k")
	other := rsc.SignPush(body, "x")
	hex := good[len("hmacsha256="):]
	type result struct {
		Sig    string
		Status int
		Reason string
	}
	bad := result{Status: http.StatusUnauthorized, Reason: "bad signature"}
	for _, tc := range []struct {
		name string
		vals []string
		want result
	}{
		{"none", nil, result{}},
		{"one", []string{good}, result{Sig: good}},
		{"upper-case hex", []string{"hmacsha256=" + strings.ToUpper(hex)}, result{Sig: "hmacsha256=" + strings.ToUpper(hex)}},
		{"spaces and tabs around", []string{" \t" + good + "\t "}, result{Sig: " \t" + good + "\t "}},
		{"good then other", []string{good, other}, bad},
		{"other then good", []string{other, good}, bad},
		{"good twice", []string{good, good}, bad},
		{"empty", []string{""}, bad},
		{"two in one value", []string{good + "," + other}, bad},
		{"no prefix", []string{hex}, bad},
		{"prefix in upper case", []string{"HMACSHA256=" + hex}, bad},
		{"63 digits", []string{good[:len(good)-1]}, bad},
		{"65 digits", []string{good + "a"}, bad},
		{"not hex", []string{good[:len(good)-1] + "g"}, bad},
		{"no-break space", []string{good + "\u00a0"}, bad},
		{"line feed", []string{good + "\n"}, bad},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for _, v := range tc.vals {
				h.Add("x-li-signature", v)
			}
			var got result
			var rf *Refusal
			if got.Sig, rf = Signature(h); rf != nil {
				got.Status, got.Reason = rf.Status, rf.Reason
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Signature(%q) (-want +got):\n%s", tc.vals, diff)
			}
			if len(tc.vals) != 1 || tc.vals[0] == good+"a" || strings.Contains(tc.vals[0], ",") {
				return // no single signature of this body to verify
			}
			if verified := rsc.VerifyPush(body, tc.vals[0], "k") == nil; verified != (rf == nil) {
				t.Errorf("rsc.VerifyPush says %v, Signature refuses: %v", verified, rf)
			}
		})
	}
}
