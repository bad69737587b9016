package rsctest

import (
	"cmp"
	"net/http"
	"regexp"
	"slices"
	"strconv"

	"github.com/rscgo/rscgo/internal/restli"
)

// finderGET checks the method and the finder name.
func (c *call) finderGET(q string) bool {
	if c.method != http.MethodGet {
		c.methodNotAllowed()
		return false
	}
	if got := c.param("q"); got != q {
		c.fail(http.StatusBadRequest, "Unknown or missing finder q="+got+"; want q="+q)
		return false
	}
	return true
}

var (
	contractURN = regexp.MustCompile(`^urn:li:contract:[0-9A-Za-z_-]+$`)
	seatURN     = regexp.MustCompile(`^urn:li:seat:[0-9A-Za-z_-]+$`)
)

// required returns a query parameter the finder needs, answering Rest.li's
// 400 naming it when it is missing (docs/linkedin-api.md §13.4; the error
// body's shape is §2.4).
func (c *call) required(name string) (string, bool) {
	v := c.param(name)
	if v == "" {
		c.fail(http.StatusBadRequest, "Parameter '"+name+"' is required")
	}
	return v, v != ""
}

// serveRequest answers a q=request finder (the payload of a push) with the
// elements that elements returns for its requestId, called under the
// customer's lock, or with a 404 naming the request as what when it returns
// none (the request is unknown or has expired).
func serveRequest[T any](c *call, what string, elements func(cu *Customer, id string) []T) {
	if !c.finderGET("request") {
		return
	}
	id, ok := c.required("requestId")
	if !ok {
		return
	}
	cu := c.cust
	cu.mu.Lock()
	out := elements(cu, id)
	cu.mu.Unlock()
	if out == nil {
		c.fail(http.StatusNotFound, what+" "+id+" does not exist or has expired")
		return
	}
	writeJSON(c.w, http.StatusOK, map[string]any{"elements": out})
}

// contractFinder checks a finder whose contract parameter (a list when
// list is set, else one contract) names contracts the caller holds, and
// reads its paging.
func (c *call) contractFinder(q, param string, list bool) (contracts []string, start, count int, ok bool) {
	if !c.finderGET(q) {
		return nil, 0, 0, false
	}
	if contracts, ok = c.contracts(param, list); !ok {
		return nil, 0, 0, false
	}
	start, count, ok = c.paging()
	return contracts, start, count, ok
}

// contextFinder checks a finder whose integrationContext parameter names a
// context the caller owns, and reads its paging.
func (c *call) contextFinder(q string) (ctx string, start, count int, ok bool) {
	if !c.finderGET(q) {
		return "", 0, 0, false
	}
	if ctx, ok = c.required("integrationContext"); !ok {
		return "", 0, 0, false
	}
	if !c.cust.owns(ctx) {
		c.forbidden()
		return "", 0, 0, false
	}
	start, count, ok = c.paging()
	return ctx, start, count, ok
}

// msParam parses an epoch-ms parameter; ok=false after a 400.
func (c *call) msParam(name string) (v int64, present, ok bool) {
	s := c.param(name)
	if s == "" {
		return 0, false, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		c.fail(http.StatusBadRequest, "Invalid "+name+": "+s)
		return 0, false, false
	}
	return n, true, true
}

// msRange is an optional epoch-millisecond range given by two query
// parameters.
type msRange struct {
	from, to       int64
	hasFrom, hasTo bool
	bounds         msBounds
}

// msBounds says which end of an msRange holds its bound.
type msBounds uint8

const (
	// closedOpen is [from, to): mailStubs' createdDateStart (inclusive) and
	// createdDateEnd (non-inclusive).
	closedOpen msBounds = iota
	// openClosed is (from, to]: prospectNotes' cutoffDate, which LinkedIn
	// documents as an exclusive lower bound, and beforeDate, an inclusive
	// upper bound (docs/linkedin-api.md §8.6).
	openClosed
)

// msRange reads the range of fromName and toName with the given bounds,
// answering 400 for a malformed bound or one whose to precedes its from.
func (c *call) msRange(fromName, toName string, bounds msBounds) (r msRange, ok bool) {
	r.bounds = bounds
	if r.from, r.hasFrom, ok = c.msParam(fromName); !ok {
		return r, false
	}
	if r.to, r.hasTo, ok = c.msParam(toName); !ok {
		return r, false
	}
	if r.hasFrom && r.hasTo && r.to < r.from {
		c.fail(http.StatusBadRequest, "Invalid value for parameter '"+toName+"': it precedes "+fromName)
		return r, false
	}
	return r, true
}

func (r msRange) contains(t int64) bool {
	if r.bounds == openClosed {
		return (!r.hasFrom || t > r.from) && (!r.hasTo || t <= r.to)
	}
	return (!r.hasFrom || t >= r.from) && (!r.hasTo || t < r.to)
}

// ownedBy reports whether a record of contract and owner matches the
// contracts and (optional) owners finder parameters.
func ownedBy(contracts, owners []string, contract, owner string) bool {
	return slices.Contains(contracts, contract) && (len(owners) == 0 || slices.Contains(owners, owner))
}

// handleExportedCandidates serves E1: GET exportedCandidates?q=request&requestId=.
func handleExportedCandidates(c *call) {
	serveRequest(c, "Export request", func(cu *Customer, id string) []ExportedCandidate {
		e := cu.exports[id]
		if e == nil || !c.now.Before(e.expires) {
			return nil
		}
		return []ExportedCandidate{e.ExportedCandidate}
	})
}

// contracts returns the required contracts param, all owned by the caller:
// a list parameter when list is set (see listParam), else one contract.
// Under Rest.li 1.0 a repeated single-contract parameter is read as a list,
// as the fake always has; under 2.0 it must be one value.
func (c *call) contracts(name string, list bool) ([]string, bool) {
	var ks []string
	var ok bool
	if list || c.proto == restli.Protocol1 {
		ks, ok = c.listParam(name)
	} else {
		ks, ok = c.scalarParam(name)
	}
	if !ok {
		return nil, false
	}
	if len(ks) == 0 {
		c.fail(http.StatusBadRequest, "Parameter '"+name+"' is required")
		return nil, false
	}
	for _, k := range ks {
		if !contractURN.MatchString(k) {
			c.fail(http.StatusBadRequest, "Invalid value for parameter '"+name+"': "+strconv.Quote(k)+" is not a contract URN (urn:li:contract:{id})")
			return nil, false
		}
		if !c.cust.ownsContract(k) {
			c.forbidden()
			return nil, false
		}
	}
	return ks, true
}

func (cu *Customer) sortedSeats() []*seat {
	out := make([]*seat, 0, len(cu.seats))
	for _, s := range cu.seats {
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b *seat) int { return int(a.ID - b.ID) })
	return out
}

// handleSeats serves the legacy seats finder (docs/linkedin-api.md §8.3):
// q=seatsByAttributes&contracts=&active=.
func handleSeats(c *call) {
	ks, start, count, ok := c.contractFinder("seatsByAttributes", "contracts", true)
	if !ok {
		return
	}
	active := c.param("active")
	var out []map[string]any
	c.cust.mu.Lock()
	for _, st := range c.cust.sortedSeats() {
		isActive := st.State == "ACTIVE"
		if !slices.Contains(ks, st.Contract) || (active != "" && strconv.FormatBool(isActive) != active) {
			continue
		}
		out = append(out, map[string]any{"id": st.ID, "firstName": st.FirstName, "lastName": st.LastName, "email": st.Email,
			"contractId": st.Contract, "member": st.Member, "active": isActive, "admin": slices.Contains(st.Roles, "ADMIN_SEAT")})
	}
	c.cust.mu.Unlock()
	page(c, out, start, count)
}

// handleSeatsV2 serves S2: q=attributes&contracts=&states=&start= (start required).
func handleSeatsV2(c *call) {
	if !c.finderGET("attributes") {
		return
	}
	ks, ok := c.contracts("contracts", true)
	if !ok {
		return
	}
	if c.param("start") == "" {
		c.fail(http.StatusBadRequest, "start is required")
		return
	}
	start, count, ok := c.paging()
	if !ok {
		return
	}
	states, ok := c.listParam("states")
	if !ok {
		return
	}
	for _, s := range states {
		switch s { // the states LinkedIn lists (docs/linkedin-api.md §8.3)
		case "ACTIVE", "INACTIVE", "INVITED", "PARKED":
		default:
			c.fail(http.StatusBadRequest, "Invalid value for parameter 'states': "+strconv.Quote(s)+" is not an enum symbol (ACTIVE, INACTIVE, INVITED, PARKED)")
			return
		}
	}
	var out []map[string]any
	c.cust.mu.Lock()
	for _, st := range c.cust.sortedSeats() {
		if !slices.Contains(ks, st.Contract) || (len(states) > 0 && !slices.Contains(states, st.State)) {
			continue
		}
		e := map[string]any{"firstName": st.FirstName, "lastName": st.LastName, "email": st.Email, "contract": st.Contract,
			"member": st.Member, "state": st.State, "seatRoles": st.Roles}
		if c.rt.rest {
			e["seatId"] = st.ID
			e["createdAt"] = map[string]any{"actor": st.Member, "time": st.Created.UnixMilli()}
		} else {
			e["id"] = st.ID
			e["created"] = map[string]any{"time": st.Created.UnixMilli()}
		}
		out = append(out, e)
	}
	c.cust.mu.Unlock()
	page(c, out, start, count)
}

// timeRange reads the conversationEvents window: timeRange=(start:..,end:..),
// a Rest.li record, or, under Rest.li 1.0 only, the dotted
// timeRange.start=..&timeRange.end=.. of LinkedIn's Postman collection.
// Under 2.0 (the X-RestLi-Protocol-Version header) the dotted form is a
// 400: a 2.0 server reads a record parameter only as one value
// (docs/linkedin-api.md §3.2, §13.3).
func (c *call) timeRange() (start, end int64, hasStart, hasEnd, ok bool) {
	_, dottedStart := c.q.Params["timeRange.start"]
	_, dottedEnd := c.q.Params["timeRange.end"]
	if c.proto == restli.Protocol2 && (dottedStart || dottedEnd) {
		c.fail(http.StatusBadRequest, "Invalid parameter 'timeRange': under X-RestLi-Protocol-Version 2.0.0 it is one parameter, "+
			"timeRange=(start:..,end:..); timeRange.start and timeRange.end are the Rest.li 1.0 syntax")
		return 0, 0, false, false, false
	}
	if trs := c.q.RawParams["timeRange"]; len(trs) > 0 && trs[0] != "" {
		tr := trs[0]
		k, err := restli.DecodeKey(tr)
		if err != nil {
			c.fail(http.StatusBadRequest, "Invalid timeRange")
			return 0, 0, false, false, false
		}
		parse := func(n string) (int64, bool, bool) {
			v, present := k.Get(n)
			if !present {
				return 0, false, true
			}
			x, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				c.fail(http.StatusBadRequest, "Invalid timeRange."+n)
				return 0, false, false
			}
			return x, true, true
		}
		if start, hasStart, ok = parse("start"); !ok {
			return
		}
		end, hasEnd, ok = parse("end")
		return
	}
	if start, hasStart, ok = c.msParam("timeRange.start"); !ok {
		return
	}
	end, hasEnd, ok = c.msParam("timeRange.end")
	return
}

// handleConversationEvents serves M1: q=criteria&viewer=urn:li:seat:..&timeRange.start&timeRange.end.
func handleConversationEvents(c *call) {
	if !c.finderGET("criteria") {
		return
	}
	viewer, ok := c.required("viewer")
	if !ok {
		return
	}
	if !seatURN.MatchString(viewer) {
		c.fail(http.StatusBadRequest, "Invalid value for parameter 'viewer': "+strconv.Quote(viewer)+" is not a seat URN (urn:li:seat:{id})")
		return
	}
	from, to, hasFrom, hasTo, ok := c.timeRange()
	if !ok {
		return
	}
	if hasFrom && hasTo && to < from {
		c.fail(http.StatusBadRequest, "Invalid value for parameter 'timeRange': end precedes start")
		return
	}
	if hasFrom && hasTo && to-from > 12*3600*1000 {
		c.fail(http.StatusBadRequest, "timeRange must not be longer than 12 hours")
		return
	}
	start, count, ok := c.paging()
	if !ok {
		return
	}
	cu := c.cust
	cu.mu.Lock()
	if cu.seatByURN(viewer) == nil {
		cu.mu.Unlock()
		c.forbidden()
		return
	}
	var out []ConversationEvent
	for _, e := range cu.events {
		if e.Viewer == viewer && (!hasFrom || e.CreatedAt >= from) && (!hasTo || e.CreatedAt < to) {
			out = append(out, e)
		}
	}
	cu.mu.Unlock()
	page(c, out, start, count)
}

// handleMailStubs serves M2: q=contract&contract=&owners=&createdDateStart&createdDateEnd.
func handleMailStubs(c *call) {
	ks, start, count, ok := c.contractFinder("contract", "contract", false)
	if !ok {
		return
	}
	if w := c.s.limits.MailStubsWindow; w > 0 && start+count > w {
		c.fail(http.StatusBadRequest, "The search result window is too large: start + count must not exceed "+strconv.Itoa(w))
		return
	}
	created, ok := c.msRange("createdDateStart", "createdDateEnd", closedOpen)
	if !ok {
		return
	}
	owners, ok := c.listParam("owners")
	if !ok {
		return
	}
	var out []MailStub
	c.cust.mu.Lock()
	for _, m := range c.cust.stubs {
		if ownedBy(ks, owners, m.Contract, m.Owner) && created.contains(m.CreatedAt) {
			out = append(out, m)
		}
	}
	c.cust.mu.Unlock()
	page(c, out, start, count)
}

// handleProspectNotes serves M3: q=criteria&contract=&owners=&cutoffDate=&beforeDate=,
// the notes last modified in (cutoffDate, beforeDate], oldest first.
func handleProspectNotes(c *call) {
	ks, start, count, ok := c.contractFinder("criteria", "contract", false)
	if !ok {
		return
	}
	updated, ok := c.msRange("cutoffDate", "beforeDate", openClosed)
	if !ok {
		return
	}
	if updated.hasFrom && updated.hasTo && updated.to-updated.from > 12*3600*1000 {
		c.fail(http.StatusBadRequest, "the window between cutoffDate and beforeDate must not be longer than 12 hours")
		return
	}
	owners, ok := c.listParam("owners")
	if !ok {
		return
	}
	var out []ProspectNote
	c.cust.mu.Lock()
	for _, id := range c.cust.pnoteOrder {
		n := c.cust.pnotes[id]
		if ownedBy(ks, owners, n.Contract, n.Owner) && updated.contains(n.LastModified) {
			out = append(out, *n)
		}
	}
	c.cust.mu.Unlock()
	slices.SortStableFunc(out, func(a, b ProspectNote) int { return cmp.Compare(a.LastModified, b.LastModified) })
	page(c, out, start, count)
}

// handlePurgedExportedCandidates serves D1, LinkedIn's 1-Click Export
// deletion notices (docs/linkedin-api.md §8.7):
// q=criteria&timeRange.start=&timeRange.end=&exportType=ONE_CLICK_EXPORT
// (timeRange=(start:..,end:..) under Rest.li 2.0, as conversationEvents).
// The request names no customer: the child token does. It lists the
// caller's closed-profile entries whose closure lies in [start, end), in
// rscgo's element shape (docs/wire-model.md). Both bounds and the
// exportType are required: a client that leaves them out relies on
// behaviour LinkedIn does not publish.
func handlePurgedExportedCandidates(c *call) {
	if !c.finderGET("criteria") {
		return
	}
	exportType, ok := c.required("exportType")
	if !ok {
		return
	}
	if exportType != "ONE_CLICK_EXPORT" {
		c.fail(http.StatusBadRequest, "Invalid value for parameter 'exportType': "+strconv.Quote(exportType)+"; want ONE_CLICK_EXPORT")
		return
	}
	from, to, hasFrom, hasTo, ok := c.timeRange()
	if !ok {
		return
	}
	if !hasFrom || !hasTo {
		c.fail(http.StatusBadRequest, "Parameter 'timeRange' is required, with its start and end")
		return
	}
	if to < from {
		c.fail(http.StatusBadRequest, "Invalid value for parameter 'timeRange': end precedes start")
		return
	}
	start, count, ok := c.paging()
	if !ok {
		return
	}
	var out []ClosedProfile
	c.cust.mu.Lock()
	for _, p := range c.cust.closed {
		if p.ClosedAt >= from && p.ClosedAt < to {
			p.AtsCandidateIDs = slices.Clone(p.AtsCandidateIDs)
			out = append(out, p)
		}
	}
	c.cust.mu.Unlock()
	page(c, out, start, count)
}
