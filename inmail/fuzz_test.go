package inmail

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rscgo/rscgo/internal/fuzzseed"
	"github.com/rscgo/rscgo/internal/pushq"
	"github.com/rscgo/rscgo/internal/pushq/pushqtest"
	"github.com/rscgo/rscgo/rsc"
)

// Fuzz target for the export push handler (Retriever.PushHandler). Seeds live
// in testdata/fuzz/FuzzExportPush/, generated from exportPushSeeds: after
// editing the table run
//
//	RSCGO_WRITE_FUZZ_SEEDS=1 go test -run TestExportPushSeedFiles ./inmail
//
// Without -fuzz, `go test` runs every seed as a unit test.

// fuzzPushSecret is the customer application's client secret, the
// X-LI-Signature key.
const fuzzPushSecret = "child-client-secret-4f9a"

// FuzzExportPush posts an arbitrary callback (X-LI-Signature, body) and then
// a validly signed EXPORT_CANDIDATE_PROFILE to a Retriever's PushHandler.
// It must not panic, must never answer 5xx, must reject every
// bad signature (and a missing one unless WithUnsignedPushes) with 401, must
// answer 200 only to a verified, parsable event and 400 to an unparsable
// one, and must accept the valid event and create its candidate.
func FuzzExportPush(f *testing.F) {
	body := []byte(`{"id":"r1","type":"EXPORT_CANDIDATE_PROFILE","expiresAt":1741609200000}`)
	f.Add(rsc.SignPush(body, fuzzPushSecret), body, false, "r2")
	f.Fuzz(func(t *testing.T, sig string, body []byte, require bool, validID string) {
		var mu sync.Mutex
		failed := map[string]error{}
		e := newEnv(t)
		opts := []Option{WithExportErrors(func(id string, err error) { mu.Lock(); failed[id] = err; mu.Unlock() })}
		if !require {
			opts = append(opts, WithUnsignedPushes())
		}
		h := e.pushHandler(t, fuzzPushSecret, opts...)
		wait := func() {
			if err := h.Wait(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		post := func(sig string, body []byte) int {
			return pushqtest.Post(t.Context(), h, "/rsc/push/cust-1", sig, body)
		}

		// The export LinkedIn holds, registered first so that an arbitrary event
		// with the same id is processed too rather than failing with a 404.
		if validID == "" {
			validID = "r1"
		}
		good, _ := json.Marshal(rsc.PushEvent{ID: validID, Type: rsc.EventExportCandidate, ExpiresAt: rsc.Millis(time.Now().Add(time.Hour))})
		ev, err := rsc.ParsePushEvent(good)
		if err != nil {
			t.Fatalf("ParsePushEvent(%s): %v", good, err)
		}
		e.fake.mu.Lock()
		e.fake.exports[ev.ID] = []rsc.ExportedCandidate{exportOf(ev.ID, ann, "J1", time.Now())}
		e.fake.mu.Unlock()

		// The arbitrary request.
		sig = fuzzseed.HeaderValue(sig)
		code := post(sig, body)
		desc := fmt.Sprintf("sig %q require %v body %q → %d", sig, require, body, code)
		if code >= 500 {
			t.Fatalf("5xx for malformed input: %s", desc)
		}
		if !slices.Contains([]int{200, 400, 401}, code) {
			t.Fatalf("undocumented status: %s", desc)
		}
		sigOK := sig != "" && rsc.VerifyPush(body, sig, fuzzPushSecret) == nil || sig == "" && !require
		if !sigOK && code != http.StatusUnauthorized {
			t.Fatalf("bad or missing signature not rejected with 401: %s", desc)
		}
		if sigOK && code == http.StatusUnauthorized {
			t.Fatalf("good signature rejected: %s", desc)
		}
		_, perr := pushq.Parse(body)
		if code == http.StatusOK && perr != nil {
			t.Fatalf("accepted a malformed event (%v): %s", perr, desc)
		}
		if sigOK && (code == http.StatusBadRequest) != (perr != nil) {
			t.Fatalf("status %d for a verified event that parses with error %v: %s", code, perr, desc)
		}

		// A validly signed export of the payload registered above; LinkedIn's
		// JSON is UTF-8, so an id that is not is refused at the edge.
		wait()
		if !pushq.ValidID(ev.ID) {
			if code := post(rsc.SignPush(good, fuzzPushSecret), good); code != http.StatusBadRequest {
				t.Fatalf("signed export with an invalid UTF-8 id %s: %d, want 400", good, code)
			}
			return
		}
		if code := post(rsc.SignPush(good, fuzzPushSecret), good); code != http.StatusOK {
			t.Fatalf("valid signed export %s: %d", good, code)
		}
		wait()
		mu.Lock()
		ferr := failed[ev.ID]
		mu.Unlock()
		c, found, err := FindMatch(t.Context(), e.sink, ann, "")
		if err != nil || !found || c.Person != ann {
			t.Fatalf("valid export %s not handled: candidate %+v found %v err %v; export error %v", good, c, found, err, ferr)
		}
	})
}

// exportPushSeed is one seed file: testdata/fuzz/FuzzExportPush/<name>.
type exportPushSeed struct {
	name    string
	sig     string
	body    []byte
	require bool
	validID string
}

func (s exportPushSeed) seed() fuzzseed.Seed {
	return fuzzseed.Seed{Target: "FuzzExportPush", Name: s.name, Args: []any{s.sig, s.body, s.require, s.validID}}
}

// exportPushSeeds are real push shapes (docs/linkedin-api.md §8.1)
// and the classic ways to get a signature or body wrong.
func exportPushSeeds() []exportPushSeed {
	export := []byte(`{"id":"8f1c3a5e-7b2d-4e9f-a1c0-3d5e7f9a1b2c","type":"EXPORT_CANDIDATE_PROFILE","expiresAt":1741609200000}`)
	status := []byte(`{"id":"b1e7c0de-0000-4000-a000-000000000001","type":"INTEGRATION_STATUS_CHANGE","expiresAt":1741609200000}`)
	aliases := []byte(`{"requestId":"e1","eventType":"EXPORT_CANDIDATE_PROFILE"}`)
	sign := func(b []byte) string { return rsc.SignPush(b, fuzzPushSecret) }
	hexOf := func(b []byte) string { return sign(b)[len("hmacsha256="):] }
	return []exportPushSeed{
		{"export_signed", sign(export), export, true, "r2"},
		{"export_signed_same_id", sign(export), export, false, "8f1c3a5e-7b2d-4e9f-a1c0-3d5e7f9a1b2c"},
		{"status_signed_ignored", sign(status), status, true, "r3"},
		{"aliases_unsigned", "", aliases, false, "e1"},
		{"unsigned_required", "", export, true, "r4"},
		{"wrong_secret", rsc.SignPush(export, "other-secret"), export, false, "r5"},
		{"signature_of_other_body", sign(status), export, false, "r6"},
		{"uppercase_hex_spaces", "  hmacsha256=" + strings.ToUpper(hexOf(export)) + " ", export, true, "r7"},
		{"no_prefix", hexOf(export), export, false, "r8"},
		{"truncated_hex", sign(export)[:40], export, false, "r9"},
		{"signed_garbage", sign([]byte("{")), []byte("{"), true, "r10"},
		{"signed_empty_event", sign([]byte("{}")), []byte("{}"), true, "r11"},
		{"signed_null", sign([]byte("null")), []byte("null"), false, "r12"},
		{"signed_bad_expiry", sign([]byte(`{"id":"x","type":"EXPORT_CANDIDATE_PROFILE","expiresAt":"soon"}`)),
			[]byte(`{"id":"x","type":"EXPORT_CANDIDATE_PROFILE","expiresAt":"soon"}`), false, "r13"},
		{"invalid_utf8_id", "", []byte("{\"id\":\"\xff\",\"type\":\"EXPORT_CANDIDATE_PROFILE\"}"), false, "\xff\xfe"},
	}
}

// TestExportPushSeedFiles checks testdata/fuzz/FuzzExportPush holds exactly
// exportPushSeeds, or rewrites it when RSCGO_WRITE_FUZZ_SEEDS=1.
func TestExportPushSeedFiles(t *testing.T) {
	var seeds []fuzzseed.Seed
	for _, s := range exportPushSeeds() {
		seeds = append(seeds, s.seed())
	}
	fuzzseed.Check(t, seeds)
}
