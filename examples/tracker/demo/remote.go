package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// remoteFake drives a running rsctest server (go run ./rsc/rsctest/cmd/rscfake)
// through its /_rsctest/ admin endpoints, which need no token.
type remoteFake struct {
	base string
	hc   *http.Client
}

func (f *remoteFake) call(ctx context.Context, method, path string, q url.Values, in, out any) error {
	u := f.base + "/_rsctest/" + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := f.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return err
	}
	switch {
	case resp.StatusCode == http.StatusNotFound && !bytes.Contains(b, []byte("message")):
		return errNoAdmin
	case resp.StatusCode/100 != 2:
		return fmt.Errorf("demo: %s /_rsctest/%s: %s: %s", method, path, resp.Status, bytes.TrimSpace(b))
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}

func (f *remoteFake) state(ctx context.Context, clientID string) (rsctest.CustomerState, error) {
	var st rsctest.CustomerState
	err := f.call(ctx, http.MethodGet, "customers/"+url.PathEscape(clientID), nil, nil, &st)
	return st, err
}

func (f *remoteFake) customer(ctx context.Context, clientID string) (string, []string, error) {
	st, err := f.state(ctx, clientID)
	return st.Organization, st.Contracts, err
}

func (f *remoteFake) requestIntegrations(ctx context.Context, clientID string) error {
	return f.call(ctx, http.MethodPost, "customers/"+url.PathEscape(clientID)+"/request", nil, nil, nil)
}

func (f *remoteFake) setAccess(ctx context.Context, clientID string, company, contract bool) error {
	q := url.Values{"company": {strconv.FormatBool(company)}, "contract": {strconv.FormatBool(contract)}}
	return f.call(ctx, http.MethodPost, "customers/"+url.PathEscape(clientID)+"/enable", q, nil, nil)
}

func (f *remoteFake) setProductSettings(ctx context.Context, clientID string, ps rsc.ProductSettings) error {
	return f.call(ctx, http.MethodPost, "customers/"+url.PathEscape(clientID)+"/settings", nil, ps, nil)
}

func (f *remoteFake) addMember(ctx context.Context, spec rsctest.MemberSpec) (rsctest.Member, error) {
	var m rsctest.Member
	err := f.call(ctx, http.MethodPost, "members", nil, spec, &m)
	return m, err
}

func (f *remoteFake) addSeat(ctx context.Context, clientID, member string) (rsctest.Seat, error) {
	var s rsctest.Seat
	err := f.call(ctx, http.MethodPost, "customers/"+url.PathEscape(clientID)+"/seats", url.Values{"member": {member}}, nil, &s)
	return s, err
}

func (f *remoteFake) export(ctx context.Context, clientID, seat, member, job string) (string, error) {
	var out struct{ RequestID string }
	err := f.call(ctx, http.MethodPost, "customers/"+url.PathEscape(clientID)+"/export",
		url.Values{"seat": {seat}, "member": {member}, "job": {job}}, nil, &out)
	return out.RequestID, err
}

func (f *remoteFake) sendInMail(ctx context.Context, clientID, seat, member, subject, body string) (string, error) {
	var out struct{ Conversation string }
	err := f.call(ctx, http.MethodPost, "customers/"+url.PathEscape(clientID)+"/inmail",
		url.Values{"seat": {seat}, "member": {member}, "subject": {subject}, "body": {body}}, nil, &out)
	return out.Conversation, err
}

func (f *remoteFake) replyInMail(ctx context.Context, clientID, conversation, body string, share bool) error {
	return f.call(ctx, http.MethodPost, "customers/"+url.PathEscape(clientID)+"/reply",
		url.Values{"conversation": {conversation}, "body": {body}, "share": {strconv.FormatBool(share)}}, nil, nil)
}

func (f *remoteFake) closeMemberAccount(ctx context.Context, person string) error {
	return f.call(ctx, http.MethodPost, "members/"+url.PathEscape(strings.TrimPrefix(person, "urn:li:person:"))+"/close", nil, nil, nil)
}

func (f *remoteFake) holds(ctx context.Context, clientID string) (counts, error) {
	st, err := f.state(ctx, clientID)
	if err != nil {
		return counts{}, err
	}
	return countState(st), nil
}
