package sync

import (
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// maxContentKeys caps the keys a ContentReport lists per kind and outcome
// (counts stay exact).
const maxContentKeys = 100

// ContentReport compares, record by record, what the Source holds with what
// LinkedIn holds, read back with batch_get: not totals, but a fingerprint of
// every field the engine sends for a record against the same fields on
// LinkedIn. See Engine.ReconcileContent.
type ContentReport struct {
	CustomerID string        `json:"customerId"`
	CheckedAt  time.Time     `json:"checkedAt"`
	Kinds      []KindContent `json:"kinds"`
}

// KindContent is the content reconciliation of one kind of record. Keys
// are dead-letter keys (DeadLetter.Key). Each list holds at most 100 keys;
// the counts are exact.
type KindContent struct {
	Kind EntityKind `json:"kind"`
	// Unchecked says why the kind was not compared (the client cannot read
	// it back from LinkedIn); the counts are then zero.
	Unchecked string `json:"unchecked,omitempty"`
	// Checked counts the records compared: the Source's eligible records in
	// the window that are not dead-lettered (or a sample of them), plus
	// the deletions checked.
	Checked int64 `json:"checked"`
	Equal   int64 `json:"equal"`
	// Missing: records the Source holds that LinkedIn does not.
	Missing      int64    `json:"missing"`
	MissingKeys  []string `json:"missingKeys,omitempty"`
	Stale        int64    `json:"stale"`
	StaleRecords []Stale  `json:"staleRecords,omitempty"`
	// Extra: records deleted in the ATS (Source.Deletions since the window
	// start) that LinkedIn still holds.
	Extra     int64    `json:"extra"`
	ExtraKeys []string `json:"extraKeys,omitempty"`
}

// Stale is a record whose content on LinkedIn differs from the Source's.
type Stale struct {
	Key    string   `json:"key"`
	Fields []string `json:"fields"` // the wire names of the fields that differ
}

// Differs reports whether the reconciliation found any difference.
func (r *ContentReport) Differs() bool {
	for _, k := range r.Kinds {
		if k.Missing+k.Stale+k.Extra > 0 {
			return true
		}
	}
	return false
}

// WriteText writes the reconciliation, one line per kind, then one line
// per key listed (quoted when a key holds a character that is not
// printable).
func (r *ContentReport) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	for _, k := range r.Kinds {
		if k.Unchecked != "" {
			ew.printf("content %s: not checked: %s\n", k.Kind, k.Unchecked)
			continue
		}
		ew.printf("content %s: checked %d, equal %d, missing %d, stale %d, extra %d\n",
			k.Kind, k.Checked, k.Equal, k.Missing, k.Stale, k.Extra)
		for _, key := range k.MissingKeys {
			ew.printf("  missing on LinkedIn: %s\n", clean(key))
		}
		for _, s := range k.StaleRecords {
			ew.printf("  stale on LinkedIn: %s (%s)\n", clean(s.Key), clean(strings.Join(s.Fields, ", ")))
		}
		for _, key := range k.ExtraKeys {
			ew.printf("  deleted in the ATS, still on LinkedIn: %s\n", clean(key))
		}
	}
	return ew.err
}

// ReconcileContent reads back from LinkedIn the records of the Source that
// the engine would have sent (eligible, in the checkpoint's window, not
// dead-lettered) and compares every field sent, record by record; it also
// checks that the records deleted in the ATS are gone. sample bounds the
// records checked per kind (0: every record, as against rsctest; against a
// real account pass a sample size, which LinkedIn's quota can afford): the
// records whose key hashes lowest are taken, so repeated checks look at the
// same ones. It sends nothing and changes no store.
//
// Today the client can read back candidates only; the other kinds are
// listed with Unchecked set.
func (e *Engine) ReconcileContent(ctx context.Context, sample int) (*ContentReport, error) {
	if sample < 0 {
		return nil, errors.New("sync: ReconcileContent: negative sample")
	}
	cp, err := e.load(ctx)
	if err != nil {
		return nil, err
	}
	var from time.Time
	if cp != nil {
		from = cp.WindowFrom
	}
	dead := map[string]bool{}
	for d, err := range e.cfg.dead.List(ctx, e.cust) {
		if err != nil {
			return nil, fmt.Errorf("sync: listing dead letters: %w", err)
		}
		dead[d.Key()] = true
	}
	rep := &ContentReport{CustomerID: e.cust, CheckedAt: e.cfg.clock.Now()}
	cands, err := e.reconcileCandidates(ctx, from, sample, dead)
	if err != nil {
		return rep, err
	}
	rep.Kinds = append(rep.Kinds, cands)
	for _, k := range []EntityKind{KindJob, KindApplication, KindStage, KindCandidateNote, KindApplicationNote, KindInterviewFeedback} {
		rep.Kinds = append(rep.Kinds, KindContent{Kind: k, Unchecked: "the client cannot read " + string(k) + " records back from LinkedIn"})
	}
	return rep, nil
}

// reconcileCandidates compares the Source's candidates with LinkedIn's.
func (e *Engine) reconcileCandidates(ctx context.Context, from time.Time, sample int, dead map[string]bool) (KindContent, error) {
	kc := KindContent{Kind: KindCandidate}
	pick := newSampler[rsc.Candidate](sample)
	for c, err := range e.src.Candidates(ctx, Cursor{ModifiedAt: from}) {
		if err != nil {
			return kc, fmt.Errorf("sync: reading candidates from the source: %w", err)
		}
		id := c.Record.Key.CandidateID
		if dead[dlKey(KindCandidate, "", id)] {
			continue
		}
		if f := e.cfg.eligible; f != nil {
			if ok, _ := f(ctx, candidateRecord(&c)); !ok {
				continue
			}
		}
		pick.add(id, c.Record)
	}
	want := pick.records()
	keys := make([]rsc.CandidateKey, len(want))
	for i, c := range want {
		keys[i] = c.Key
	}
	got, err := e.client.Candidates.Get(ctx, keys)
	if err != nil {
		return kc, fmt.Errorf("sync: reading candidates back from LinkedIn: %w", err)
	}
	for _, c := range want {
		kc.Checked++
		key := dlKey(KindCandidate, "", c.Key.CandidateID)
		held, ok := got[c.Key]
		switch diff := fieldsDiffer(c, heldCandidate(held)); {
		case !ok:
			kc.Missing++
			kc.MissingKeys = appendKey(kc.MissingKeys, key)
		case len(diff) > 0:
			kc.Stale++
			if len(kc.StaleRecords) < maxContentKeys {
				kc.StaleRecords = append(kc.StaleRecords, Stale{Key: key, Fields: diff})
			}
		default:
			kc.Equal++
		}
	}
	return kc, e.reconcileDeleted(ctx, from, &kc)
}

func heldCandidate(r *rsc.CandidateRecord) rsc.Candidate {
	if r == nil {
		return rsc.Candidate{}
	}
	return r.Candidate
}

// reconcileDeleted checks that the candidates deleted in the ATS since from
// are gone from LinkedIn.
func (e *Engine) reconcileDeleted(ctx context.Context, from time.Time, kc *KindContent) error {
	var keys []rsc.CandidateKey
	for d, err := range e.src.Deletions(ctx, Cursor{ModifiedAt: from}) {
		if err != nil {
			return fmt.Errorf("sync: reading deletions from the source: %w", err)
		}
		if d.Kind == KindCandidate {
			keys = append(keys, rsc.CandidateKey{IntegrationContext: d.Integration, CandidateID: d.ID})
		}
	}
	if len(keys) == 0 {
		return nil
	}
	got, err := e.client.Candidates.Get(ctx, keys)
	if err != nil {
		return fmt.Errorf("sync: reading deleted candidates back from LinkedIn: %w", err)
	}
	for _, k := range keys {
		kc.Checked++
		if _, held := got[k]; held {
			kc.Extra++
			kc.ExtraKeys = appendKey(kc.ExtraKeys, dlKey(KindCandidate, "", k.CandidateID))
		} else {
			kc.Equal++
		}
	}
	return nil
}

func appendKey(keys []string, k string) []string {
	if len(keys) < maxContentKeys {
		keys = append(keys, k)
	}
	return keys
}

// fieldsDiffer compares every field a record sends (its wire form, as the
// client marshals it) with the same fields of what LinkedIn holds, and
// returns the names of those that differ. Absent, null and empty values
// are one value on the wire.
func fieldsDiffer(sent, held any) []string {
	s, h := wireFields(sent), wireFields(held)
	var diff []string
	for _, n := range slices.Sorted(maps.Keys(s)) {
		if n == "key" {
			continue // the record's key, in the URL
		}
		a, b := s[n], h[n]
		if emptyValue(a) && emptyValue(b) {
			continue
		}
		if !reflect.DeepEqual(a, b) {
			diff = append(diff, n)
		}
	}
	return diff
}

func wireFields(v any) map[string]any {
	m := map[string]any{}
	if b, err := json.Marshal(v); err == nil {
		_ = json.Unmarshal(b, &m)
	}
	return m
}

func emptyValue(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// sampler keeps the n records whose keys hash lowest (all when n is 0).
type sampler[T any] struct {
	n int
	h keyHeap[T]
}

func newSampler[T any](n int) *sampler[T] { return &sampler[T]{n: n} }

func (s *sampler[T]) add(key string, v T) {
	f := fnv.New64a()
	f.Write([]byte(key))
	it := sampled[T]{hash: f.Sum64(), key: key, v: v}
	if s.n == 0 || s.h.Len() < s.n {
		heap.Push(&s.h, it)
		return
	}
	if it.hash < s.h[0].hash {
		s.h[0] = it
		heap.Fix(&s.h, 0)
	}
}

// records returns the kept records in key order.
func (s *sampler[T]) records() []T {
	items := slices.Clone(s.h)
	slices.SortFunc(items, func(a, b sampled[T]) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
	out := make([]T, len(items))
	for i, it := range items {
		out[i] = it.v
	}
	return out
}

type sampled[T any] struct {
	hash uint64
	key  string
	v    T
}

// keyHeap is a max-heap by hash: its root is the record to drop first.
type keyHeap[T any] []sampled[T]

func (h keyHeap[T]) Len() int           { return len(h) }
func (h keyHeap[T]) Less(i, j int) bool { return h[i].hash > h[j].hash }
func (h keyHeap[T]) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *keyHeap[T]) Push(x any)        { *h = append(*h, x.(sampled[T])) }
func (h *keyHeap[T]) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}
