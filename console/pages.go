package console

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"time"
)

// pageData is what a page template renders.
type pageData struct {
	Title     string
	Operator  string
	Now       string
	Refresh   int // seconds; 0 = no reload
	CSRF      string
	CanRetry  bool
	CanCheck  bool           // content reconciliation is configured
	HasFlows  bool           // onboarding states are configured (WithOnboarding)
	HasEvents bool           // milestones are configured (WithMilestones)
	Fleet     *fleetSummary  // the fleet's processes and jobs, nil without WithFleet
	Customers []customerView // the overview
	Customer  *customerView  // a customer's page
	Notice    string         // a result shown at the top
	Error     string         // an action's failure
}

func (h *Handler) page(w http.ResponseWriter, r *http.Request, title string) pageData {
	p := pageData{Title: title, Operator: operator(r), Now: stamp(h.cfg.clock.Now()),
		CanRetry: h.cfg.retry != nil && h.cfg.dead != nil, CanCheck: h.cfg.reconcile != nil,
		HasFlows: h.cfg.flows != nil, HasEvents: h.cfg.events != nil}
	p.CSRF = h.token(p.Operator, session(w, r))
	if r.Method == http.MethodGet {
		p.Refresh = int(h.cfg.refresh / time.Second)
	}
	return p
}

func render(w http.ResponseWriter, status int, p pageData) {
	var b bytes.Buffer
	if err := pages.Execute(&b, p); err != nil {
		http.Error(w, "console: rendering the page failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func (h *Handler) overview(w http.ResponseWriter, r *http.Request) {
	p := h.page(w, r, "Customers")
	ids, err := h.cfg.customers(r.Context())
	if err != nil {
		p.Error = "listing the customers failed: " + err.Error()
		render(w, http.StatusInternalServerError, p)
		return
	}
	fleet, sum := h.loadFleet(r.Context(), ids)
	p.Fleet = sum
	for _, id := range ids {
		v := h.load(r.Context(), id, false)
		v.fleet(fleet, sum != nil)
		p.Customers = append(p.Customers, v)
	}
	render(w, http.StatusOK, p)
}

func (h *Handler) customer(w http.ResponseWriter, r *http.Request) {
	h.showCustomer(w, r, r.URL.Query().Get("id"), http.StatusOK, "")
}

// showCustomer renders a customer's page, with errMsg when an action
// failed.
func (h *Handler) showCustomer(w http.ResponseWriter, r *http.Request, id string, status int, errMsg string) {
	p := h.page(w, r, "Customer "+id)
	known, err := h.known(r.Context(), id)
	switch {
	case err != nil:
		p.Error = "listing the customers failed: " + err.Error()
		render(w, http.StatusInternalServerError, p)
		return
	case !known:
		p.Error = "no customer " + id
		render(w, http.StatusNotFound, p)
		return
	}
	v := h.load(r.Context(), id, true)
	fleet, sum := h.loadFleet(r.Context(), []string{id})
	v.fleet(fleet, sum != nil)
	if sum != nil && sum.Error != "" {
		v.Errors = append(v.Errors, sum.Error)
	}
	v.Content = newContentView(h.recon.get(id))
	p.Customer, p.Error = &v, errMsg
	if r.Method == http.MethodGet {
		p.Notice = notices[r.URL.Query().Get("done")]
	}
	render(w, status, p)
}

// notices are the notices shown after an action (the done parameter of
// the page the action redirects to).
var notices = map[string]string{"retried": "Retry done.", "reconciled": "Content reconciliation done."}

// retryPost retries dead letters: the key values of the URL and of the
// form, or every dead letter of the customer when they have none.
func (h *Handler) retryPost(w http.ResponseWriter, r *http.Request) {
	id, ok := h.action(w, r, h.cfg.retry != nil && h.cfg.dead != nil, "retrying is not configured")
	if !ok {
		return
	}
	keys := append(r.URL.Query()["key"], r.PostForm["key"]...)
	if len(keys) == 0 {
		for d, err := range h.cfg.dead.List(r.Context(), id) {
			if err != nil {
				h.showCustomer(w, r, id, http.StatusInternalServerError, "listing the dead letters failed: "+err.Error())
				return
			}
			keys = append(keys, d.Key())
		}
	}
	if err := h.cfg.retry(r.Context(), id, keys); err != nil {
		h.showCustomer(w, r, id, http.StatusInternalServerError, "the retry failed: "+err.Error())
		return
	}
	done(w, id, "retried")
}

// action checks an action's POST and returns the customer it is for; when
// the POST is refused, the action is not configured or the customer is not
// one the console lists, it answers and returns false.
func (h *Handler) action(w http.ResponseWriter, r *http.Request, configured bool, notConfigured string) (string, bool) {
	if status, why := parseForm(r); status != 0 {
		http.Error(w, "console: "+why, status)
		return "", false
	}
	if why := h.checkPost(r); why != "" {
		http.Error(w, "console: refused: "+why, http.StatusForbidden)
		return "", false
	}
	id, why := postCustomer(r)
	if why != "" {
		http.Error(w, "console: "+why, http.StatusBadRequest)
		return "", false
	}
	if !configured {
		h.showCustomer(w, r, id, http.StatusNotFound, notConfigured)
		return "", false
	}
	known, err := h.known(r.Context(), id)
	if err != nil || !known {
		h.showCustomer(w, r, id, http.StatusNotFound, "")
		return "", false
	}
	return id, true
}

// parseForm parses an action's URL query and form, the body bounded by
// ServeHTTP (maxFormBytes). It returns 0, or the status and why of the
// refusal: 413 for a body over the bound, 400 for a form that does not
// parse. It must come before anything reads the form: r.PostFormValue
// ignores the errors, so that a form cut short or dropped would be taken
// for one without these fields (a retry without keys retries every dead
// letter).
func parseForm(r *http.Request) (int, string) {
	err := r.ParseForm()
	if err == nil {
		if err = r.ParseMultipartForm(maxFormBytes); errors.Is(err, http.ErrNotMultipart) {
			err = nil
		}
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return http.StatusRequestEntityTooLarge, "the form is over 1 MiB"
	case err != nil:
		return http.StatusBadRequest, "malformed form: " + err.Error()
	}
	return 0, ""
}

// postCustomer returns the customer an action's POST is for: the
// "customer" parameter of its URL, where the console's forms put it, else
// the form's "customer" field (which rscctl and scripts post). The forms
// carry the id, and a dead letter's key, in their URL, query-escaped,
// because a form field cannot carry every id: html/template writes NUL as
// U+FFFD, and a browser reads bytes that are not UTF-8 as U+FFFD, so the
// POST would name another customer. why says what is wrong when the URL
// and the form name different customers.
func postCustomer(r *http.Request) (id, why string) {
	id = r.PostFormValue("customer")
	if q, ok := r.URL.Query()["customer"]; ok {
		if _, inForm := r.PostForm["customer"]; inForm && id != q[0] {
			return "", "the URL and the form name different customers"
		}
		id = q[0]
	}
	return id, ""
}

// done sends the browser to the customer's page, which notes what was done
// (a key of notices). The Location is relative, so that the console works
// under any prefix.
func done(w http.ResponseWriter, id, what string) {
	w.Header().Set("Location", "customer?"+url.Values{"id": {id}, "done": {what}}.Encode())
	w.WriteHeader(http.StatusSeeOther)
}

var pages = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
{{if .Refresh}}<meta http-equiv="refresh" content="{{.Refresh}}">{{end}}
<title>{{.Title}} · rscgo console</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
th{background:#f3f3f3}.err{color:#a00}.ok{color:#070}.notice{background:#eef7ee;padding:.4em}
form{margin:0}
</style></head><body>
<header><a href="./">All customers</a> · operator <span id="operator">{{.Operator}}</span> · updated <span id="updated">{{.Now}}</span></header>
<h1>{{.Title}}</h1>
{{with .Notice}}<p class="notice" id="notice">{{.}}</p>{{end}}
{{with .Error}}<p class="err" id="error">{{.}}</p>{{end}}
{{if .Customer}}{{template "customer" .}}{{else}}{{template "overview" .}}{{end}}
</body></html>
{{define "overview"}}
{{with .Fleet}}<h2>Fleet</h2>
{{with .Error}}<p class="err" id="fleet-error">{{.}}</p>{{end}}
<p id="fleet-jobs">Jobs waiting: <span id="jobs-waiting">{{.Waiting}}</span> · running: <span id="jobs-running">{{.Running}}</span></p>
<table id="holders"><tr><th>Process</th><th>Leases held</th><th>Customers</th></tr>
{{range .Holders}}<tr class="holder" data-holder="{{.Holder}}"><td>{{.Holder}}</td><td class="held">{{len .Customers}}</td><td>{{range $i, $c := .Customers}}{{if $i}}, {{end}}{{$c}}{{end}}</td></tr>
{{else}}<tr><td colspan="3">No process holds a lease now.</td></tr>{{end}}</table>{{end}}
<table id="customers"><tr><th>Customer</th>{{if .HasFlows}}<th>Onboarding step</th><th>Integration status</th>{{end}}{{if .HasEvents}}<th>Milestones</th>{{end}}<th>Progress</th><th>Dead letters</th>{{if .Fleet}}<th>Lease</th><th>Jobs</th>{{end}}</tr>
{{range .Customers}}<tr class="customer" data-id="{{.ID}}">
<td><a href="customer?id={{.ID}}">{{.ID}}</a>{{with .Name}}<br>{{.}}{{end}}</td>{{if $.HasFlows}}
<td class="step">{{.Step}}</td><td class="status">{{.Status}}</td>{{end}}{{if $.HasEvents}}
<td class="milestones">{{.Reached}} of {{len .Milestones}}</td>{{end}}
<td class="progress">{{range .Phases}}{{.Name}}: {{.Done}}/{{.Total}}{{if .Completed}} ✓{{end}}<br>{{end}}</td>
<td class="dead">{{.DeadTotal}}{{with .Resyncs}} (and {{.}} resync requests){{end}}{{range .Errors}}<br><span class="err">{{.}}</span>{{end}}</td>
{{with .Fleet}}<td class="lease">{{.Lease}}</td><td class="jobs">{{.Running}} running, {{.Waiting}} waiting{{with .Next}}<br>next {{.}}{{end}}</td>{{end}}
</tr>{{else}}<tr><td colspan="6">No customers.</td></tr>{{end}}
</table>
{{end}}
{{define "customer"}}{{$p := .}}{{with .Customer}}
{{range .Errors}}<p class="err">{{.}}</p>{{end}}
{{if .Step}}<h2>Onboarding</h2>
<p>Step: <span id="step">{{.Step}}</span>{{with .Name}} · {{.}}{{end}}</p>
<p>Integration status: <span id="status">{{.Status}}</span></p>
{{if .Contracts}}<table id="contracts"><tr><th>Contract</th><th>State</th><th>Status</th></tr>
{{range .Contracts}}<tr><td>{{.Label}}</td><td>{{.State}}</td><td>{{.Status}}</td></tr>{{end}}</table>{{end}}{{end}}
{{if .Milestones}}<h2>Milestones</h2>
<ul id="milestones">{{range .Milestones}}<li>{{if .Reached}}<span class="ok">✓</span> {{.Label}} ({{.At}}){{else}}{{.Label}}: not reached{{end}}</li>{{end}}</ul>{{end}}
{{if .Phases}}<h2>Progress</h2>
<table id="phases"><tr><th>Phase</th><th>Done</th><th>Total</th><th>Incremental</th><th>Dead letters</th><th>Ineligible</th><th>Completed</th><th>Rate</th></tr>
{{range .Phases}}<tr><td>{{.Name}}</td><td>{{.Done}}</td><td>{{.Total}}</td><td>{{.Incremental}}</td><td>{{.DeadLettered}}</td><td>{{.Ineligible}}</td><td>{{if .Completed}}yes{{else}}no{{end}}</td><td>{{.Rate}}</td></tr>{{end}}
</table>{{end}}
{{with .Fleet}}<h2>Fleet</h2>
<p>Lease: <span id="lease">{{.Lease}}</span> · jobs: <span id="jobs">{{.Running}} running, {{.Waiting}} waiting</span>{{with .Next}} · next {{.}}{{end}}</p>{{end}}
{{if or .Content $p.CanCheck}}<h2>Content reconciliation</h2>
{{with .Content}}<p id="content-summary">Checked {{.CheckedAt}}: {{if .Differs}}<span class="err">LinkedIn differs from the ATS</span>{{else}}<span class="ok">LinkedIn holds what the ATS holds</span>{{end}}</p>
<table id="content"><tr><th>Kind</th><th>Checked</th><th>Equal</th><th>Missing</th><th>Stale</th><th>Extra</th><th>Records</th></tr>
{{range .Kinds}}<tr class="kind" data-kind="{{.Kind}}"><td>{{.Kind}}</td>{{if .Unchecked}}<td colspan="6">not checked: {{.Unchecked}}</td>{{else}}<td>{{.Checked}}</td><td>{{.Equal}}</td><td class="missing">{{.Missing}}</td><td class="stale">{{.Stale}}</td><td class="extra">{{.Extra}}</td>
<td>{{with .MissingKeys}}missing: {{.}}<br>{{end}}{{with .StaleKeys}}stale: {{.}}<br>{{end}}{{with .ExtraKeys}}extra: {{.}}{{end}}</td>{{end}}</tr>
{{end}}</table>{{else}}<p id="content-none">Not checked since the console started.</p>{{end}}
{{if $p.CanCheck}}<form method="post" action="reconcile?customer={{.ID}}"><input type="hidden" name="csrf" value="{{$p.CSRF}}"><button type="submit" id="reconcile">Check content now</button></form>{{end}}{{end}}
<h2>Dead letters ({{.DeadTotal}}{{with .Resyncs}}, and {{.}} resync requests queued{{end}})</h2>
{{if .Dead}}{{if $p.CanRetry}}<form method="post" action="retry?customer={{.ID}}"><input type="hidden" name="csrf" value="{{$p.CSRF}}"><button type="submit" id="retry-all">Retry all</button></form>{{end}}
<table id="dead"><tr><th>Record</th><th>Reason</th><th>Field</th><th>Status</th><th>Attempts</th><th>Last failed</th>{{if $p.CanRetry}}<th></th>{{end}}</tr>
{{range .Dead}}<tr class="deadletter" data-key="{{.Key}}"><td>{{.Kind}} {{.ID}}{{with .Parent}} (of {{.}}){{end}}</td><td class="reason">{{.Reason}}</td><td>{{.Field}}</td><td>{{if .Status}}{{.Status}}{{end}}</td><td>{{.Attempts}}</td><td>{{.LastFailedAt}}</td>
{{if $p.CanRetry}}<td><form method="post" action="retry?customer={{$.Customer.ID}}&amp;key={{.Key}}"><input type="hidden" name="csrf" value="{{$p.CSRF}}"><button type="submit" class="retry">Retry</button></form></td>{{end}}</tr>
{{end}}</table>{{if gt .Stored (len .Dead)}}<p>{{.Stored}} dead letters and resync requests; the first {{len .Dead}} are listed.</p>{{end}}
{{else}}<p id="no-dead">None.</p>{{end}}
{{end}}{{end}}`))
