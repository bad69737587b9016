package benchsync

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	gosync "sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

// quotaLimit is LinkedIn's records-per-minute quota per customer
// application per sync resource (rsc.DefaultLimits, counted in fixed UTC
// minutes), what the quota figures are measured against.
var quotaLimit = rsc.DefaultLimits().SyncRecordsPerMinute

// batchCall is one batch write the fake answered.
type batchCall struct {
	at       time.Time
	resource string // quota bucket, e.g. "atsCandidates/notes"
	records  int
	status   int
}

// callLog records every batch write and its record count (the keys of its
// answer).
type callLog struct {
	rt    http.RoundTripper
	mu    gosync.Mutex
	calls []batchCall
}

// bucket returns the quota bucket of an API path: its resource names
// without the version prefix and the keys, e.g.
// /v2/atsCandidates/atsCandidateId=C1&.../notes -> atsCandidates/notes.
func bucket(path string) string {
	var words []string
	for _, seg := range strings.Split(path, "/")[2:] {
		if seg != "" && strings.Trim(seg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") == "" {
			words = append(words, seg)
		}
	}
	return strings.Join(words, "/")
}

func (l *callLog) RoundTrip(r *http.Request) (*http.Response, error) {
	m := r.Header.Get("X-RestLi-Method")
	resp, err := l.rt.RoundTrip(r)
	if err != nil || !strings.HasPrefix(m, "batch_") || m == "batch_get" {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	var br struct{ Results, Errors map[string]json.RawMessage }
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, &br); err != nil {
			return nil, fmt.Errorf("call log: %s: %w", r.URL.Path, err)
		}
	}
	l.mu.Lock()
	l.calls = append(l.calls, batchCall{at: time.Now(), resource: bucket(r.URL.Path), records: len(br.Results) + len(br.Errors), status: resp.StatusCode})
	l.mu.Unlock()
	return resp, err
}

// phaseUse is one resource's share of the quota over its phase.
type phaseUse struct {
	resource       string
	records, calls int
	minutes        float64 // first call to last, plus the last call's share of a minute
	perMinute      float64
	peakMinute     int // most records in one fixed UTC minute
	n429           int
}

func uses(calls []batchCall) []phaseUse {
	by := map[string]*phaseUse{}
	first, last, minute := map[string]time.Time{}, map[string]batchCall{}, map[string]map[time.Time]int{}
	for _, c := range calls {
		u := by[c.resource]
		if u == nil {
			u = &phaseUse{resource: c.resource}
			by[c.resource], first[c.resource], minute[c.resource] = u, c.at, map[time.Time]int{}
		}
		if c.status == http.StatusTooManyRequests {
			u.n429++
		}
		if c.status != http.StatusOK {
			continue
		}
		u.records += c.records
		u.calls++
		last[c.resource] = c
		m := minute[c.resource]
		m[c.at.UTC().Truncate(time.Minute)] += c.records
		u.peakMinute = max(u.peakMinute, m[c.at.UTC().Truncate(time.Minute)])
	}
	var out []phaseUse
	for r, u := range by {
		l := last[r]
		u.minutes = l.at.Sub(first[r]).Minutes() + float64(l.records)/float64(quotaLimit)
		u.perMinute = float64(u.records) / u.minutes
		out = append(out, *u)
	}
	slices.SortFunc(out, func(a, b phaseUse) int { return strings.Compare(a.resource, b.resource) })
	return out
}

// quotaResources are the resources the engine writes, with the phase
// that writes each and the dataset's record count for it (applications
// carry two stages each; activities are a third of each kind).
func quotaResources(cands, apps, acts int) map[string]struct {
	phase   string
	records int
} {
	type r = struct {
		phase   string
		records int
	}
	return map[string]r{"atsCandidates": {"candidates", cands},
		"atsApplications": {"applications", apps}, "atsApplications/stages": {"applications", 2 * apps},
		"atsCandidates/notes": {"activities", acts / 3}, "atsApplications/notes": {"activities", acts / 3},
		"atsApplications/interviewFeedback": {"activities", acts / 3}}
}

// TestQuotaUse syncs jobs, candidates, applications with their stages and
// activities under LinkedIn's default limits on a simulated clock, the
// client pacing itself from rsc.DefaultLimits(). For every resource the
// engine writes, it checks that no fixed UTC minute holds more than
// 10,000 records and that no 429 was answered; for every phase, that the
// resource it is bound by used at least 99% of the quota (records ÷ the
// phase's window × 10,000 a minute). A phase can use a resource less when
// another one binds it: applications send two stages each, so stages bind
// that phase and atsApplications runs at half the quota. It is a measurement (several seconds of CPU
// for the fake), so it runs only with RSCGO_BENCH=1.
//
//	RSCGO_BENCH=1 go test -count=1 -run TestQuotaUse -v ./internal/benchsync
func TestQuotaUse(t *testing.T) {
	if os.Getenv("RSCGO_BENCH") == "" {
		t.Skip("a measurement: set RSCGO_BENCH=1")
	}
	const jobs, cands, apps, acts = 50, 40_000, 20_000, 60_000
	synctest.Test(t, func(t *testing.T) {
		srv := rsctest.NewServer(rsctest.WithoutListener(), rsctest.WithJobTaskLatency(0), rsctest.WithRequestLogLimit(-1))
		defer srv.Close()
		cu := srv.AddCustomer(rsctest.CustomerSpec{})
		log := &callLog{rt: srv.Transport()}
		c, err := rsc.NewClient(rsc.WithBaseURL(srv.URL()), rsc.WithTokenURL(srv.TokenURL()), rsc.WithTransport(log),
			rsc.WithCredentials(cu.ClientID, cu.ClientSecret), rsc.WithLimits(rsc.DefaultLimits()))
		if err != nil {
			t.Fatal(err)
		}
		eng, err := rscsync.NewEngine(c, "quota", fullDataset(time.Now(), jobs, cands, apps, acts), rscsync.WithTaskPollInterval(5*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if _, err := eng.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		want := quotaResources(cands, apps, acts)
		got := uses(log.calls)
		best := map[string]phaseUse{} // per phase, its most used resource
		for _, u := range got {
			use := u.perMinute / float64(quotaLimit)
			t.Logf("quota-resource: resource=%s phase=%s records=%d calls=%d minutes=%.3f per-minute=%.0f use=%.2f%% peak-minute=%d 429s=%d",
				u.resource, want[u.resource].phase, u.records, u.calls, u.minutes, u.perMinute, 100*use, u.peakMinute, u.n429)
			if u.records != want[u.resource].records {
				t.Errorf("%s: %d records written, the dataset has %d", u.resource, u.records, want[u.resource].records)
			}
			if u.peakMinute > quotaLimit || u.n429 > 0 {
				t.Errorf("%s: %d records in one minute, %d 429s; LinkedIn allows %d a minute", u.resource, u.peakMinute, u.n429, quotaLimit)
			}
			if b, ok := best[want[u.resource].phase]; !ok || u.perMinute > b.perMinute {
				best[want[u.resource].phase] = u
			}
		}
		if len(got) != len(want) {
			t.Errorf("resources written: %d, want %d (%v)", len(got), len(want), want)
		}
		for _, phase := range []string{"candidates", "applications", "activities"} {
			u, ok := best[phase]
			use := u.perMinute / float64(quotaLimit)
			t.Logf("quota-phase: phase=%s bound-by=%s use=%.2f%%", phase, u.resource, 100*use)
			if !ok || use < 0.99 {
				t.Errorf("phase %s: %.2f%% of the quota used, want at least 99%%", phase, 100*use)
			}
		}
		k := cu.Counters()
		t.Logf("quota-whole: records=%d requests=%d simulated-minutes=%.1f minute-429s=%d day-429s=%d",
			k.Records, k.Requests, time.Since(start).Minutes(), k.Throttled429Minute, k.Throttled429Day)
		if k.Throttled429Minute+k.Throttled429Day != 0 {
			t.Error("429s answered")
		}
		if n := len(cu.Candidates()); n != cands {
			t.Errorf("the fake holds %d candidates, want %d", n, cands)
		}
	})
}
