package demo

import (
	"encoding/json"
	"html/template"
	"net"
	"net/http"
	"time"

	"github.com/rscgo/rscgo/milestones"
)

// Handler serves the demo on an HTTP address (tracker-demo -http):
//
//	GET /login?token=T  signs the operator in (a cookie) and opens the console
//	/                   the operators' console (package console) over the
//	                    run's stores: onboarding, milestones, progress, dead
//	                    letters with retries, content reconciliation
//	GET /run            the run: its stage, every feature's availability,
//	                    the reconciliation and the output
//	GET /status.json    the same as JSON (a Snapshot)
//	GET /metrics        the telemetry in Prometheus's text format
//	                    (Config.Telemetry), without the operator token
//
// Everything but /login and /metrics needs the operator token (Token), as
// the cookie /login sets or as "Authorization: Bearer T". The pages are for
// the operator's own machine: a request whose Host is not a loopback name
// or address (localhost, 127.0.0.0/8, ::1) gets 421, so a web page cannot
// read them through DNS rebinding.
func (m *Monitor) Handler() http.Handler {
	mux := m.routes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopbackHost(r.Host) {
			http.Error(w, "the admin page answers only on a loopback host name", http.StatusMisdirectedRequest)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// loopbackHost reports whether a Host header names this machine's loopback
// interface.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (m *Monitor) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", m.login)
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		if h := m.handlers().metrics; h != nil {
			h.ServeHTTP(w, r)
			return
		}
		http.Error(w, "no telemetry in this run", http.StatusNotFound)
	})
	mux.Handle("GET /run", m.operatorOnly(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := adminPage.Execute(w, pageData(m.Snapshot())); err != nil {
			http.Error(w, "rendering the page failed", http.StatusInternalServerError)
		}
	}))
	mux.Handle("GET /status.json", m.operatorOnly(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(m.Snapshot())
	}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if h := m.handlers().console; h != nil {
			h.ServeHTTP(w, r) // the console checks the operator itself
			return
		}
		m.operatorOnly(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Refresh", "1")
			http.Error(w, "the console opens once the demo has opened its stores", http.StatusServiceUnavailable)
		}).ServeHTTP(w, r)
	})
	return mux
}

// page is what the run page renders.
type page struct {
	Snapshot
	Updated string
}

func pageData(s Snapshot) page { return page{Snapshot: s, Updated: s.UpdatedAt.Format(time.TimeOnly)} }

var adminPage = template.Must(template.New("admin").Funcs(template.FuncMap{
	"scope": milestones.FeatureStatus.ScopeText,
}).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="2">
<title>Tracker · LinkedIn Recruiter integration</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: .5em 0 1.5em; }
td, th { border-bottom: 1px solid #ddd; padding: .3em .8em; text-align: left; vertical-align: top; }
.on { color: #0a7d29; font-weight: 600; } .off { color: #999; }
progress { width: 14em; }
pre { background: #f6f6f6; padding: .8em; max-height: 18em; overflow: auto; }
</style>
</head>
<body>
<h1>LinkedIn Recruiter integration</h1>
<p>Customer <b>{{.Customer}}</b> · stage: <b>{{.Stage}}</b> · updated {{.Updated}}</p>
{{with .Error}}<p class="off">Error: {{.}}</p>{{end}}

<p>Onboarding, milestones, the sync's progress and the dead letters are on <a href="./">the console</a>.</p>

<h2>Historical sync</h2>
<table>
<tr><th>Phase</th><th>Progress</th><th>Rate</th></tr>
{{range .Sync}}<tr><td>{{.Phase}}</td><td><progress max="100" value="{{.Percent}}"></progress> {{if .Completed}}{{.Done}}/{{.Total}} done{{else}}{{.Percent}}%{{if .ETASeconds}} · ETA {{.ETASeconds}} s{{end}}{{end}}</td>
<td>{{printf "%.0f" .RecordsPerMinute}} / min</td></tr>
{{else}}<tr><td colspan="3">not started</td></tr>
{{end}}</table>

<h2>Features</h2>
<table>
<tr><th>Feature</th><th>Status</th><th>Scope</th><th>Why / next</th></tr>
{{range .Features.Features}}<tr><td>{{.Title}}</td><td class="{{if .Enabled}}on{{else}}off{{end}}">{{if .Enabled}}enabled{{else}}disabled{{end}}</td><td>{{scope .}}</td><td>{{.Reason}}</td></tr>
{{end}}</table>

{{with .Reconciliation}}<h2>Reconciliation</h2>
<table>
<tr><th>Entity</th><th>Tracker</th><th>Dead letters</th><th>LinkedIn</th><th>Acknowledged</th><th></th></tr>
{{range .}}<tr><td>{{.Entity}}</td><td>{{.Tracker}}</td><td>{{.DeadLetters}}</td><td>{{.LinkedIn}}</td><td>{{.Acknowledged}}</td><td>{{if .Balanced}}<span class="on">equal</span>{{else}}<span class="off">mismatch</span>{{end}}</td></tr>
{{end}}</table>{{end}}

<h2>Output</h2>
<pre>{{range .Log}}{{.}}
{{end}}</pre>
<p><a href="status.json">status.json</a></p>
</body>
</html>
`))
