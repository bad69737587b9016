package rsc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/rscgo/rscgo/internal/restli"
)

// entry is one record of a batch write, already encoded.
type entry[K comparable] struct {
	key    K
	label  string     // the key as shown in errors
	rkey   restli.Key // compound key, or nil for a simple key
	simple string     // simple key (notes, stages, configurations)
	body   []byte     // entity JSON, patch JSON, or nil for deletes
	err    error      // set when the record failed validation
}

// batchOp describes a batch write endpoint.
type batchOp struct {
	method  string // PUT, POST or DELETE
	restli  string // batch_update, batch_partial_update, batch_delete
	path    string // resource path below /v2 or /rest
	res     *resource
	records bool            // charge records-per-minute
	proto   restli.Protocol // the protocol the call speaks, to read its answer's keys
}

type batchStatus struct {
	Status int `json:"status"`
}

type batchErr struct {
	Status           int    `json:"status"`
	Message          string `json:"message"`
	ServiceErrorCode int    `json:"serviceErrorCode"`
}

type batchResponse struct {
	Results map[string]batchStatus `json:"results"`
	Errors  map[string]batchErr    `json:"errors"`
}

// batchOpFor returns the batch write of method (PUT batch_update, DELETE
// batch_delete or POST batch_partial_update) on res at path, or at res's
// own path when path is "". Sync resources are charged records per minute.
func (c *Client) batchOpFor(method string, res *resource, path string) batchOp {
	if path == "" {
		path = "/" + c.fam.of(res).name(res)
	}
	op := batchOp{method: method, path: path, res: res, records: res.bucket == BucketSync, proto: c.fam.of(res).proto}
	switch method {
	case http.MethodPut:
		op.restli = "batch_update"
	case http.MethodDelete:
		op.restli = "batch_delete"
	case http.MethodPost:
		op.restli = "batch_partial_update"
	}
	return op
}

// appendJSONString appends s as a JSON string, byte for byte as
// marshalBody writes it. Text needs no escaping in the common case, so it
// copies it between quotes ('&', '<', '>' and valid non-ASCII UTF-8 too,
// which JSON allows raw); a control character, '"', '\\', invalid UTF-8,
// U+2028 or U+2029 leaves the escaping to encoding/json.
func appendJSONString[S string | []byte](dst []byte, s S) []byte {
	for i := 0; i < len(s); {
		if jsonRaw[s[i]] {
			i++
			continue
		}
		if s[i] < utf8.RuneSelf { // a control character, '"' or '\\'
			return appendMarshalled(dst, string(s))
		}
		r, n := decodeRune(s[i:])
		if r == utf8.RuneError && n == 1 || r == '\u2028' || r == '\u2029' {
			return appendMarshalled(dst, string(s))
		}
		i += n
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// jsonRaw holds the ASCII bytes a JSON string holds as they are: all but
// control characters, '"' and '\\' (one look-up a byte is what makes
// appendJSONString cheap).
var jsonRaw = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// decodeRune is utf8.DecodeRune or utf8.DecodeRuneInString.
func decodeRune[S string | []byte](s S) (rune, int) {
	if b, ok := any(s).([]byte); ok {
		return utf8.DecodeRune(b)
	}
	return utf8.DecodeRuneInString(string(s))
}

// appendMarshalled appends s as marshalBody writes it.
func appendMarshalled(dst []byte, s string) []byte {
	js, _ := marshalBody(s)
	return append(dst, js...)
}

// setPatch returns a partial update setting field to value:
// {"patch":{"$set":{field: value}}}.
func setPatch(field string, value any) []byte {
	v, _ := marshalBody(value)
	return []byte(`{"patch":{"$set":{"` + field + `":` + string(v) + `}}}`)
}

// setField sets field on the record of each item (batch_partial_update with
// $set): keyValue gives an item's key and the field's value, check validates
// the item.
func setField[K compoundKey, T any](ctx context.Context, c *Client, res *resource, field string, items []T, keyValue func(T) (K, any), check func(v *validator, it T)) (*BatchResult[K], error) {
	entries := itemEntries(c, res, items, func(it T) (K, []byte) {
		k, value := keyValue(it)
		return k, setPatch(field, value)
	}, check)
	return writeBatches(ctx, c, c.batchOpFor(http.MethodPost, res, ""), entries)
}

// compoundKey is a record key LinkedIn spells as a Rest.li compound key.
type compoundKey interface {
	comparable
	String() string
	restli(family) restli.Key
}

// keyEntries returns one entry per key, each checked by check and carrying
// body (nil for deletes). A key given twice is refused as itemEntries says.
func keyEntries[K compoundKey](c *Client, res *resource, keys []K, body []byte, check func(v *validator, k K)) []entry[K] {
	return itemEntries(c, res, keys, func(k K) (K, []byte) { return k, body }, check)
}

// itemEntries returns one entry per item, keyed and given its body by
// keyBody, and checked by check. An item whose key an earlier one has is
// refused (field "key", rule RuleRepeated), as the upserts refuse theirs:
// sent twice in one batch, the key would get one answer, credited to the
// first item, while LinkedIn may have kept the second.
func itemEntries[K compoundKey, T any](c *Client, res *resource, items []T, keyBody func(T) (K, []byte), check func(v *validator, it T)) []entry[K] {
	entries := make([]entry[K], len(items))
	seen := make(map[K]bool, len(items))
	fam := c.fam.of(res)
	for i, it := range items {
		k, body := keyBody(it)
		e := &entries[i]
		e.key, e.label = k, k.String()
		v := c.validator(res.legacy, e.label)
		check(v, it)
		unique(v, "key", seen, k)
		if e.err = v.result(); e.err != nil {
			continue
		}
		e.rkey, e.body = k.restli(fam), body
	}
	return entries
}

// writeBatches sends entries in order, in batches of at most MaxBatchSize,
// skipping those that failed validation. It fills res (one item per entry,
// in order). When a whole call fails it marks that batch's items with the
// error and returns it; later items keep Status 0 (not sent).
func writeBatches[K comparable](ctx context.Context, c *Client, op batchOp, entries []entry[K]) (*BatchResult[K], error) {
	res := &BatchResult[K]{Items: make([]Item[K], len(entries))}
	idx := make([]int, 0, MaxBatchSize)
	for i := range entries {
		res.Items[i].Key = entries[i].key
		if entries[i].err != nil {
			res.Items[i].Err = entries[i].err
			continue
		}
		idx = append(idx, i)
		if len(idx) == MaxBatchSize {
			if err := sendBatch(ctx, c, op, entries, idx, res); err != nil {
				return res, err
			}
			idx = idx[:0]
		}
	}
	if len(idx) > 0 {
		if err := sendBatch(ctx, c, op, entries, idx, res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// sendBatch sends the entries at idx as one batch call and records each
// one's outcome in res. The records LinkedIn answered with a per-entity
// 429 or 5xx (its own failure, not the record's) are sent again, alone in
// a call, under the client's RetryPolicy (every batch write is
// idempotent): up to MaxAttempts calls in all, each after the policy's
// backoff, none starting after MaxElapsed. Those still failing keep their
// *EntityError.
func sendBatch[K comparable](ctx context.Context, c *Client, op batchOp, entries []entry[K], idx []int, res *BatchResult[K]) error {
	start := c.cfg.clock.Now()
	for attempt := 1; ; attempt++ {
		if err := sendBatchOnce(ctx, c, op, entries, idx, res); err != nil {
			return err
		}
		var again []int
		for _, i := range idx {
			if transientEntity(res.Items[i].Err) {
				again = append(again, i)
			}
		}
		if len(again) == 0 {
			return nil
		}
		wait, ok := c.retryWait(ctx, attempt, start, nil)
		if !ok || c.cfg.clock.Sleep(ctx, wait) != nil {
			return nil // the records keep their per-entity errors
		}
		for _, i := range again {
			res.Items[i] = Item[K]{Key: res.Items[i].Key}
		}
		idx = again
	}
}

// transientEntity reports whether err is a per-entity refusal LinkedIn
// gives for its own failure (429, 5xx), which the same record may not get
// again. The nil check keeps the common case (an accepted record) from
// allocating the target errors.As needs.
func transientEntity(err error) bool {
	if err == nil {
		return false
	}
	var ee *EntityError
	return errors.As(err, &ee) && (ee.Status == http.StatusTooManyRequests || ee.Status >= 500)
}

// sendBatchOnce sends the entries at idx as one batch call and records each
// one's outcome in res.
func sendBatchOnce[K comparable](ctx context.Context, c *Client, op batchOp, entries []entry[K], idx []int, res *BatchResult[K]) error {
	sc := c.batches.get()
	defer c.batches.put(sc)
	batchKeys(sc, op.proto, entries, idx)
	cl := &call{method: op.method, restli: op.restli, path: op.path, queryBytes: sc.query,
		res: op.res, idempotent: true, pooledAnswer: true}
	var body *[]byte
	if op.method != http.MethodDelete {
		body = batchBody(c, op.res, entries, idx, sc)
		cl.body = *body
	}
	if op.records {
		cl.records = len(idx)
	}
	resp, err := c.do(ctx, cl)
	if cl.bodyCopied {
		c.bodies.put(body)
	}
	if err == nil {
		err = applyBatchResponse(c.red, op, resp, entries, idx, sc, res)
		// Nothing refers to the answer's bytes any more: what the items
		// keep of it was copied (error messages, decoded by encoding/json).
		c.answers.put(resp.buf)
	}
	if err != nil {
		for _, i := range idx {
			res.Items[i].Err = err
		}
	}
	return err
}

// batchScratch is what one batch call needs besides its records' JSON: its
// ids query and its keys as the batch body spells them, written into
// buffers of its own, and what reading the answer needs. A Client pools
// them (Client.batches), so that the calls in flight reuse a few.
type batchScratch struct {
	proto    restli.Protocol
	compound bool
	query    []byte // the ids query
	keys     []byte // the body keys, one after the other
	ends     []int  // key j is keys[ends[j-1]:ends[j]]
	rkeys    []restli.Key
	ids      []string    // the simple keys, for a batch of simple keys
	scanned  []keyStatus // the answer, when scanResults reads it
	seen     []bool      // the records the answer named
	// next is where the answer's next key is looked for first: servers
	// answer in the order asked.
	next int
	// At the answer's first key out of order: sent finds a compound key
	// spelt as sent, byKey one in any spelling, pos a simple key.
	sent  hashIndex
	byKey keyIndex
	pos   map[string]int
}

// bodyKey returns key j as the batch body spells it.
func (sc *batchScratch) bodyKey(j int) []byte {
	start := 0
	if j > 0 {
		start = sc.ends[j-1]
	}
	return sc.keys[start:sc.ends[j]]
}

// batchScratchPool keeps batchScratch from call to call.
type batchScratchPool struct{ p sync.Pool }

func (bp *batchScratchPool) get() *batchScratch {
	if sc, ok := bp.p.Get().(*batchScratch); ok {
		return sc
	}
	return &batchScratch{}
}

// put empties sc, keeping its storage, and gives it back: nothing may use
// it any more.
func (bp *batchScratchPool) put(sc *batchScratch) {
	clear(sc.rkeys)
	clear(sc.ids)
	clear(sc.scanned)
	clear(sc.sent)
	clear(sc.byKey.pos)
	clear(sc.pos)
	*sc = batchScratch{query: sc.query[:0], keys: sc.keys[:0], ends: sc.ends[:0], rkeys: sc.rkeys[:0],
		ids: sc.ids[:0], scanned: sc.scanned[:0], seen: sc.seen[:0], sent: sc.sent,
		byKey: keyIndex{pos: sc.byKey.pos, buf: sc.byKey.buf[:0]}, pos: sc.pos}
	bp.p.Put(sc)
}

// batchKeys writes into sc the ids query of the entries at idx and each
// one's key as the batch body spells it.
func batchKeys[K comparable](sc *batchScratch, proto restli.Protocol, entries []entry[K], idx []int) {
	sc.proto, sc.compound = proto, len(idx) > 0 && entries[idx[0]].rkey != nil
	if sc.compound {
		for _, i := range idx {
			sc.rkeys = append(sc.rkeys, entries[i].rkey)
			sc.keys = restli.AppendKeyBody(sc.keys, proto, entries[i].rkey)
			sc.ends = append(sc.ends, len(sc.keys))
		}
		sc.query = restli.AppendBatchIDs(sc.query, proto, sc.rkeys)
		sc.byKey.keys = sc.rkeys
		return
	}
	for _, i := range idx {
		sc.ids = append(sc.ids, entries[i].simple)
		sc.keys = append(sc.keys, entries[i].simple...)
		sc.ends = append(sc.ends, len(sc.keys))
	}
	sc.query = restli.AppendSimpleIDs(sc.query, proto, sc.ids)
}

// batchBody returns {"entities":{key: entity, ...}} for the entries at idx,
// their keys from sc, in a buffer from the client's pool (give it back once
// nothing uses it).
func batchBody[K comparable](c *Client, r *resource, entries []entry[K], idx []int, sc *batchScratch) *[]byte {
	size := 32 + len(sc.keys)
	for _, i := range idx {
		size += len(entries[i].body) + 8
	}
	buf := c.bodies.get(size + size/8)
	b := append(*buf, `{"entities":{`...)
	fam := c.fam.of(r)
	for j, i := range idx {
		if j > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, sc.bodyKey(j))
		b = append(b, ':')
		b = append(b, fam.entity(r, entries[i].body)...)
	}
	*buf = append(b, `}}`...)
	return buf
}

// applyBatchResponse records the per-entity statuses of a batch response in
// res. Entries the response does not mention get an EntityError. The common
// answer (every record accepted) is read by scanResults; anything else by
// encoding/json.
func applyBatchResponse[K comparable](red *redactor, op batchOp, resp *response, entries []entry[K], idx []int, sc *batchScratch, res *BatchResult[K]) error {
	scanned, fast := scanResults(resp.body, sc.scanned[:0])
	sc.scanned = scanned
	fast = fast && len(scanned) > 0 // an empty answer needs the checks below
	var br batchResponse
	if !fast && len(bytes.TrimSpace(resp.body)) > 0 {
		if err := json.Unmarshal(resp.body, &br); err != nil {
			return red.Error(fmt.Errorf("rsc: %s %s: decoding batch response: %w", op.method, op.path, err))
		}
	}
	if !fast && br.Results == nil && br.Errors == nil {
		// Only a 204 No Content speaks for every record at once. Any other
		// answer without per-record maps (a gateway's {}, null, a 200 with
		// no body) leaves each record's fate unknown: the call fails, so
		// that nothing counts as stored that LinkedIn did not confirm.
		if resp.status != http.StatusNoContent || len(bytes.TrimSpace(resp.body)) > 0 {
			return fmt.Errorf("rsc: %s %s: HTTP %d answer holds no per-record results or errors; LinkedIn did not confirm any record",
				op.method, op.path, resp.status)
		}
		for _, i := range idx {
			res.Items[i].Status = resp.status
		}
		return nil
	}
	sc.seen = slices.Grow(sc.seen[:0], len(idx))[:len(idx)]
	clear(sc.seen)
	set := func(k []byte, status int, e *EntityError) {
		j, ok := sc.find(k)
		if !ok {
			return
		}
		it := &res.Items[idx[j]]
		it.Status, sc.seen[j] = status, true
		if e != nil || status < 200 || status >= 300 {
			if e == nil {
				e = &EntityError{}
			}
			if e.Message == "" && status == 0 {
				e.Message = "LinkedIn returned no status for this record"
			}
			e.Resource, e.Key, e.Status = op.res.legacy, entries[idx[j]].label, status
			it.Err = e
		}
	}
	for _, ks := range scanned {
		set(ks.key, ks.status, nil)
	}
	for k, st := range br.Results {
		set([]byte(k), st.Status, nil)
	}
	for k, e := range br.Errors {
		set([]byte(k), e.Status, &EntityError{ServiceErrorCode: e.ServiceErrorCode, Message: red.String(e.Message)})
	}
	for j, i := range idx {
		if !sc.seen[j] {
			res.Items[i].Err = &EntityError{Resource: op.res.legacy, Key: entries[i].label,
				Message: "LinkedIn returned no status for this record"}
		}
	}
	return nil
}

// find returns the position in the batch of the record that k, a key of
// the answer's maps, names: the key as sent, a compound key in the
// server's escaping or ours (checked first at the position after the last
// one found, as servers answer in order), or else the compound key it
// decodes to (keyIndex), whatever the order of the answer. A simple key is
// read by the call's protocol (simpleKeyIndex).
func (sc *batchScratch) find(k []byte) (int, bool) {
	// A Rest.li 2.0 server escapes ( ) , : ' % in a simple key of its
	// answer (docs/linkedin-api.md §3.4): read such a key decoded first.
	decodeFirst := !sc.compound && sc.proto == restli.Protocol2
	if !decodeFirst && sc.next < len(sc.ends) {
		if sent := sc.bodyKey(sc.next); bytes.Equal(sent, k) || sc.compound && sameKeySpelling(sent, k) {
			sc.next++
			return sc.next - 1, true
		}
	}
	j := -1
	if sc.compound {
		if sc.sent == nil {
			sc.sent = make(hashIndex, len(sc.ends))
		}
		if len(sc.sent) == 0 {
			for j := range sc.ends {
				sc.sent.add(sc.bodyKey(j), j)
			}
		}
		if i, ok := sc.sent.get(k); ok && bytes.Equal(sc.bodyKey(i), k) {
			j = i
		} else {
			j = sc.byKey.find(string(k))
		}
	} else {
		if sc.pos == nil {
			sc.pos = make(map[string]int, len(sc.ids))
		}
		if len(sc.pos) == 0 {
			for j, id := range sc.ids {
				sc.pos[id] = j
			}
		}
		j = simpleKeyIndex(sc.proto, string(k), sc.pos)
	}
	if j < 0 {
		return 0, false
	}
	sc.next = j + 1
	return j, true
}

// simpleKeyIndex returns pos's entry for the simple key k of an answer:
// under Rest.li 2.0 the key as the server escapes it, decoded, or else as
// it is; under 1.0 the other way round. -1 when neither names a key.
func simpleKeyIndex(p restli.Protocol, k string, pos map[string]int) int {
	d, err := restli.DecodeSimpleKey(k)
	tries := []string{k, d}
	if p == restli.Protocol2 {
		tries = []string{d, k}
	}
	for _, t := range tries {
		if j, ok := pos[t]; ok && (t != d || err == nil) {
			return j
		}
	}
	return -1
}

// keyPath encodes a compound key as a path segment for sub-resources.
func (c *Client) keyPath(k restli.Key) string { return restli.EncodeKeyPath(c.fam.proto, k) }

// maxPathSegment is LinkedIn's limit on one segment of a URL path, the
// text between two slashes: 4 KB, past which it answers 414
// (docs/linkedin-api.md §2.2). Tunnelling moves a call's query, never its
// path.
const maxPathSegment = 4096

// validateParent checks pk, a parent of resource parent, as parentPath
// does on /v2, and only its key on /rest, where it names no path.
func (c *Client) validateParent(pk noteParent, parent *resource) error {
	if c.fam.versioned {
		return pk.check()
	}
	_, err := c.parentPath(pk, parent.legacy, "")
	return err
}

// parentPath checks pk, the parent of a sub-resource call on /v2, and
// returns the call's path, /{parent}/{key}/{sub}. Besides pk's own rules,
// its key, encoded, must fit in one path segment: an id of 512 characters
// outside ASCII takes up to 6 KB there. The refusal names the parent's id
// field.
func (c *Client) parentPath(pk noteParent, parent, sub string) (string, error) {
	if err := pk.check(); err != nil {
		return "", err
	}
	seg := c.keyPath(pk.restli(c.fam))
	if len(seg) > maxPathSegment {
		_, _, id, _ := pk.notes()
		return "", &ValidationError{Resource: parent, Key: id, Field: pk.idField(),
			Rule: fmt.Sprintf("must take at most %d bytes once encoded, LinkedIn's limit on the URL path segment that names the parent of notes, feedback and stages (takes %d)", maxPathSegment, len(seg))}
	}
	return "/" + parent + "/" + seg + "/" + sub, nil
}

// decodeJSON unmarshals a response body with the family's field renames
// undone. Its error, which may quote the body, is redacted.
func (c *Client) decodeJSON(r *resource, body []byte, v any) error {
	if err := json.Unmarshal(c.fam.of(r).unentity(r, body), v); err != nil {
		return c.red.Error(fmt.Errorf("rsc: decoding %s response: %w", r.legacy, err))
	}
	return nil
}
