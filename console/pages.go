package console

import (
	"bytes"
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
	Customers []customerView // the overview
	Customer  *customerView  // a customer's page
	Notice    string         // a result shown at the top
	Error     string         // an action's failure
}

func (h *Handler) page(w http.ResponseWriter, r *http.Request, title string) pageData {
	p := pageData{Title: title, Operator: operator(r), Now: stamp(h.cfg.clock.Now()),
		CanRetry: h.cfg.retry != nil && h.cfg.dead != nil}
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
	for _, id := range ids {
		p.Customers = append(p.Customers, h.load(r.Context(), id, false))
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
	p.Customer, p.Error = &v, errMsg
	if r.Method == http.MethodGet && r.URL.Query().Get("done") == "retried" {
		p.Notice = "Retry done."
	}
	render(w, status, p)
}

// retryPost retries dead letters: the form's key values, or every dead
// letter of the customer when it has none.
func (h *Handler) retryPost(w http.ResponseWriter, r *http.Request) {
	if why := h.checkPost(r); why != "" {
		http.Error(w, "console: refused: "+why, http.StatusForbidden)
		return
	}
	id := r.PostFormValue("customer")
	if h.cfg.retry == nil || h.cfg.dead == nil {
		h.showCustomer(w, r, id, http.StatusNotFound, "retrying is not configured")
		return
	}
	known, err := h.known(r.Context(), id)
	if err != nil || !known {
		h.showCustomer(w, r, id, http.StatusNotFound, "")
		return
	}
	keys := r.PostForm["key"]
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
	// A relative Location, so that the console works under any prefix.
	w.Header().Set("Location", "customer?"+url.Values{"id": {id}, "done": {"retried"}}.Encode())
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
<table id="customers"><tr><th>Customer</th><th>Onboarding step</th><th>Integration status</th><th>Milestones</th><th>Progress</th><th>Dead letters</th></tr>
{{range .Customers}}<tr class="customer" data-id="{{.ID}}">
<td><a href="customer?id={{.ID}}">{{.ID}}</a>{{with .Name}}<br>{{.}}{{end}}</td>
<td class="step">{{.Step}}</td><td class="status">{{.Status}}</td>
<td class="milestones">{{.Reached}} of {{len .Milestones}}</td>
<td class="progress">{{range .Phases}}{{.Name}}: {{.Done}}/{{.Total}}{{if .Completed}} ✓{{end}}<br>{{end}}</td>
<td class="dead">{{.DeadTotal}}{{range .Errors}}<br><span class="err">{{.}}</span>{{end}}</td>
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
<h2>Dead letters ({{.DeadTotal}})</h2>
{{if .Dead}}{{if $p.CanRetry}}<form method="post" action="retry"><input type="hidden" name="csrf" value="{{$p.CSRF}}"><input type="hidden" name="customer" value="{{.ID}}"><button type="submit" id="retry-all">Retry all</button></form>{{end}}
<table id="dead"><tr><th>Record</th><th>Reason</th><th>Field</th><th>Status</th><th>Attempts</th><th>Last failed</th>{{if $p.CanRetry}}<th></th>{{end}}</tr>
{{range .Dead}}<tr class="deadletter" data-key="{{.Key}}"><td>{{.Kind}} {{.ID}}{{with .Parent}} (of {{.}}){{end}}</td><td class="reason">{{.Reason}}</td><td>{{.Field}}</td><td>{{if .Status}}{{.Status}}{{end}}</td><td>{{.Attempts}}</td><td>{{.LastFailedAt}}</td>
{{if $p.CanRetry}}<td><form method="post" action="retry"><input type="hidden" name="csrf" value="{{$p.CSRF}}"><input type="hidden" name="customer" value="{{$.Customer.ID}}"><input type="hidden" name="key" value="{{.Key}}"><button type="submit" class="retry">Retry</button></form></td>{{end}}</tr>
{{end}}</table>{{if gt .DeadTotal (len .Dead)}}<p>{{.DeadTotal}} dead letters; the first {{len .Dead}} are listed.</p>{{end}}
{{else}}<p id="no-dead">None.</p>{{end}}
{{end}}{{end}}`))
