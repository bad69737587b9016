package rsc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Tasks keys its answer by the URNs asked for, however the server spells
// the keys of its maps (raw under Rest.li 1.0, colons escaped under 2.0),
// and reads the statuses map as well as errors: an entry of 400 or more is
// a terminal failure with its status and message (docs/linkedin-api.md §3.4,
// §7.1).
func TestJobTasksKeysAndStatuses(t *testing.T) {
	t.Parallel()
	const (
		u1, u2, u3 = "urn:li:simpleJobPostingTask:1", "urn:li:simpleJobPostingTask:2", "urn:li:simpleJobPostingTask:3"
		e1, e2, e3 = "urn%3Ali%3AsimpleJobPostingTask%3A1", "urn%3Ali%3AsimpleJobPostingTask%3A2", "urn%3Ali%3AsimpleJobPostingTask%3A3"
	)
	done := JobTask{ID: u1, Status: TaskSucceeded, JobPosting: "urn:li:jobPosting:9"}
	for _, tc := range []struct {
		name    string
		version string
		body    string
		want    map[string]JobTask
	}{
		{"1.0 raw keys", "", `{"results":{"` + u1 + `":{"id":"` + u1 + `","status":"SUCCEEDED","jobPosting":"urn:li:jobPosting:9"}},
			"statuses":{"` + u1 + `":200},"errors":{"` + u2 + `":{"status":404,"message":"Task ` + u2 + ` does not exist"}}}`,
			map[string]JobTask{u1: done, u2: {ID: u2, Status: TaskFailed, HTTPStatus: 404, ErrorMessage: "Task " + u2 + " does not exist"}}},
		{"2.0 escaped keys", "202604", `{"results":{"` + e1 + `":{"id":"` + u1 + `","status":"SUCCEEDED","jobPosting":"urn:li:jobPosting:9"}},
			"statuses":{"` + e1 + `":200},"errors":{"` + e2 + `":{"status":404,"message":"Task ` + u2 + ` does not exist"}}}`,
			map[string]JobTask{u1: done, u2: {ID: u2, Status: TaskFailed, HTTPStatus: 404, ErrorMessage: "Task " + u2 + " does not exist"}}},
		{"2.0 result without its id", "202604", `{"results":{"` + e3 + `":{"status":"IN_PROGRESS"}}}`,
			map[string]JobTask{u3: {ID: u3, Status: TaskInProgress}}},
		{"statuses only", "202604", `{"results":{},"statuses":{"` + e1 + `":500,"` + e2 + `":200,"` + e3 + `":404},"errors":{}}`,
			map[string]JobTask{u1: {ID: u1, Status: TaskFailed, HTTPStatus: 500, ErrorMessage: "LinkedIn answered 500 for this task"},
				u3: {ID: u3, Status: TaskFailed, HTTPStatus: 404, ErrorMessage: "LinkedIn answered 404 for this task"}}},
		{"an error entry without a status", "", `{"errors":{"` + u1 + `":{"message":"Task failed"}}}`,
			map[string]JobTask{u1: {ID: u1, Status: TaskFailed, ErrorMessage: "Task failed"}}},
		{"error status from statuses", "", `{"statuses":{"` + u1 + `":403},"errors":{"` + u1 + `":{"message":"Not enough permissions"}}}`,
			map[string]JobTask{u1: {ID: u1, Status: TaskFailed, HTTPStatus: 403, ErrorMessage: "Not enough permissions"}}},
		// A FAILED task's message reaches dead letters: a credential the
		// server echoes there is redacted, as in an errors entry.
		{"failed task echoing credentials", "", `{"results":{"` + u1 + `":{"id":"` + u1 + `","status":"FAILED","errorMessage":"refused Bearer tok1, client_secret=csecret"}},
			"errors":{"` + u2 + `":{"status":400,"message":"refused csecret"}}}`,
			map[string]JobTask{u1: {ID: u1, Status: TaskFailed, ErrorMessage: "refused Bearer [REDACTED], client_secret=[REDACTED]"},
				u2: {ID: u2, Status: TaskFailed, HTTPStatus: 400, ErrorMessage: "refused [REDACTED]"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var opts []Option
			if tc.version != "" {
				opts = append(opts, WithVersion(tc.version))
			}
			h := setup(t, func(w http.ResponseWriter, s seen) { fmt.Fprint(w, tc.body) }, opts...)
			got, err := h.client.Jobs.Tasks(t.Context(), []string{u1, u2, u3})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// WaitTasks ends as soon as every task is terminal, a task LinkedIn cannot
// read (404 under the 2.0 spelling of its key) included, instead of
// polling until the context ends.
func TestWaitTasksEndsOnUnreadableTask(t *testing.T) {
	t.Parallel()
	clk := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	const (
		u1, u2 = "urn:li:simpleJobPostingTask:1", "urn:li:simpleJobPostingTask:2"
		e1, e2 = "urn%3Ali%3AsimpleJobPostingTask%3A1", "urn%3Ali%3AsimpleJobPostingTask%3A2"
	)
	polls := 0
	h := setupInProcess(t, func(w http.ResponseWriter, s seen) {
		polls++
		status := "IN_PROGRESS"
		if polls == 2 {
			status = "FAILED"
		}
		fmt.Fprintf(w, `{"results":{"%s":{"id":"%s","status":%q,"errorMessage":"bad"}},"statuses":{"%s":200},
			"errors":{"%s":{"status":404,"message":"Task does not exist"}}}`, e1, u1, status, e1, e2)
	}, WithClock(clk), WithVersion("202604"))
	got, err := h.client.Jobs.WaitTasks(t.Context(), []string{u1, u2}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]JobTask{
		u1: {ID: u1, Status: TaskFailed, ErrorMessage: "bad"},
		u2: {ID: u2, Status: TaskFailed, HTTPStatus: 404, ErrorMessage: "Task does not exist"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"ids=List(" + e1 + "," + e2 + ")", "ids=List(" + e1 + ")"}, queries(h.requests())); d != "" {
		t.Errorf("polls (-want +got):\n%s", d)
	}
	if waited := clk.Now().Sub(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); waited != time.Minute {
		t.Errorf("waited %v, want one interval", waited)
	}
}

// queries returns the raw query of each request.
func queries(rs []seen) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.RawQuery
	}
	return out
}

// A task LinkedIn fails to read (5xx) is polled again, up to three polls in
// a row: a passing failure does not end the wait, a lasting one does.
func TestWaitTasksRetriesUnreadableTask(t *testing.T) {
	t.Parallel()
	const u1 = "urn:li:simpleJobPostingTask:1"
	for _, tc := range []struct {
		name     string
		failures int // polls answered 503 before the task reads SUCCEEDED
		want     JobTask
		polls    int
	}{
		{"two failures, then success", 2, JobTask{ID: u1, Status: TaskSucceeded}, 3},
		{"a lasting failure", 99, JobTask{ID: u1, Status: TaskFailed, HTTPStatus: 503, ErrorMessage: "try later"}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			polls := 0
			h := setupInProcess(t, func(w http.ResponseWriter, s seen) {
				if polls++; polls <= tc.failures {
					fmt.Fprintf(w, `{"errors":{"%s":{"status":503,"message":"try later"}}}`, u1)
					return
				}
				fmt.Fprintf(w, `{"results":{"%s":{"id":"%s","status":"SUCCEEDED"}}}`, u1, u1)
			}, WithClock(&fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}))
			got, err := h.client.Jobs.WaitTasks(t.Context(), []string{u1}, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(map[string]JobTask{u1: tc.want}, got); d != "" || polls != tc.polls {
				t.Errorf("after %d polls (want %d) (-want +got):\n%s", polls, tc.polls, d)
			}
		})
	}
}

// WaitTasks gives up on a task that maxTaskReadFailures answers in a row
// do not mention (a lost, expired or mistyped URN), keeps waiting for the
// others, and returns what it has with a *MissingTasksError naming the
// task, instead of polling until the context ends. A task mentioned again
// in time starts its count over; so does a 5xx entry's count when the task
// reads again.
func TestWaitTasksGivesUpOnUnmentionedTask(t *testing.T) {
	t.Parallel()
	const (
		u1, u2 = "urn:li:simpleJobPostingTask:1", "urn:li:simpleJobPostingTask:2"
		e1     = "urn%3Ali%3AsimpleJobPostingTask%3A1"
		other  = "urn:li:simpleJobPostingTask:9"
	)
	// A poll's answer gives each URN an entry: a state (a results entry),
	// a status such as "503" (an errors entry) or nothing when absent.
	type answer map[string]string
	for _, tc := range []struct {
		name    string
		version string
		urns    []string
		answers []answer // one a poll; the last one repeats
		want    map[string]JobTask
		missing []string // the URNs the error names; nil: no error
		polls   int
		last    string // the query of the last poll
		ended   bool   // the context ended: its error comes back too
	}{
		{"never mentioned", "", []string{u1}, []answer{{}},
			map[string]JobTask{}, []string{u1}, 3, "ids=" + u1, false},
		{"never mentioned, 2.0", "202604", []string{u1}, []answer{{}},
			map[string]JobTask{}, []string{u1}, 3, "ids=List(" + e1 + ")", false},
		{"the others are waited for", "", []string{u1, u2},
			[]answer{{u1: "IN_PROGRESS"}, {u1: "IN_PROGRESS"}, {u1: "IN_PROGRESS"}, {u1: "IN_PROGRESS"}, {u1: "SUCCEEDED"}},
			map[string]JobTask{u1: {ID: u1, Status: TaskSucceeded}}, []string{u2}, 5, "ids=" + u1, false},
		{"the others are done first", "", []string{u1, u2}, []answer{{u1: "FAILED"}},
			map[string]JobTask{u1: {ID: u1, Status: TaskFailed}}, []string{u2}, 3, "ids=" + u2, false},
		{"an answer keyed by another task", "202604", []string{u1}, []answer{{other: "SUCCEEDED"}},
			map[string]JobTask{}, []string{u1}, 3, "ids=List(" + e1 + ")", false},
		{"a URN given twice is asked and counted once", "", []string{u1, u1}, []answer{{}},
			map[string]JobTask{}, []string{u1}, 3, "ids=" + u1, false},
		{"mentioned again in time", "", []string{u1},
			[]answer{{}, {}, {u1: "IN_PROGRESS"}, {}, {}, {u1: "SUCCEEDED"}},
			map[string]JobTask{u1: {ID: u1, Status: TaskSucceeded}}, nil, 6, "ids=" + u1, false},
		{"a 5xx entry is a mention", "", []string{u1},
			[]answer{{}, {}, {u1: "503"}, {}, {}, {u1: "SUCCEEDED"}},
			map[string]JobTask{u1: {ID: u1, Status: TaskSucceeded}}, nil, 6, "ids=" + u1, false},
		{"5xx entries count in a row", "", []string{u1},
			[]answer{{u1: "503"}, {u1: "IN_PROGRESS"}, {u1: "503"}, {u1: "503"}, {u1: "SUCCEEDED"}},
			map[string]JobTask{u1: {ID: u1, Status: TaskSucceeded}}, nil, 5, "ids=" + u1, false},
		{"the context ends after giving up", "", []string{u1, u2}, []answer{{u1: "IN_PROGRESS"}},
			map[string]JobTask{}, []string{u2}, 11, "ids=" + u1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			clk := &sleepBudget{Clock: &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}, left: 10, cancel: cancel}
			opts := []Option{WithClock(clk)}
			key := func(u string) string { return u }
			if tc.version != "" {
				opts = append(opts, WithVersion(tc.version))
				key = func(u string) string { return strings.ReplaceAll(u, ":", "%3A") }
			}
			polls := 0
			h := setupInProcess(t, func(w http.ResponseWriter, s seen) {
				a := tc.answers[min(polls, len(tc.answers)-1)]
				polls++
				results, errs := map[string]any{}, map[string]any{}
				for u, v := range a {
					if st, err := strconv.Atoi(v); err == nil {
						errs[key(u)] = map[string]any{"status": st, "message": "try later"}
					} else {
						results[key(u)] = map[string]any{"id": u, "status": v}
					}
				}
				json.NewEncoder(w).Encode(map[string]any{"results": results, "statuses": map[string]int{}, "errors": errs})
			}, opts...)
			got, err := h.client.Jobs.WaitTasks(ctx, tc.urns, time.Minute)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("tasks (-want +got):\n%s", d)
			}
			var wantErr, gotErr *MissingTasksError
			if tc.missing != nil {
				wantErr = &MissingTasksError{URNs: tc.missing, Polls: maxTaskReadFailures}
			}
			if !errors.As(err, &gotErr) && err != nil && !tc.ended {
				t.Fatalf("err = %v, want a *MissingTasksError or nil", err)
			}
			if d := cmp.Diff(wantErr, gotErr); d != "" {
				t.Errorf("missing tasks (-want +got):\n%s\nerr: %v", d, err)
			}
			if ended := errors.Is(err, context.Canceled); ended != tc.ended {
				t.Errorf("err = %v: context ended %v, want %v", err, ended, tc.ended)
			}
			if q := queries(h.requests()); polls != tc.polls || q[len(q)-1] != tc.last {
				t.Errorf("%d polls, the last one %s; want %d, the last one %s", polls, q[len(q)-1], tc.polls, tc.last)
			}
		})
	}
}

// An element of a batch_create answer that carries its error's status
// only (the element's own status 200 or absent) is refused with the
// error's status, so that a caller can tell a 409 from an accepted job.
func TestSubmitElementErrorStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, element string }{
		{"status absent", `{"error":{"status":409,"message":"Cannot close job which is already closed or does not exist"}}`},
		{"status 200", `{"status":200,"error":{"status":409,"message":"Cannot close job which is already closed or does not exist"}}`},
		{"status 409", `{"status":409,"error":{"status":409,"message":"Cannot close job which is already closed or does not exist"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := setup(t, func(w http.ResponseWriter, s seen) { reply(w, 200, `{"elements":[`+tc.element+`]}`) })
			res, err := h.client.Jobs.Submit(t.Context(), []JobPosting{testJob("J1")})
			if err != nil {
				t.Fatal(err)
			}
			var ee *EntityError
			if it := res.Items[0]; !errors.As(it.Err, &ee) || ee.Status != 409 || it.Status != 409 {
				t.Errorf("item %+v (%v), want refused with status 409", it, it.Err)
			}
		})
	}
}
