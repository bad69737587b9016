package demo

import (
	"encoding/json"
	"html/template"
	"net"
	"net/http"
	"time"

	"github.com/rscgo/rscgo/milestones"
)

// Handler serves the admin page: GET / is an HTML page (integration status,
// milestones, sync progress and feature availability) that reloads itself
// every two seconds, GET /status.json the same as JSON (a Snapshot).
//
// The page is for the operator's own machine: a request whose Host is not
// a loopback name or address (localhost, 127.0.0.0/8, ::1) gets 421, so a
// web page cannot read it through DNS rebinding.
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
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := adminPage.Execute(w, pageData(m.Snapshot())); err != nil {
			http.Error(w, "rendering the page failed", http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("GET /status.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(m.Snapshot())
	})
	return mux
}

// milestoneRow is one line of the page's milestone list.
type milestoneRow struct {
	Label   string
	Reached bool
	At      string
}

type page struct {
	Snapshot
	Milestones []milestoneRow
	Updated    string
}

func pageData(s Snapshot) page {
	p := page{Snapshot: s, Updated: s.UpdatedAt.Format(time.TimeOnly)}
	for m := milestones.IntegrationEnabled; m <= milestones.LastMilestone; m++ {
		row := milestoneRow{Label: m.Label()}
		for _, e := range s.Milestones {
			if e.Milestone == m {
				row.Reached, row.At = true, e.At.Local().Format(time.DateTime)
			}
		}
		p.Milestones = append(p.Milestones, row)
	}
	return p
}

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

<h2>Integration status</h2>
<p>Step <b>{{.Onboarding.Step}}</b>: {{.Onboarding.StatusLine}}</p>
{{with .Onboarding.Todo}}<p>Next: {{.}}</p>{{end}}

<h2>Milestones</h2>
<table>
{{range .Milestones}}<tr><td class="{{if .Reached}}on{{else}}off{{end}}">{{if .Reached}}✔{{else}}·{{end}} {{.Label}}</td><td>{{.At}}</td></tr>
{{end}}</table>

<h2>Historical sync</h2>
<table>
<tr><th>Phase</th><th>Progress</th><th>Records</th><th>Rate</th><th>Dead letters</th></tr>
{{range .Sync}}<tr><td>{{.Phase}}</td><td><progress max="100" value="{{.Percent}}"></progress> {{.Percent}}%{{if .Completed}} done{{else if .ETASeconds}} · ETA {{.ETASeconds}} s{{end}}</td>
<td>{{.Done}} / {{.Total}}</td><td>{{printf "%.0f" .RecordsPerMinute}} / min</td><td>{{.Failed}}</td></tr>
{{else}}<tr><td colspan="5">not started</td></tr>
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
