package rsc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/rscgo/rscgo/internal/restli"
)

// JobTaskStatus is the state of an asynchronous job task.
type JobTaskStatus string

// The task states. SUCCEEDED, FAILED and PROCESSED are terminal.
const (
	TaskInProgress JobTaskStatus = "IN_PROGRESS"
	TaskSucceeded  JobTaskStatus = "SUCCEEDED"
	TaskFailed     JobTaskStatus = "FAILED"
	TaskProcessed  JobTaskStatus = "PROCESSED"
)

// Terminal reports whether the task will not change any more.
func (s JobTaskStatus) Terminal() bool {
	return s == TaskSucceeded || s == TaskFailed || s == TaskProcessed
}

// JobTask is a simpleJobPostingTasks entity.
type JobTask struct {
	// ID is the task's id as LinkedIn sends it, or the task URN asked for
	// when LinkedIn sends none or could not read the task.
	ID string `json:"id"`
	// Status is the task's state (docs/linkedin-api.md §7.1).
	Status JobTaskStatus `json:"status"`
	// ExternalJobPostingID is the job's id in the ATS, when LinkedIn
	// sends it.
	ExternalJobPostingID string `json:"externalJobPostingId,omitempty"`
	JobPosting           string `json:"jobPosting,omitempty"` // urn:li:jobPosting:{id} on success
	// ErrorMessage says why the task failed, with the client's credentials
	// redacted: LinkedIn's message, or, when LinkedIn could not read the
	// task (HTTPStatus) and gave none, the client's own.
	ErrorMessage string `json:"errorMessage,omitempty"`
	// Location is the task's location field as LinkedIn sends it; the
	// client does not read it.
	Location string `json:"location,omitempty"`
	// HTTPStatus is the status of the task's entry in the errors or statuses
	// map of the batch_get when it is 400 or more: LinkedIn could not read
	// the task (404: unknown or expired; 5xx: its own failure), so whether
	// its operation took effect is unknown. Such a task is TaskFailed, with
	// LinkedIn's message (if any) in ErrorMessage. It is 0 otherwise, also
	// for a task that failed for good or an error entry with no status.
	HTTPStatus int `json:"-"`
}

// Tasks reads job tasks by URN (batch_get, at most 100 per call), keyed by
// the URNs asked for, however LinkedIn spells the keys of its answer (a
// Rest.li 2.0 server escapes the URN's colons). A task whose entry in the
// answer's errors or statuses map has a status of 400 or more (an unknown
// task answers 404) comes back TaskFailed, with that status in HTTPStatus.
// Tasks LinkedIn does not mention are missing from the map, without an
// error: one answer does not tell a lost task from a passing omission
// (WaitTasks gives up on a task after several). An entry whose key names
// none of the URNs asked for is kept under that key, decoded.
func (s *JobsService) Tasks(ctx context.Context, taskURNs []string) (map[string]JobTask, error) {
	c := s.c
	out := make(map[string]JobTask, len(taskURNs))
	for start := 0; start < len(taskURNs); start += MaxBatchSize {
		chunk := taskURNs[start:min(start+MaxBatchSize, len(taskURNs))]
		br, err := c.getBatch(ctx, resJobTasks, "/"+c.fam.name(resJobTasks), restli.EncodeSimpleIDs(c.fam.proto, chunk))
		if err != nil {
			return out, err
		}
		if err := c.readTasks(br, chunk, out); err != nil {
			return out, err
		}
	}
	return out, nil
}

// readTasks adds the tasks of one batch_get answer to out, keyed by the
// URNs of asked that the answer's keys name.
func (c *Client) readTasks(br *batchGetResponse, asked []string, out map[string]JobTask) error {
	urn := simpleKeyMatcher(c.fam.proto, asked)
	for k, raw := range br.Results {
		u := urn(k)
		var t JobTask
		if err := json.Unmarshal(raw, &t); err != nil {
			return c.red.Error(fmt.Errorf("rsc: decoding job task %s: %w", u, err))
		}
		if t.ID == "" {
			t.ID = u
		}
		t.ErrorMessage = c.red.String(t.ErrorMessage)
		out[u] = t
	}
	failed := func(u string, status int, msg string) {
		t := out[u]
		t.ID, t.Status, t.HTTPStatus = u, TaskFailed, status
		if msg != "" {
			t.ErrorMessage = msg
		}
		if t.ErrorMessage == "" {
			t.ErrorMessage = fmt.Sprintf("LinkedIn answered %d for this task", status)
		}
		out[u] = t
	}
	for k, st := range br.Statuses {
		if st >= 400 {
			failed(urn(k), st, "")
		}
	}
	for k, e := range br.Errors {
		u := urn(k)
		st := e.Status
		if st == 0 {
			st = br.Statuses[k]
		}
		failed(u, st, c.red.String(e.Message))
	}
	return nil
}

// simpleKeyMatcher returns a function from a key of a batch_get answer to
// the simple key of asked it names, read as batch answers are
// (simpleKeyIndex: under 2.0, as the server escapes it, so
// urn%3Ali%3AsimpleJobPostingTask%3A1 names urn:li:simpleJobPostingTask:1;
// docs/linkedin-api.md §3.4). A key that names none of asked comes back
// decoded.
func simpleKeyMatcher(p restli.Protocol, asked []string) func(string) string {
	pos := make(map[string]int, len(asked))
	for i, a := range asked {
		pos[a] = i
	}
	return func(k string) string {
		if j := simpleKeyIndex(p, k, pos); j >= 0 {
			return asked[j]
		}
		if d, err := restli.DecodeSimpleKey(k); err == nil {
			return d
		}
		return k
	}
}

// WaitTasks polls the tasks every interval until all are terminal or ctx
// ends, and returns their final states. "Job sync completed" means this
// returned without error. LinkedIn advises checking at least 5 minutes after
// posting; pass a smaller interval against a fake server.
//
// A task LinkedIn fails to read (a 5xx entry) is polled again, and taken
// as final, TaskFailed with HTTPStatus set, after 3 such answers in a row.
// A task the answers stop mentioning at all (a lost, expired or mistyped
// URN) is given up on after as many answers in a row:
// it is missing from the map, and once the other tasks are terminal
// WaitTasks returns them with a *MissingTasksError naming it. If ctx ends
// or a poll fails after a task was given up on, the error returned wraps
// both.
func (s *JobsService) WaitTasks(ctx context.Context, taskURNs []string, interval time.Duration) (map[string]JobTask, error) {
	c := s.c
	done := make(map[string]JobTask, len(taskURNs))
	pending := distinct(taskURNs)
	unreadable := taskReadFailures{}
	absent := map[string]int{}
	var missing []string
	for {
		got, err := s.Tasks(ctx, pending)
		if err != nil {
			return done, withMissing(err, missing)
		}
		next := pending[:0]
		for _, u := range pending {
			t, ok := got[u]
			if !ok {
				if absent[u]++; absent[u] < maxTaskReadFailures {
					next = append(next, u)
				} else {
					missing = append(missing, u)
				}
				continue
			}
			delete(absent, u)
			if unreadable.again(u, t) || !t.Status.Terminal() {
				next = append(next, u)
			} else {
				done[u] = t
			}
		}
		pending = next
		if len(pending) == 0 {
			return done, withMissing(nil, missing)
		}
		if err := c.cfg.clock.Sleep(ctx, interval); err != nil {
			return done, withMissing(err, missing)
		}
	}
}

// distinct returns urns without repeats, in their order, as a new slice.
func distinct(urns []string) []string {
	out := make([]string, 0, len(urns))
	seen := make(map[string]bool, len(urns))
	for _, u := range urns {
		if !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	return out
}

// withMissing returns err joined with a *MissingTasksError naming missing,
// if any; err alone otherwise.
func withMissing(err error, missing []string) error {
	if len(missing) == 0 {
		return err
	}
	return errors.Join(err, &MissingTasksError{URNs: missing, Polls: maxTaskReadFailures})
}

// maxTaskReadFailures is how many polls in a row may find a task LinkedIn
// fails to read (a 5xx entry) before WaitTasks takes that answer as final,
// and how many may not mention a task at all before WaitTasks gives up on
// it. Three answers in a row, one interval apart, tell a passing failure
// from a lasting one without stretching the wait much.
const maxTaskReadFailures = 3

// taskReadFailures counts, per task URN, the polls in a row whose answer
// for the task was a 5xx entry. A poll that does not mention the task
// leaves its count as it is.
type taskReadFailures map[string]int

// again reports, for a task the answer mentions, whether it should be
// polled again rather than taken as final: its read failed with a 5xx
// fewer than maxTaskReadFailures times in a row. Any other entry for the
// task starts the count over.
func (f taskReadFailures) again(urn string, t JobTask) bool {
	if t.HTTPStatus < 500 {
		delete(f, urn)
		return false
	}
	f[urn]++
	return f[urn] < maxTaskReadFailures
}
