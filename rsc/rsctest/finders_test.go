package rsctest_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/rsc/rsctest"
)

// A finder's parameters follow X-RestLi-Protocol-Version, as a Rest.li
// server reads them (docs/linkedin-api.md §3.2, §13.3): under 2.0 a list is
// one List(...) parameter and the InMail time range one record, so the 1.0
// forms (repeated parameters, timeRange.start/.end) are a 400 naming the
// parameter, and a one-value parameter is refused as a list. Under 1.0 (no
// header) the Postman collection's forms, and the fake's lenient List(...)
// and (start:..,end:..), are still accepted. A raw ':' in a 2.0 scalar is
// accepted (§15).
func TestFinderSyntaxFollowsProtocol(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, seat := e.seat(rsctest.MemberSpec{FirstName: "R"})
	const v2 = "X-RestLi-Protocol-Version: 2.0.0"
	ct := url.QueryEscape(contract)
	st := url.QueryEscape(seat.URN)
	const (
		listMsg = "Invalid value for parameter '%s': under X-RestLi-Protocol-Version 2.0.0 a list is one parameter, %s=List(...); " +
			"repeated or bare %s= parameters are the Rest.li 1.0 syntax"
		rangeMsg = "Invalid parameter 'timeRange': under X-RestLi-Protocol-Version 2.0.0 it is one parameter, timeRange=(start:..,end:..); " +
			"timeRange.start and timeRange.end are the Rest.li 1.0 syntax"
	)
	listErr := func(name string) string { return fmt.Sprintf(listMsg, name, name, name) }
	for _, tc := range []struct {
		name, path, hdr string
		status          int
		msg             string // the 400's message
	}{
		{"2.0 seatsV2 List", "/rest/seatsV2?q=attributes&contracts=List(" + ct + ")&states=List(ACTIVE)&start=0", v2, 200, ""},
		{"2.0 seatsV2 repeated contracts", "/rest/seatsV2?q=attributes&contracts=" + ct + "&contracts=" + ct + "&start=0", v2, 400, listErr("contracts")},
		{"2.0 seatsV2 bare contract", "/rest/seatsV2?q=attributes&contracts=" + ct + "&start=0", v2, 400, listErr("contracts")},
		{"2.0 seatsV2 bare state", "/rest/seatsV2?q=attributes&contracts=List(" + ct + ")&states=ACTIVE&start=0", v2, 400, listErr("states")},
		{"2.0 seatsV2 malformed List", "/rest/seatsV2?q=attributes&contracts=List(" + ct + "&start=0", v2, 400,
			"Invalid value for parameter 'contracts': malformed List(...)"},
		{"1.0 seatsV2 repeated", "/v2/seatsV2?q=attributes&contracts=" + contract + "&states=ACTIVE&states=INACTIVE&start=0", "", 200, ""},
		{"1.0 seatsV2 List", "/v2/seatsV2?q=attributes&contracts=List(" + contract + ")&start=0", "", 200, ""},
		{"1.0 seatsV2 every state", "/v2/seatsV2?q=attributes&contracts=" + ct + "&states=ACTIVE&states=INACTIVE&states=INVITED&states=PARKED&start=0", "", 200, ""},
		{"1.0 seatsV2 unknown state", "/v2/seatsV2?q=attributes&contracts=" + ct + "&states=ACTIVE&states=RETIRED&start=0", "", 400,
			`Invalid value for parameter 'states': "RETIRED" is not an enum symbol (ACTIVE, INACTIVE, INVITED, PARKED)`},
		{"2.0 seatsV2 unknown state", "/rest/seatsV2?q=attributes&contracts=List(" + ct + ")&states=List(active)&start=0", v2, 400,
			`Invalid value for parameter 'states': "active" is not an enum symbol (ACTIVE, INACTIVE, INVITED, PARKED)`},

		{"2.0 events record", "/rest/conversationEvents?q=criteria&viewer=" + st + "&timeRange=(start:0,end:1000)", v2, 200, ""},
		{"2.0 events raw colons", "/rest/conversationEvents?q=criteria&viewer=" + seat.URN + "&timeRange=(start:0,end:1000)", v2, 200, ""},
		{"2.0 events dotted", "/rest/conversationEvents?q=criteria&viewer=" + st + "&timeRange.start=0&timeRange.end=1000", v2, 400, rangeMsg},
		{"2.0 events dotted end", "/rest/conversationEvents?q=criteria&viewer=" + st + "&timeRange.end=1000", v2, 400, rangeMsg},
		{"1.0 events dotted", "/v2/conversationEvents?q=criteria&viewer=" + seat.URN + "&timeRange.start=0&timeRange.end=1000", "", 200, ""},
		{"1.0 events record", "/v2/conversationEvents?q=criteria&viewer=" + seat.URN + "&timeRange=(start:0,end:1000)", "", 200, ""},

		{"2.0 mailStubs", "/rest/mailStubs?q=contract&contract=" + ct + "&owners=List(" + st + ")", v2, 200, ""},
		{"2.0 mailStubs repeated owners", "/rest/mailStubs?q=contract&contract=" + ct + "&owners=" + st + "&owners=" + st, v2, 400, listErr("owners")},
		{"2.0 mailStubs contract as List", "/rest/mailStubs?q=contract&contract=List(" + ct + ")", v2, 400,
			"Invalid value for parameter 'contract': it takes one value, not a list"},
		{"1.0 mailStubs repeated owners", "/v2/mailStubs?q=contract&contract=" + contract + "&owners=" + seat.URN + "&owners=" + seat.URN, "", 200, ""},
		{"2.0 prospectNotes", "/rest/prospectNotes?q=criteria&contract=" + ct + "&owners=List(" + st + ")", v2, 200, ""},
		{"2.0 prospectNotes repeated contract", "/rest/prospectNotes?q=criteria&contract=" + ct + "&contract=" + ct, v2, 400,
			"Invalid value for parameter 'contract': it takes one value, not a list"},
		{"1.0 prospectNotes repeated owners", "/v2/prospectNotes?q=criteria&contract=" + contract + "&owners=" + seat.URN + "&owners=" + seat.URN, "", 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.req("GET", tc.path, nil, tc.hdr, "LinkedIn-Version: 202604").want(t, tc.status)
			if tc.status != 400 {
				return
			}
			if d := cmp.Diff(map[string]any{"message": tc.msg, "serviceErrorCode": float64(400), "status": float64(400)}, r.body); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// A fields= projection applies to each element of a finder's page, as
// Rest.li applies it (LinkedIn's Postman request for seat holders asks for
// fields=id): only the fields named come back, nested ones by their
// top-level name.
func TestFinderProjection(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := e.srv.AddMember(rsctest.MemberSpec{FirstName: "R", Email: "r@example.com"})
	if _, err := e.cust.AddSeat(rsctest.SeatSpec{Member: m.Person}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ fields, want string }{
		{"id", `["id"]`},
		{"id,member", `["id","member"]`},
		{"member,created:(time)", `["created","member"]`},
	} {
		r := e.req("GET", "/v2/seatsV2?q=attributes&contracts="+url.QueryEscape(contract)+"&start=0&fields="+url.QueryEscape(tc.fields), nil).want(t, 200)
		els := r.body["elements"].([]any)
		var got []string
		for n := range els[0].(map[string]any) {
			got = append(got, n)
		}
		slices.Sort(got)
		js, _ := json.Marshal(got)
		if string(js) != tc.want {
			t.Errorf("fields=%s: element fields %s, want %s", tc.fields, js, tc.want)
		}
	}
}

// A finder's start and count must be whole numbers not below 0: anything
// else is a 400 naming the parameter.
func TestFinderPagingParams(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ct := url.QueryEscape(contract)
	for _, tc := range []struct {
		query, msg string
	}{
		{"&start=-1", "Invalid start parameter"},
		{"&start=x", "Invalid start parameter"},
		{"&start=0&count=-1", "Invalid count parameter"},
		{"&start=x&count=x", "Invalid start parameter"},
		{"&start=2&count=x", "Invalid count parameter"},
	} {
		r := e.req("GET", "/v2/seatsV2?q=attributes&contracts="+ct+tc.query, nil).want(t, 400)
		if got := r.body["message"]; got != tc.msg {
			t.Errorf("%s: message %q, want %q", tc.query, got, tc.msg)
		}
	}
	e.req("GET", "/v2/seatsV2?q=attributes&contracts="+ct+"&start=1&count=0", nil).want(t, 200)
}

// An HTTP method a resource does not serve is a 405 naming the method and
// the resource as the request spelt it.
func TestMethodNotAllowed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tc := range []struct{ method, path, msg string }{
		{"PATCH", "/v2/atsCandidates", "PATCH is not supported on /atsCandidates"},
		{"PATCH", "/v2/atsIntegrations", "PATCH is not supported on /atsIntegrations"},
		{"GET", "/v2/simpleJobPostings", "GET is not supported on /simpleJobPostings"},
		{"POST", "/v2/simpleJobPostingTasks", "POST is not supported on /simpleJobPostingTasks"},
		{"POST", "/v2/mailStubs?q=contract", "POST is not supported on /mailStubs"},
	} {
		r := e.req(tc.method, tc.path, nil).want(t, 405)
		if got := r.body["message"]; got != tc.msg {
			t.Errorf("%s %s: message %q, want %q", tc.method, tc.path, got, tc.msg)
		}
	}
}
