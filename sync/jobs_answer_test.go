package sync

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	gosync "sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// dropFirstJobElement makes LinkedIn refuse the second job of the first
// three-job batch_create (it creates the others) and answer without the
// first job's element: [the second's 422, the third's task].
func dropFirstJobElement(t *testing.T) func(http.RoundTripper) http.RoundTripper {
	var once gosync.Once
	return func(next http.RoundTripper) http.RoundTripper {
		return rtFunc(func(r *http.Request) (*http.Response, error) {
			if r.Method != http.MethodPost || !strings.Contains(r.URL.Path, "simpleJobPostings") || r.Header.Get("X-RestLi-Method") != "batch_create" {
				return next.RoundTrip(r)
			}
			var resp *http.Response
			var err error
			hit := false
			once.Do(func() {
				hit = true
				var req struct{ Elements []json.RawMessage }
				b, _ := io.ReadAll(r.Body)
				if json.Unmarshal(b, &req) != nil || len(req.Elements) != 3 {
					t.Errorf("batch_create of %s, want three jobs", b)
				}
				nb, _ := json.Marshal(map[string]any{"elements": []json.RawMessage{req.Elements[0], req.Elements[2]}})
				r2 := r.Clone(r.Context())
				r2.Body, r2.ContentLength = io.NopCloser(bytes.NewReader(nb)), int64(len(nb))
				if resp, err = next.RoundTrip(r2); err != nil {
					return
				}
				var ans struct{ Elements []json.RawMessage }
				b, _ = io.ReadAll(resp.Body)
				if json.Unmarshal(b, &ans) != nil || len(ans.Elements) != 2 {
					t.Errorf("answer %s, want two elements", b)
					return
				}
				out, _ := json.Marshal(map[string]any{"elements": []json.RawMessage{
					json.RawMessage(`{"status":422,"error":{"status":422,"message":"ERROR :: /title :: refused"}}`), ans.Elements[1]}})
				resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(out)), int64(len(out))
				resp.Header.Del("Content-Length")
			})
			if hit {
				return resp, err
			}
			return next.RoundTrip(r)
		})
	}
}

// A batch_create answer with an element missing cannot be matched to the
// jobs by position: no job takes another's task or refusal, none is
// created twice, and the next runs bring LinkedIn to the ATS's three jobs.
func TestJobsAnswerMissingElement(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, envOpt{wrap: dropFirstJobElement(t)})
		g := newGen(e.cust.Organization, backlogEnd(), time.Hour, 3, 0, 0, 0)
		src := NewSliceSource()
		for i := range 3 {
			j := g.job(i)
			j.Closed = false
			src.PutJobs(j)
		}
		eng := e.engine(t, src)
		if _, err := eng.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		for _, d := range deadLetters(t, eng.DeadLetters(), "c1") {
			if strings.Contains(d.Reason, "/title") {
				t.Errorf("dead letter %s carries another job's refusal: %q", d.Key(), d.Reason)
			}
		}
		held := heldJobStates(e)
		for i := range 3 {
			if _, ok := held[jobID(i)]; jobStateOf(t, eng, jobID(i)).Held && !ok {
				t.Errorf("%s is recorded as held, and LinkedIn does not hold it", jobID(i))
			}
		}
		for range 3 {
			_, err := eng.RetryDeadLetters(t.Context())
			must(t, err)
			time.Sleep(time.Hour)
			_, err = eng.Run(t.Context())
			must(t, err)
		}
		creates := map[string]int{}
		for _, tk := range e.cust.Tasks() {
			if tk.Operation == "CREATE" {
				creates[tk.ExternalJobPostingID]++
			}
		}
		want := map[string]int{jobID(0): 1, jobID(1): 1, jobID(2): 1}
		if d := cmp.Diff(want, creates); d != "" {
			t.Errorf("CREATE tasks per job (-want +got):\n%s", d)
		}
		got := map[string]string{}
		for id, st := range heldJobStates(e) {
			got[id] = st
		}
		if len(got) != 3 {
			t.Errorf("LinkedIn holds %v, want the three jobs", got)
		}
		if dl := deadLetters(t, eng.DeadLetters(), "c1"); len(dl) != 0 {
			t.Errorf("dead letters left: %+v", dl)
		}
	})
}
