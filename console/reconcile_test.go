package console_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// post serves a POST of form to path as alice, from the console's page in
// her session.
func (f *fixture) post(t *testing.T, path string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	cookie, token := f.session(t)
	form.Set("csrf", token)
	req := httptest.NewRequest(http.MethodPost, "http://ops.example.com"+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer alice-token")
	req.Header.Set("Origin", "http://ops.example.com")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(cookie)
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

// The reconciliation button compares acme's records with the fake
// LinkedIn's, field by field, and the page then shows the result: the
// candidate LinkedIn holds is equal, the dead letter is not counted, and
// a candidate changed in the ATS since is stale.
func TestReconcile(t *testing.T) {
	f := newFixture(t)
	_, page := f.getOK(t, "/customer?id=acme")
	pageHas(t, page, `<p id="content-none">Not checked since the console started.</p>`)
	pageHas(t, page, `<button type="submit" id="reconcile">Check content now</button>`)

	rec := f.post(t, "/reconcile", url.Values{"customer": {"acme"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "customer?done=reconciled&id=acme" {
		t.Fatalf("status %d, Location %q\n%s", rec.Code, rec.Header().Get("Location"), rec.Body)
	}
	_, page = f.getOK(t, "/customer?id=acme&done=reconciled")
	pageHas(t, page, `<p class="notice" id="notice">Content reconciliation done.</p>`)
	pageHas(t, page, `<p id="content-summary">Checked `) // at the engine's clock
	pageHas(t, page, ` UTC: <span class="ok">LinkedIn holds what the ATS holds</span></p>`)
	pageHas(t, page, `<tr class="kind" data-kind="candidate"><td>candidate</td><td>1</td><td>1</td><td class="missing">0</td><td class="stale">0</td><td class="extra">0</td>`)

	// Ann's first name changes in the ATS; LinkedIn still has the old one.
	c := candidate(f.org, "C1", "ann@example.com", t0)
	c.Record.FirstName = "Anna"
	f.src.PutCandidates(c)
	if rec := f.post(t, "/reconcile", url.Values{"customer": {"acme"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("status %d\n%s", rec.Code, rec.Body)
	}
	_, page = f.getOK(t, "/customer?id=acme")
	pageHas(t, page, `<span class="err">LinkedIn differs from the ATS</span>`)
	pageHas(t, page, `<td>candidate</td><td>1</td><td>0</td><td class="missing">0</td><td class="stale">1</td><td class="extra">0</td>
<td>stale: `)
	pageHas(t, page, `stale: candidate//C1 (atsCreatedAt, atsLastModifiedAt, firstName)<br>`)
}

// A customer the console does not list cannot be reconciled, and without
// WithReconcile there is neither a button nor a result.
func TestReconcileRefused(t *testing.T) {
	f := newFixture(t)
	if rec := f.post(t, "/reconcile", url.Values{"customer": {"nobody"}}); rec.Code != http.StatusNotFound {
		t.Errorf("reconciling an unknown customer: status %d", rec.Code)
	}
	_, page := f.getOK(t, "/customer?id=beta")
	pageHas(t, page, `<p id="content-none">`)
}
