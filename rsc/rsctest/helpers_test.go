package rsctest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rscgo/rscgo/internal/restli"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

var t0 = time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)

const org = "urn:li:organization:1000"
const contract = "urn:li:contract:5000"

type env struct {
	t     *testing.T
	srv   *rsctest.Server
	cust  *rsctest.Customer
	clock *rsctest.FakeClock
	hc    *http.Client
	tok   string // customer token
}

// newEnv starts a server (in-process transport) with one customer and its token.
func newEnv(t *testing.T, opts ...rsctest.Option) *env {
	t.Helper()
	clock := rsctest.NewFakeClock(t0)
	opts = append([]rsctest.Option{rsctest.WithClock(clock), rsctest.WithoutListener()}, opts...)
	srv := rsctest.NewServer(opts...)
	t.Cleanup(srv.Close)
	cust := srv.AddCustomer(rsctest.CustomerSpec{ClientID: "cid", ClientSecret: "csecret", Organization: org, Contracts: []string{contract}, UniqueForeignID: "acme"})
	e := &env{t: t, srv: srv, cust: cust, clock: clock, hc: srv.Client()}
	e.tok = e.token("cid", "csecret")
	return e
}

func (e *env) token(id, secret string) string {
	e.t.Helper()
	resp, err := e.hc.PostForm(e.srv.TokenURL(), url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}})
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		e.t.Fatalf("token: %d %s", resp.StatusCode, b)
	}
	_ = json.NewDecoder(resp.Body).Decode(&tr)
	return tr.AccessToken
}

func (e *env) partnerToken() string {
	id, secret := e.srv.PartnerCredentials()
	return e.token(id, secret)
}

type resp struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// req sends a request with the customer token. pathQuery is appended to URL()
// verbatim (no re-escaping). hdr is "Name: value" pairs.
func (e *env) req(method, pathQuery string, body any, hdr ...string) resp {
	return e.reqTok(e.tok, method, pathQuery, body, hdr...)
}

func (e *env) reqTok(tok, method, pathQuery string, body any, hdr ...string) resp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	r, err := http.NewRequest(method, e.srv.URL()+pathQuery, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if tok != "" {
		r.Header.Set("Authorization", "Bearer "+tok)
	}
	if rd != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	for _, h := range hdr {
		if h == "" {
			continue
		}
		k, v, _ := strings.Cut(h, ":")
		r.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	hr, err := e.hc.Do(r)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, pathQuery, err)
	}
	defer hr.Body.Close()
	raw, _ := io.ReadAll(hr.Body)
	out := resp{status: hr.StatusCode, header: hr.Header, raw: raw}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &out.body)
	}
	return out
}

func (r resp) want(t *testing.T, status int) resp {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.raw)
	}
	return r
}

// wantFieldError fails unless the batch response refused key with a 422
// naming field (a JSON pointer such as "/firstName").
func (r resp) wantFieldError(t *testing.T, key, field string) {
	t.Helper()
	msg, _ := r.get("errors", key, "message").(string)
	if r.get("errors", key, "status") != float64(422) || !strings.HasPrefix(msg, "ERROR :: "+field+" :: ") {
		t.Fatalf("errors: %s", r.raw)
	}
}

// invalidDoc is an entity that one field makes invalid, and that field.
type invalidDoc struct {
	doc   map[string]any
	field string
}

// edited returns m after f changed it.
func edited(m map[string]any, f func(m map[string]any)) map[string]any {
	f(m)
	return m
}

// path walks a decoded JSON body: r.get("results", "K", "status"). A
// compound key K matches the map key that names the same key as a Rest.li
// server spells it (fields sorted, values form-encoded), as clients match it.
func (r resp) get(keys ...string) any {
	var cur any = r.body
	for _, k := range keys {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		v, ok := m[k]
		if !ok {
			v = sameKey(m, k)
		}
		cur = v
	}
	return cur
}

// sameKey returns the value of m under the map key naming the same compound
// key as k (both read as protocol 1.0 keys), or nil.
func sameKey(m map[string]any, k string) any {
	want, err := restli.ParseServerKey(restli.Protocol1, strings.ReplaceAll(k, "+", "%2B"))
	if err != nil {
		return nil
	}
	for mk, v := range m {
		if got, err := restli.ParseServerKey(restli.Protocol1, mk); err == nil && got.Equal(want) {
			return v
		}
	}
	return nil
}

func candidate(first string, emails ...string) map[string]any {
	if emails == nil {
		emails = []string{strings.ToLower(first) + "@example.com"}
	}
	return map[string]any{
		"addresses":          []any{map[string]any{"line1": "31 Spooner St", "city": "Quahog", "geographicArea": "RI", "geographicAreaType": "STATE", "postalCode": "02802", "country": "us"}},
		"atsCreatedAt":       1700000000000,
		"atsLastModifiedAt":  1700000000000,
		"emailAddresses":     emails,
		"externalProfileUrl": "https://ats.example.com/c/" + first,
		"firstName":          first,
		"lastName":           "Doe",
		"phoneNumbers":       []any{map[string]any{"number": "555-555-5555", "extension": "1234"}},
	}
}

// candidateBatch returns n candidate ids, fmt.Sprintf(idFormat, i), and
// the entities of a batch_update body for them, each doc(i, id).
func candidateBatch(n int, idFormat string, doc func(i int, id string) map[string]any) ([]string, map[string]any) {
	ids := make([]string, n)
	ents := make(map[string]any, n)
	for i := range n {
		ids[i] = fmt.Sprintf(idFormat, i)
		ents[candKey(ids[i])] = doc(i, ids[i])
	}
	return ids, ents
}

func candKey(id string) string {
	return "atsCandidateId=" + id + "&dataProvider=ATS&integrationContext=" + org
}

// putApplication upserts application id through v2 batch_update.
func (e *env) putApplication(t *testing.T, id string) {
	t.Helper()
	key := "atsJobApplicationId=" + id + "&dataProvider=ATS&integrationContext=" + org
	doc := map[string]any{"atsCandidateId": "C1", "atsCreatedAt": 1700000000000, "atsLastModifiedAt": 1700000000000, "atsJobPostingId": "JOBP123",
		"atsJobPostingName": "Engineer", "candidateEmail": "ann@example.com", "firstName": "Ann", "lastName": "Lee"}
	r := e.req("PUT", "/v2/atsApplications?ids[0].atsJobApplicationId="+id+"&ids[0].dataProvider=ATS&ids[0].integrationContext="+org,
		map[string]any{"entities": map[string]any{key: doc}}, "X-RestLi-Method: batch_update").want(t, 200)
	if errs, _ := r.body["errors"].(map[string]any); len(errs) != 0 {
		t.Fatalf("application %s refused: %s", id, r.raw)
	}
}

// putCandidates upserts candidates C{id} through v2 batch_update.
func (e *env) putCandidates(ents map[string]map[string]any) resp {
	e.t.Helper()
	var ids []string
	body := map[string]any{}
	for id, c := range ents {
		ids = append(ids, id)
		body[candKey(id)] = c
	}
	return e.req("PUT", "/v2/atsCandidates?"+candIDsN(ids), map[string]any{"entities": body}, "X-RestLi-Method: batch_update")
}

func candIDsN(ids []string) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte('&')
		}
		n := strconvI(i)
		b.WriteString("ids[" + n + "].atsCandidateId=" + id + "&ids[" + n + "].dataProvider=ATS&ids[" + n + "].integrationContext=" + org)
	}
	return b.String()
}

func strconvI(i int) string {
	if i == 0 {
		return "0"
	}
	var d []byte
	for i > 0 {
		d = append([]byte{byte('0' + i%10)}, d...)
		i /= 10
	}
	return string(d)
}

func description() string { return strings.Repeat("A great job with great people. ", 5) }

func jobElem(id, op string) map[string]any {
	return map[string]any{
		"integrationContext": org, "companyApplyUrl": "https://ats.example.com/apply/" + id, "externalJobPostingId": id,
		"jobPostingOperationType": op, "title": "Engineer " + id, "description": description(), "listedAt": t0.Add(-time.Hour).UnixMilli(),
		"location": "Providence, RI, US", "posterEmail": "recruiter@example.com", "availability": "PRIVATE_TO_ATS_INTEGRATION", "workplaceTypes": []string{"remote"},
		"employmentStatus": "FULL_TIME", "experienceLevel": "MID_SENIOR_LEVEL",
	}
}

func (e *env) postJobs(elems ...map[string]any) resp {
	e.t.Helper()
	return e.req("POST", "/v2/simpleJobPostings", map[string]any{"elements": elems}, "X-RestLi-Method: batch_create")
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// seat adds a member with spec and gives them a seat of the customer.
func (e *env) seat(spec rsctest.MemberSpec) (rsctest.Member, rsctest.Seat) {
	e.t.Helper()
	m := e.srv.AddMember(spec)
	seat, err := e.cust.AddSeat(rsctest.SeatSpec{Member: m.Person})
	if err != nil {
		e.t.Fatal(err)
	}
	return m, seat
}
