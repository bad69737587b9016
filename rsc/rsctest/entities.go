package rsctest

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/rscgo/rscgo/internal/restli"
)

// kind describes a keyed entity LinkedIn stores (candidates, notes, ...).
type kind struct {
	table        string   // store name ("" for kinds with a custom store)
	fields       []string // canonical key fields; the first parentFields are the parent's key
	parentFields int
	idField      string                                     // field filled from a simple id on sub-resource routes
	validate     func(c *call, r *record) *entityError      // pure validation (may fill r.emails)
	check        func(cu *Customer, r *record) *entityError // validation against stored state, under the customer lock
	onDelete     func(cu *Customer, r *record)
	children     []*kind // deleted with the parent (application cascade)
	finder       func(c *call)
	noPartial    bool
	render       func(cu *Customer, r *record, m map[string]json.RawMessage) // read-time extras
	schema       schema                                                      // the entity's fields, canonical names
}

// kinds lists every generic kind (customer stores are created from it).
var kinds []*kind

func newKind(k *kind) *kind { kinds = append(kinds, k); return k }

// newSubKind registers a kind addressed under a parent's key with a simple
// id: its key is the parent's key fields plus idField.
func newSubKind(table string, parent []string, idField string, s schema, validate func(*call, *record) *entityError) *kind {
	return newKind(&kind{table: table, fields: append(slices.Clone(parent), idField), parentFields: len(parent),
		idField: idField, validate: validate, schema: s})
}

// ekey is one key of a batch request, normalised.
type ekey struct {
	resp   string            // map key in the response (the request's syntax)
	fields map[string]string // canonical key fields
	rk     string            // store key
}

// normKey maps a decoded compound key onto rt's canonical fields.
func (c *call) normKey(rt *route, k restli.Key) (map[string]string, *httpError) {
	kd := rt.kind
	fields := make(map[string]string, len(kd.fields))
	sawDP := false
	for _, f := range k {
		name := f.Name
		switch name {
		case restli.ParamsField:
			continue
		case "dataProvider":
			if rt.rest { // versioned keys have no dataProvider (docs/linkedin-api.md §11)
				return nil, errf(http.StatusBadRequest, "Invalid key: unknown key field \"dataProvider\" for /"+rt.name)
			}
			if f.Value != "ATS" {
				return nil, errf(http.StatusBadRequest, "Invalid key: dataProvider must be ATS, got "+strconv.Quote(f.Value))
			}
			sawDP = true
			continue
		}
		if cn, ok := rt.keyNames[name]; ok {
			name = cn
		} else if _, renamed := invert(rt.keyNames)[name]; renamed {
			// The route names this field otherwise (a versioned rename,
			// docs/linkedin-api.md §11): the canonical name is unknown here.
			return nil, errf(http.StatusBadRequest, "Invalid key: unknown key field "+strconv.Quote(f.Name)+" for /"+rt.name)
		}
		if !slices.Contains(kd.fields, name) || (rt.sub && name == kd.idField) {
			return nil, errf(http.StatusBadRequest, "Invalid key: unknown key field "+strconv.Quote(f.Name)+" for /"+rt.name)
		}
		fields[name] = f.Value
	}
	if rt.requireDP && !sawDP {
		return nil, errf(http.StatusBadRequest, "Invalid key: missing key field \"dataProvider\" for /"+rt.name)
	}
	need := kd.fields
	for _, n := range need {
		if _, ok := fields[n]; !ok {
			if name, ok := invert(rt.keyNames)[n]; ok {
				n = name
			}
			return nil, errf(http.StatusBadRequest, "Invalid key: missing key field "+strconv.Quote(n)+" for /"+rt.name)
		}
	}
	return fields, nil
}

// keys returns the normalised ids of the request (query ids, or the path key
// plus simple ids on sub-resources), checking the caller owns every
// integration context.
func (c *call) keys() ([]ekey, *httpError) {
	rt := c.rt
	kd := rt.kind
	var out []ekey
	if rt.sub {
		pk, err := restli.ParseServerKey(c.proto, c.pathKey)
		if err != nil {
			return nil, errf(http.StatusBadRequest, "Invalid key: '"+c.pathKey+"'")
		}
		parent := &route{name: rt.parent.name, kind: rt.parent.kind, requireDP: rt.parent.requireDP, keyNames: rt.parent.keyNames}
		pf, herr := c.normKey(parent, pk)
		if herr != nil {
			return nil, herr
		}
		if !c.cust.owns(pf["integrationContext"]) {
			return nil, errf(http.StatusForbidden, "")
		}
		if len(c.q.Keys) > 0 {
			return nil, errf(http.StatusBadRequest, "Invalid ids: /"+rt.name+" takes simple ids")
		}
		for _, id := range c.q.SimpleIDs {
			f := make(map[string]string, len(pf)+1)
			for k, v := range pf {
				f[k] = v
			}
			f[kd.idField] = id
			out = append(out, ekey{resp: restli.EncodeServerSimpleBodyKey(c.proto, id), fields: f, rk: recKey(fieldMap(f), kd.fields)})
		}
		return out, nil
	}
	if len(c.q.SimpleIDs) > 0 {
		return nil, errf(http.StatusBadRequest, "Invalid ids: /"+rt.name+" needs compound keys")
	}
	for _, k := range c.q.Keys {
		f, herr := c.normKey(rt, k)
		if herr != nil {
			return nil, herr
		}
		if !c.cust.owns(f["integrationContext"]) {
			return nil, errf(http.StatusForbidden, "")
		}
		out = append(out, ekey{resp: restli.EncodeServerBodyKey(c.proto, k), fields: f, rk: recKey(fieldMap(f), kd.fields)})
	}
	return out, nil
}

// bodyKey maps a body entity map key to a store key the way Rest.li reads
// it (docs/linkedin-api.md §3.2, §3.3): a simple id literally, under both
// protocols (Rest.li clients do not encode simple body keys, so "a%41" is
// the id a%41, never aA); a compound key parsed with the request's
// protocol, under 1.0 as the URI query Rest.li reads it as: a raw space,
// quote, '{', '|' or another character java.net.URI refuses is a 400
// "Invalid key", and %XX escapes are decoded.
func (c *call) bodyKey(raw string, keys []ekey) (string, *httpError) {
	rt := c.rt
	if rt.sub {
		f := maps.Clone(keys[0].fields)
		f[rt.kind.idField] = raw
		return recKey(fieldMap(f), rt.kind.fields), nil
	}
	k, err := restli.ParseServerBodyKey(c.proto, raw)
	if err != nil {
		return "", errf(http.StatusBadRequest, "Invalid key: '"+raw+"'")
	}
	f, herr := c.normKey(rt, k)
	if herr != nil {
		return "", herr
	}
	return recKey(fieldMap(f), rt.kind.fields), nil
}

func (c *call) httpErr(e *httpError) {
	if e.status == http.StatusForbidden {
		c.forbidden()
		return
	}
	c.fail(e.status, e.msg)
}

type statusOnly struct {
	Status int `json:"status"`
}

var status204 = statusOnly{Status: 204}

type batchResult struct {
	Errors  map[string]*entityError `json:"errors"`
	Results map[string]statusOnly   `json:"results"`
}

func newBatchResult(n int) batchResult {
	return batchResult{Errors: map[string]*entityError{}, Results: make(map[string]statusOnly, n)}
}

type batchGetResult struct {
	Errors   map[string]*entityError    `json:"errors"`
	Results  map[string]json.RawMessage `json:"results"`
	Statuses map[string]int             `json:"statuses"`
}

// restliVerbs maps each Rest.li method to the HTTP verb that carries it
// (docs/linkedin-api.md §2.1).
var restliVerbs = map[string]string{
	"get": http.MethodGet, "batch_get": http.MethodGet, "get_all": http.MethodGet, "finder": http.MethodGet, "batch_finder": http.MethodGet,
	"update": http.MethodPut, "batch_update": http.MethodPut,
	"create": http.MethodPost, "batch_create": http.MethodPost, "partial_update": http.MethodPost,
	"batch_partial_update": http.MethodPost, "action": http.MethodPost,
	"delete": http.MethodDelete, "batch_delete": http.MethodDelete,
}

// checkMethodHeader refuses, as Rest.li's router does, an X-RestLi-Method
// that names no Rest.li method or that the (untunnelled) HTTP verb cannot
// carry: a GET with X-RestLi-Method BATCH_DELETE deletes nothing.
func (c *call) checkMethodHeader() bool {
	if c.rmethod == "" {
		return true
	}
	verb, ok := restliVerbs[c.rmethod]
	if !ok {
		c.fail(http.StatusBadRequest, "Invalid X-RestLi-Method "+strconv.Quote(c.rmethod))
		return false
	}
	if verb != c.method {
		c.fail(http.StatusBadRequest, "Method '"+c.method+"' is not supported for X-RestLi-Method "+strings.ToUpper(c.rmethod)+" on /"+c.rt.name)
		return false
	}
	return true
}

// requireMethod checks the X-RestLi-Method of a batch write. Like Rest.li's
// router, the fake infers batch_update, batch_partial_update and
// batch_delete from the verb and the ids when the header is absent (only
// batch_create needs it); a header naming another method is a 400.
func (c *call) requireMethod(want string) bool {
	if c.rmethod == "" || c.rmethod == want {
		return true
	}
	c.fail(http.StatusBadRequest, "X-RestLi-Method "+strconv.Quote(c.rmethod)+" does not match "+c.method+" with ids on /"+c.rt.name+"; want "+want)
	return false
}

// handleEntities serves batch_update, batch_partial_update, batch_get,
// batch_delete and finders of a generic kind, for both families.
func handleEntities(c *call) {
	switch c.method {
	case http.MethodGet:
		if c.param("q") != "" {
			if c.rt.kind.finder == nil {
				c.fail(http.StatusBadRequest, "Finder "+strconv.Quote(c.param("q"))+" is not supported on /"+c.rt.name)
				return
			}
			c.rt.kind.finder(c)
			return
		}
		batchGet(c)
	case http.MethodPut:
		if c.requireMethod("batch_update") {
			batchUpdate(c)
		}
	case http.MethodPost:
		if c.rt.kind.noPartial {
			c.fail(http.StatusMethodNotAllowed, "POST is not supported on /"+c.rt.name)
			return
		}
		if c.requireMethod("batch_partial_update") {
			batchPartial(c)
		}
	case http.MethodDelete:
		batchDelete(c)
	default:
		c.methodNotAllowed()
	}
}

// methodNotAllowed fails the call with the 405 a resource answers an HTTP
// method it does not serve.
func (c *call) methodNotAllowed() {
	c.fail(http.StatusMethodNotAllowed, c.method+" is not supported on /"+c.rt.name)
}

// batchKeys returns the request's keys, failing the request if there are none.
func (c *call) batchKeys() ([]ekey, bool) {
	keys, herr := c.keys()
	if herr != nil {
		c.httpErr(herr)
		return nil, false
	}
	if len(keys) == 0 {
		c.fail(http.StatusBadRequest, "ids are required for a batch request on /"+c.rt.name)
		return nil, false
	}
	return keys, true
}

// matchBody pairs body entities with the query ids, answering Rest.li's
// 400s for a key the ids do not hold, a key given twice, or an id with no
// entity.
func matchBody[T any](c *call, keys []ekey, entities map[string]T) (map[string]T, bool) {
	want := make(map[string]bool, len(keys))
	for _, k := range keys {
		want[k.rk] = true
	}
	byKey := make(map[string]T, len(entities))
	for _, raw := range slices.Sorted(maps.Keys(entities)) {
		rk, herr := c.bodyKey(raw, keys)
		if herr != nil {
			c.httpErr(herr)
			return nil, false
		}
		if _, dup := byKey[rk]; dup {
			c.fail(http.StatusBadRequest, "Duplicate key in batch request body: '"+raw+"'")
			return nil, false
		}
		if !want[rk] {
			c.fail(http.StatusBadRequest, "Batch request mismatch. Entity key '"+raw+"' not found in the query parameter.")
			return nil, false
		}
		byKey[rk] = entities[raw]
	}
	for _, k := range keys {
		if _, ok := byKey[k.rk]; !ok {
			c.fail(http.StatusBadRequest, "Batch request mismatch. URI key '"+k.resp+"' has no entity in the request body.")
			return nil, false
		}
	}
	return byKey, true
}

func batchUpdate(c *call) {
	keys, byKey, ok := batchBody[json.RawMessage](c)
	if !ok {
		return
	}
	kd := c.rt.kind
	res := newBatchResult(len(keys))
	recs := make([]*record, len(keys))
	for i, k := range keys {
		doc := byKey[k.rk]
		if e := c.unpermitted(c.rt.schema, doc); e != nil {
			res.Errors[k.resp] = e
			continue
		}
		if c.rt.docRenames != nil {
			doc = renameDoc(doc, c.rt.docRenames)
		} else {
			doc = bytes.Clone(doc)
		}
		r := &record{fields: compactFields(k.fields, kd.fields), doc: doc, updated: c.now}
		if !isObject(doc) {
			res.Errors[k.resp] = statusErr(400, "ERROR :: / :: entity must be a JSON object")
			continue
		}
		if e := kd.validateRecord(c, r); e != nil {
			res.Errors[k.resp] = e
			continue
		}
		recs[i] = r
	}
	c.commitBatch(keys, res, func(cu *Customer, t *table, i int, k ekey) *entityError {
		r := recs[i]
		if r == nil {
			return res.Errors[k.resp] // invalid: keeps its error
		}
		if e := kd.checkRecord(cu, r); e != nil {
			return e
		}
		if old := t.recs[k.rk]; old != nil && r.manual == "" && !bytes.Contains(r.doc, []byte(`"manualMatchedMember"`)) {
			r.manual = old.manual // LinkedIn-side link survives a full replace (see package doc)
		}
		t.put(kd, k.rk, r)
		return nil
	})
}

// validateRecord runs the kind's pure validation, if it has one.
func (kd *kind) validateRecord(c *call, r *record) *entityError {
	if kd.validate == nil {
		return nil
	}
	return kd.validate(c, r)
}

// checkRecord runs the kind's validation against stored state, if it has
// one; the caller holds the customer lock.
func (kd *kind) checkRecord(cu *Customer, r *record) *entityError {
	if kd.check == nil {
		return nil
	}
	return kd.check(cu, r)
}

// commitBatch runs apply on every key under the customer's lock, each
// key's answer being apply's error or 204, then writes the batch result.
func (c *call) commitBatch(keys []ekey, res batchResult, apply func(cu *Customer, t *table, i int, k ekey) *entityError) {
	cu := c.cust
	cu.mu.Lock()
	t := cu.tables[c.rt.kind.table]
	for i, k := range keys {
		if e := apply(cu, t, i, k); e != nil {
			res.Errors[k.resp] = e
		} else {
			res.Results[k.resp] = status204
		}
	}
	cu.mu.Unlock()
	writeJSON(c.w, http.StatusOK, res)
}

// patch is a Rest.li partial update (docs/linkedin-api.md §3.3).
type patch struct {
	Set    map[string]json.RawMessage `json:"$set"`
	Delete []string                   `json:"$delete"`
}

type patchBody struct {
	Patch patch `json:"patch"`
}

// batchBody reads a batch_update or batch_partial_update: its keys and
// the body's entities (documents or patches) paired with them.
func batchBody[T any](c *call) ([]ekey, map[string]T, bool) {
	keys, ok := c.batchKeys()
	if !ok {
		return nil, nil, false
	}
	var body struct {
		Entities map[string]T `json:"entities"`
	}
	if !c.decodeBody(&body) {
		return nil, nil, false
	}
	byKey, ok := matchBody(c, keys, body.Entities)
	return keys, byKey, ok
}

func batchPartial(c *call) {
	keys, byKey, ok := batchBody[patchBody](c)
	if !ok {
		return
	}
	kd := c.rt.kind
	c.commitBatch(keys, newBatchResult(len(keys)), func(cu *Customer, t *table, _ int, k ekey) *entityError {
		if e := c.unpermittedPatch(c.rt.schema, byKey[k.rk].Patch); e != nil {
			return e
		}
		old := t.recs[k.rk]
		if old == nil {
			return statusErr(404, "Entity "+k.resp+" does not exist")
		}
		r, e := c.patched(old, byKey[k.rk].Patch)
		if e == nil {
			e = kd.validateRecord(c, r)
		}
		if e == nil {
			e = kd.checkRecord(cu, r)
		}
		if e != nil {
			return e
		}
		t.put(kd, k.rk, r)
		return nil
	})
}

// patched returns a new record: old with the patch applied.
func (c *call) patched(old *record, p patch) (*record, *entityError) {
	kd := c.rt.kind
	m := map[string]json.RawMessage{}
	_ = json.Unmarshal(old.doc, &m)
	r := &record{fields: old.fields, manual: old.manual, updated: c.now}
	for name, v := range p.Set {
		if cn, ok := c.rt.docRenames[name]; ok {
			name = cn
		}
		if name == "manualMatchedMember" && kd == candidateKind {
			var u string
			if json.Unmarshal(v, &u) != nil || !personURN.MatchString(u) {
				return nil, fieldErr("manualMatchedMember", "must be a person URN (urn:li:person:{id})")
			}
			r.manual = u
			continue
		}
		m[name] = v
	}
	for _, name := range p.Delete {
		if cn, ok := c.rt.docRenames[name]; ok {
			name = cn
		}
		if name == "manualMatchedMember" && kd == candidateKind {
			r.manual = ""
		}
		delete(m, name)
	}
	r.doc, _ = json.Marshal(m)
	return r, nil
}

func batchGet(c *call) {
	keys, ok := c.batchKeys()
	if !ok {
		return
	}
	kd := c.rt.kind
	proj := c.projection()
	res := batchGetResult{Errors: map[string]*entityError{}, Results: map[string]json.RawMessage{}, Statuses: map[string]int{}}
	cu := c.cust
	cu.mu.Lock()
	t := cu.tables[kd.table]
	for _, k := range keys {
		r := t.recs[k.rk]
		if r == nil {
			res.Errors[k.resp] = statusErr(404, "Entity "+k.resp+" does not exist")
			continue
		}
		res.Results[k.resp] = c.renderRecord(cu, kd, r, proj)
		res.Statuses[k.resp] = 200
	}
	cu.mu.Unlock()
	writeJSON(c.w, http.StatusOK, res)
}

// projection returns the top-level fields= projection, or nil.
func (c *call) projection() map[string]bool {
	f := c.param("fields")
	if f == "" {
		return nil
	}
	if strings.HasPrefix(f, "List(") && strings.HasSuffix(f, ")") {
		f = f[5 : len(f)-1]
	}
	// The top-level names of a Rest.li projection: a,b:(c,d) names a and b.
	p := map[string]bool{}
	depth, start := 0, 0
	for i := 0; i <= len(f); i++ {
		switch {
		case i < len(f) && f[i] == '(':
			depth++
		case i < len(f) && f[i] == ')':
			depth--
		case i == len(f) || f[i] == ',' && depth == 0:
			name, _, _ := strings.Cut(f[start:i], ":")
			if name = strings.TrimSpace(name); name != "" {
				p[name] = true
			}
			start = i + 1
		}
	}
	return p
}

// renderRecord returns the entity as the caller's family names it.
func (c *call) renderRecord(cu *Customer, kd *kind, r *record, proj map[string]bool) json.RawMessage {
	if kd.render == nil && c.rt.outRenames == nil && proj == nil {
		return r.doc
	}
	m := map[string]json.RawMessage{}
	_ = json.Unmarshal(r.doc, &m)
	if kd.render != nil {
		kd.render(cu, r, m)
	}
	for from, to := range c.rt.outRenames {
		if v, ok := m[from]; ok {
			delete(m, from)
			m[to] = v
		}
	}
	if proj != nil {
		for n := range m {
			if !proj[n] {
				delete(m, n)
			}
		}
	}
	b, _ := json.Marshal(m)
	return b
}

func batchDelete(c *call) {
	if !c.requireMethod("batch_delete") {
		return
	}
	keys, ok := c.batchKeys()
	if !ok {
		return
	}
	kd := c.rt.kind
	c.commitBatch(keys, newBatchResult(len(keys)), func(cu *Customer, t *table, _ int, k ekey) *entityError {
		r := t.recs[k.rk]
		if r == nil {
			return nil // deleting an absent entity is not an error
		}
		t.del(kd, k.rk)
		for _, ch := range kd.children {
			cu.tables[ch.table].deleteChildren(ch, k.rk)
		}
		if kd.onDelete != nil {
			kd.onDelete(cu, r)
		}
		return nil
	})
}

// renameDoc returns doc with top-level fields renamed (request family → canonical).
func renameDoc(doc json.RawMessage, renames map[string]string) json.RawMessage {
	m := map[string]json.RawMessage{}
	if json.Unmarshal(doc, &m) != nil {
		return bytes.Clone(doc)
	}
	for from, to := range renames {
		v, ok := m[from]
		delete(m, to) // the versioned schema does not know the v2 name
		if ok {
			delete(m, from)
			m[to] = v
		}
	}
	b, _ := json.Marshal(m)
	return b
}

func isObject(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '{'
}

// paging parses start/count (default 0/10).
func (c *call) paging() (start, count int, ok bool) {
	if start, ok = c.countParam("start", 0); !ok {
		return 0, 0, false
	}
	if count, ok = c.countParam("count", 10); !ok {
		return 0, 0, false
	}
	return start, count, true
}

// countParam parses the query parameter name, a whole number not below 0,
// def when absent. It fails the call with "Invalid <name> parameter" when
// the value is not such a number.
func (c *call) countParam(name string, def int) (int, bool) {
	v := c.param(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		c.fail(http.StatusBadRequest, "Invalid "+name+" parameter")
		return 0, false
	}
	return n, true
}

type pagingInfo struct {
	Start int   `json:"start"`
	Count int   `json:"count"`
	Total int   `json:"total"`
	Links []any `json:"links"`
}

type collection struct {
	Elements any        `json:"elements"`
	Paging   pagingInfo `json:"paging"`
}

// page writes a collection response of elems[start:start+count].
func page[T any](c *call, elems []T, start, count int) {
	total := len(elems)
	lo := min(start, total)
	hi := min(lo+count, total)
	var out any = elems[lo:hi]
	if lo == hi {
		out = []T{}
	} else if proj := c.projection(); proj != nil {
		out = projected(elems[lo:hi], proj) // a fields= projection applies to each element
	}
	writeJSON(c.w, http.StatusOK, collection{Elements: out, Paging: pagingInfo{Start: start, Count: count, Total: total, Links: []any{}}})
}

// projected returns elems as JSON objects holding only the top-level
// fields proj names.
func projected[T any](elems []T, proj map[string]bool) []map[string]json.RawMessage {
	out := make([]map[string]json.RawMessage, len(elems))
	for i := range elems {
		js, _ := json.Marshal(elems[i])
		m := map[string]json.RawMessage{}
		_ = json.Unmarshal(js, &m)
		for n := range m {
			if !proj[n] {
				delete(m, n)
			}
		}
		out[i] = m
	}
	return out
}
