package sync

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// Records whose ids are not valid UTF-8 or hold NUL: LinkedIn's API (JSON)
// cannot carry them, and the stores (JSON files, PostgreSQL text) cannot
// keep them as they are.

// TestUnstorableIDsAreDeadLettered: such records are refused up front as
// dead letters, stored escaped, and the customer's other records sync;
// the watermark passes them and keeps their ids exactly through the file
// store, so the next run reads none of them again; a job with such an id
// never enters the job states; a retry looks them up by their ids and
// refuses them again.
func TestUnstorableIDsAreDeadLettered(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		org := e.cust.Organization
		now := time.Now()
		src := NewSliceSource()
		for i, id := range []string{"C1", "C\xe9te-1", "C\x00-1", "C3", "C\xff"} {
			src.PutCandidates(edgeCand(org, id, now.Add(time.Duration(i-10)*time.Minute)))
		}
		g := newGen(org, now.Add(-time.Hour), time.Hour, 1, 0, 0, 0)
		bad := g.job(0)
		bad.Posting.ExternalJobPostingID = "J\xe9"
		src.PutJobs(g.job(0), bad)
		store, err := NewFileStore(t.TempDir())
		must(t, err)
		dead, err := NewFileDeadLetters(t.TempDir())
		must(t, err)
		eng, rep := e.ran(t, src, WithStore(store), WithDeadLetters(dead))

		if held := heldCandidates(e); !cmp.Equal(held, map[string]bool{"C1": true, "C3": true}) {
			t.Errorf("LinkedIn holds candidates %v, want C1 and C3", held)
		}
		if p := rep.Phases[PhaseCandidates]; p.Read != 5 || p.Sent != 5 || p.Acknowledged != 2 || p.Refused != 3 {
			t.Errorf("candidates: %+v, want 5 read and sent, 2 acknowledged, 3 refused", p)
		}
		reason := "invalid id: must be valid UTF-8 without NUL (U+0000): LinkedIn's API is JSON"
		letter := func(kind EntityKind, id string, mod time.Time, attempts int) DeadLetter {
			return DeadLetter{Kind: kind, ID: id, Escaped: true, Reason: reason, Field: "id", Attempts: attempts, ModifiedAt: mod.UTC()}
		}
		wantDead := func(attempts int) []DeadLetter {
			return []DeadLetter{
				letter(KindCandidate, "C%00-1", now.Add(-8*time.Minute), attempts),
				letter(KindCandidate, "C%E9te-1", now.Add(-9*time.Minute), attempts),
				letter(KindCandidate, "C%FF", now.Add(-6*time.Minute), attempts),
				letter(KindJob, "J%E9", bad.ModifiedAt, attempts),
			}
		}
		noTimes := cmpopts.IgnoreFields(DeadLetter{}, "FirstFailedAt", "LastFailedAt")
		if d := cmp.Diff(wantDead(1), deadLetters(t, dead, "c1"), noTimes); d != "" {
			t.Errorf("dead letters (-want +got):\n%s", d)
		}
		var keys, ids []string
		for _, d := range deadLetters(t, dead, "c1") {
			keys, ids = append(keys, d.Key()), append(ids, d.Unescape().ID)
		}
		wantKeys := []string{"escaped:candidate//C%00-1", "escaped:candidate//C%E9te-1", "escaped:candidate//C%FF", "escaped:job//J%E9"}
		if d := cmp.Diff([]any{wantKeys, []string{"C\x00-1", "C\xe9te-1", "C\xff", "J\xe9"}}, []any{keys, ids}); d != "" {
			t.Errorf("keys and unescaped ids (-want +got):\n%s", d)
		}
		cp, err := store.Load(t.Context(), "c1")
		must(t, err)
		want := Cursor{ModifiedAt: now.Add(-6 * time.Minute).UTC(), ID: "C\xff"}
		if d := cmp.Diff(want, cp.Phases[PhaseCandidates].Cursor); d != "" {
			t.Errorf("candidates' watermark read back (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]string{g.job(0).Posting.ExternalJobPostingID}, slices.Sorted(maps.Keys(cp.Jobs))); d != "" {
			t.Errorf("job states (-want +got):\n%s", d)
		}

		time.Sleep(time.Minute)
		rep, err = eng.Run(t.Context())
		must(t, err)
		if n := rep.Phases[PhaseCandidates].Read + rep.Phases[PhaseJobs].Read; n != 0 {
			t.Errorf("the next run read %d records again, want none", n)
		}
		_, err = eng.RetryDeadLetters(t.Context())
		must(t, err)
		if d := cmp.Diff(wantDead(2), deadLetters(t, dead, "c1"), noTimes); d != "" {
			t.Errorf("dead letters after a retry (-want +got):\n%s", d)
		}
	})
}

// TestLongJobIDIsDeadLettered: a job whose id is longer than LinkedIn
// takes in either family is refused up front, before its CREATE intent
// would enter the checkpoint's job states (a store keying rows by the id,
// as PostgreSQL's does, could not save it, and every later run would fail
// there); the customer's other jobs sync, and the next run reads none of
// them again.
func TestLongJobIDIsDeadLettered(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, time.Now().Add(-time.Hour), time.Hour, 2, 0, 0, 0)
		long := g.job(1)
		long.Posting.ExternalJobPostingID = strings.Repeat("é", 201) // 201 characters, 402 bytes
		src := NewSliceSource()
		src.PutJobs(g.job(0), long)
		store := NewMemoryStore()
		eng, rep := e.ran(t, src, WithStore(store))
		p := rep.Phases[PhaseJobs]
		type counts struct{ Read, Sent, Acknowledged, Refused int64 }
		if d := cmp.Diff(counts{2, 2, 1, 1}, counts{p.Read, p.Sent, p.Acknowledged, p.Refused}); d != "" {
			t.Errorf("jobs (-want +got):\n%s", d)
		}
		want := []deadSummary{{"job//" + long.Posting.ExternalJobPostingID,
			"invalid externalJobPostingId: must be at most 200 characters, the most LinkedIn takes (docs/linkedin-api.md §7.1)", 1, false}}
		if d := cmp.Diff(want, summarize(deadLetters(t, eng.DeadLetters(), "c1"))); d != "" {
			t.Errorf("dead letters (-want +got):\n%s", d)
		}
		cp, err := store.Load(t.Context(), "c1")
		must(t, err)
		if d := cmp.Diff([]string{g.job(0).Posting.ExternalJobPostingID}, slices.Sorted(maps.Keys(cp.Jobs))); d != "" {
			t.Errorf("job states (-want +got):\n%s", d)
		}
		time.Sleep(time.Minute)
		rep, err = eng.Run(t.Context())
		must(t, err)
		if n := rep.Phases[PhaseJobs].Read; n != 0 {
			t.Errorf("the next run read %d jobs again, want none", n)
		}
	})
}

// TestCursorJSON: a cursor encodes as before, {"modifiedAt":…,"id":…},
// unless its id is not valid UTF-8 or holds NUL; then the id is escaped,
// and every cursor reads back as it was.
func TestCursorJSON(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		id, json string
	}{
		{"", `{"modifiedAt":"2026-11-30T08:00:00Z"}`},
		{"C1", `{"modifiedAt":"2026-11-30T08:00:00Z","id":"C1"}`},
		{"C%E9/é\ufffd", `{"modifiedAt":"2026-11-30T08:00:00Z","id":"C%E9/é` + "\ufffd" + `"}`},
		{"C\xe9te/1%", `{"modifiedAt":"2026-11-30T08:00:00Z","id":"C%E9te%2F1%25","idEscaped":true}`},
		{"C\x00-1", `{"modifiedAt":"2026-11-30T08:00:00Z","id":"C%00-1","idEscaped":true}`},
	} {
		cur := Cursor{ModifiedAt: at, ID: c.id}
		b, err := json.Marshal(cur)
		must(t, err)
		var back Cursor
		must(t, json.Unmarshal(b, &back))
		if d := cmp.Diff([]any{c.json, cur}, []any{string(b), back}); d != "" {
			t.Errorf("%q: (-want +got):\n%s", c.id, d)
		}
	}
	var c Cursor
	if err := json.Unmarshal([]byte(`{"id":"C%E","idEscaped":true}`), &c); err == nil {
		t.Errorf("a badly escaped id read as %q", c.ID)
	}
}

// TestResyncOfUnstorableID: Engine.Resync of keys naming ids that are not
// valid UTF-8 or hold NUL, typed as they are, retries the requests under
// the escaped keys RequestResync stores them under: each record, with a
// dead letter or without, is read again from the Source and refused again
// as unstorable, and no key is reported missing.
func TestResyncOfUnstorableID(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		src := NewSliceSource()
		now := time.Now()
		for i, id := range []string{"C1", "C\xff", "C\x00-1"} {
			src.PutCandidates(edgeCand(e.cust.Organization, id, now.Add(time.Duration(i-10)*time.Minute)))
		}
		eng, _ := e.ran(t, src)
		// One record is resynced without a dead letter, the other with one.
		must(t, eng.DeadLetters().Delete(t.Context(), "c1", "escaped:candidate//C%00-1"))
		rep, err := eng.Resync(t.Context(), "candidate//C\xff", "candidate//C\x00-1")
		must(t, err)
		if p := rep.Phases[PhaseCandidates]; p.Read != 2 || p.Refused != 2 {
			t.Errorf("candidates: %+v, want 2 read and 2 refused", p)
		}
		reason := "invalid id: must be valid UTF-8 without NUL (U+0000): LinkedIn's API is JSON"
		want := []deadSummary{{"escaped:candidate//C%00-1", reason, 1, false}, {"escaped:candidate//C%FF", reason, 2, false}}
		if d := cmp.Diff(want, summarize(deadLetters(t, eng.DeadLetters(), "c1"))); d != "" {
			t.Errorf("dead letters (-want +got):\n%s", d)
		}
	})
}

// TestDeadLetterEscape: Escape leaves storable identifiers alone; it
// escapes all three when one is not, Unescape gives them back, and the
// key of an escaped dead letter parses back to it and differs from the
// key of a record whose id is the escaped text.
func TestDeadLetterEscape(t *testing.T) {
	t.Parallel()
	plain := DeadLetter{Kind: KindStage, Parent: "A/1", ID: "S%1", Reason: "refused"}
	if d := cmp.Diff(plain, plain.Escape()); d != "" {
		t.Errorf("Escape of storable ids (-want +got):\n%s", d)
	}
	raw := DeadLetter{Kind: KindStage, Parent: "A/1", ID: "S\x00%\xc3", Delete: true, Integration: "urn:li:organization:1", Reason: "refused"}
	esc := raw.Escape()
	want := DeadLetter{Kind: KindStage, Parent: "A%2F1", ID: "S%00%25%C3", Delete: true, Integration: "urn:li:organization:1", Escaped: true, Reason: "refused"}
	if d := cmp.Diff(want, esc); d != "" {
		t.Errorf("Escape (-want +got):\n%s", d)
	}
	if d := cmp.Diff(raw, esc.Unescape()); d != "" {
		t.Errorf("Unescape (-want +got):\n%s", d)
	}
	if d := cmp.Diff(esc, esc.Escape()); d != "" {
		t.Errorf("Escape of an escaped dead letter (-want +got):\n%s", d)
	}
	key := esc.Key()
	if key != "delete:escaped:stage/A%2F1/S%00%25%C3" {
		t.Errorf("Key = %q", key)
	}
	parsed, err := ParseDeadLetterKey(key)
	must(t, err)
	if d := cmp.Diff(DeadLetter{Kind: KindStage, Parent: "A%2F1", ID: "S%00%25%C3", Delete: true, Escaped: true}, parsed); d != "" {
		t.Errorf("ParseDeadLetterKey (-want +got):\n%s", d)
	}
	twin := DeadLetter{Kind: KindCandidate, ID: "C%E9"}
	if a, b := twin.Key(), (DeadLetter{Kind: KindCandidate, ID: "C\xe9"}).Escape().Key(); a == b {
		t.Errorf("the keys of ids %q and %q are both %q", "C%E9", "C\xe9", a)
	}
	for _, bad := range []string{"escaped:candidate//C%E", "escaped:stage/A/1/S1", "escaped:candidate//C%G1"} {
		if d, err := ParseDeadLetterKey(bad); err == nil {
			t.Errorf("ParseDeadLetterKey(%q) = %+v, want an error", bad, d)
		}
	}
}

// TestResyncRequestOfUnstorableID: a resync request naming an id that no
// store can keep is stored escaped, under the key of the engine's own dead
// letter for that record; its escaped key names the same request.
func TestResyncRequestOfUnstorableID(t *testing.T) {
	t.Parallel()
	dead := NewMemoryDeadLetters()
	now := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	for _, key := range []string{"candidate//C\xe9", "escaped:candidate//C%E9"} {
		got, err := RequestResync(t.Context(), dead, "c1", now, key)
		must(t, err)
		want := []DeadLetter{{Kind: KindCandidate, ID: "C%E9", Escaped: true, Requested: true, Reason: ResyncReason, FirstFailedAt: now, LastFailedAt: now}}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%q: (-want +got):\n%s", key, d)
		}
	}
	var keys []string
	for _, d := range deadLetters(t, dead, "c1") {
		keys = append(keys, d.Key())
	}
	if d := cmp.Diff([]string{dlKey(KindCandidate, "", "C\xe9")}, keys); d != "" {
		t.Errorf("stored keys (-want +got):\n%s", d)
	}
}

// FuzzStorable: storable is valid UTF-8 without NUL, whatever the input.
func FuzzStorable(f *testing.F) {
	for _, s := range []string{"", "C1", "a\x00b", "\x00", "José", "a\xffb", "日本\x00", "\xed\xa0\x80", "abc\xc3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := storable(s), utf8.ValidString(s) && !strings.Contains(s, "\x00"); got != want {
			t.Errorf("storable(%q) = %v, want %v", s, got, want)
		}
	})
}
