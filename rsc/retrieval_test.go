package rsc

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestRetrievalWire(t *testing.T) {
	t.Parallel()
	h := setup(t, func(w http.ResponseWriter, s seen) {
		switch s.Path {
		case "/v2/seatsV2":
			// Two pages: 100 then 1.
			n := 100
			if strings.Contains(s.RawQuery, "start=100") {
				n = 1
			}
			els := make([]string, n)
			for i := range els {
				els[i] = fmt.Sprintf(`{"id":%d,"member":"urn:li:person:p%d","contract":"urn:li:contract:1","state":"ACTIVE"}`, i, i)
			}
			fmt.Fprintf(w, `{"elements":[%s],"paging":{"start":0,"count":100,"total":101}}`, strings.Join(els, ","))
		case "/v2/exportedCandidates":
			fmt.Fprint(w, `{"elements":[{"requestId":"r1","integrationContext":"urn:li:organization:1","externalJobPostingId":"J1","candidate":{"person":"urn:li:person:x","firstName":"Ann"}}]}`)
		default:
			fmt.Fprint(w, `{"elements":[],"paging":{"start":0,"count":50}}`)
		}
	})
	ctx := t.Context()
	n := 0
	for s, err := range h.client.Seats.List(ctx, []string{"urn:li:contract:1"}) {
		if err != nil {
			t.Fatal(err)
		}
		if s.URN() != fmt.Sprintf("urn:li:seat:%d", n%100) && n < 100 {
			t.Errorf("seat %d urn %s", n, s.URN())
		}
		n++
	}
	if n != 101 {
		t.Errorf("got %d seats, want 101", n)
	}
	// Breaking stops paging.
	for range h.client.Seats.List(ctx, []string{"urn:li:contract:1"}) {
		break
	}
	ex, err := h.client.Exports.Get(ctx, "r1")
	if err != nil || len(ex) != 1 || ex[0].Candidate.Person != "urn:li:person:x" {
		t.Fatalf("exports = %+v %v", ex, err)
	}
	for range h.client.InMail.Events(ctx, "urn:li:seat:1", 1700000000000, 1700043200000) {
	}
	for range h.client.MailStubs.List(ctx, "urn:li:contract:1", []string{"urn:li:seat:1"}, 1700000000000, 0) {
	}
	for range h.client.ProspectNotes.List(ctx, "urn:li:contract:1", []string{"urn:li:seat:1"}, 1700000000000, 1700043200000) {
	}
	for range h.client.ClosedProfiles.List(ctx, "urn:li:organization:1", 1700000000000) {
	}
	_, err = firstErr(h.client.InMail.Events(ctx, "urn:li:seat:1", 1700000000000, 1700043200001))
	if err == nil {
		t.Error("a window over 12 hours must be refused")
	}
	r := h.requests()
	if len(r) != 8 {
		t.Fatalf("%d requests, want 8", len(r))
	}
	r[0].check(t, "GET", "/v2/seatsV2", "q=attributes&contracts=urn:li:contract:1&states=ACTIVE&start=0&count=100", "")
	r[1].check(t, "GET", "/v2/seatsV2", "q=attributes&contracts=urn:li:contract:1&states=ACTIVE&start=100&count=100", "")
	r[3].check(t, "GET", "/v2/exportedCandidates", "q=request&requestId=r1", "")
	r[4].check(t, "GET", "/v2/conversationEvents", "q=criteria&viewer=urn:li:seat:1&timeRange.start=1700000000000&timeRange.end=1700043200000&start=0&count=50", "")
	r[5].check(t, "GET", "/v2/mailStubs", "q=contract&contract=urn:li:contract:1&owners=urn:li:seat:1&createdDateStart=1700000000000&start=0&count=50", "")
	r[6].check(t, "GET", "/v2/prospectNotes", "q=criteria&contract=urn:li:contract:1&owners=urn:li:seat:1&cutoffDate=1700000000000&beforeDate=1700043200000&start=0&count=100", "")
	r[7].check(t, "GET", "/v2/closedCandidateProfiles", "q=integrationContext&integrationContext=urn:li:organization:1&closedSince=1700000000000&start=0&count=100", "")
}

func firstErr[T any](seq func(func(T, error) bool)) (T, error) {
	var zero T
	for v, err := range seq {
		return v, err
	}
	return zero, nil
}

func TestPushSignature(t *testing.T) {
	t.Parallel()
	body := []byte(`{"id":"r1","type":"EXPORT_CANDIDATE_PROFILE","expiresAt":1700000000000}`)
	sig := SignPush(body, "secret")
	if err := VerifyPush(body, sig, "secret"); err != nil {
		t.Fatal(err)
	}
	if err := VerifyPush(body, sig, "other"); err != ErrBadSignature {
		t.Errorf("wrong secret: %v", err)
	}
	if err := VerifyPush(append(body, ' '), sig, "secret"); err != ErrBadSignature {
		t.Errorf("tampered body: %v", err)
	}
	ev, err := ParsePushEvent([]byte(`{"requestId":"r2","eventType":"INTEGRATION_STATUS_CHANGE"}`))
	if err != nil || ev.ID != "r2" || ev.Type != EventIntegrationStatus {
		t.Errorf("aliases: %+v %v", ev, err)
	}
	if _, err := ParsePushEvent([]byte(`{}`)); err == nil {
		t.Error("empty event accepted")
	}
}
