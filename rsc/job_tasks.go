package rsc

import (
	"context"
	"encoding/json"
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
	ID                   string        `json:"id"`
	Status               JobTaskStatus `json:"status"`
	ExternalJobPostingID string        `json:"externalJobPostingId,omitempty"`
	JobPosting           string        `json:"jobPosting,omitempty"` // urn:li:jobPosting:{id} on success
	ErrorMessage         string        `json:"errorMessage,omitempty"`
	Location             string        `json:"location,omitempty"`
}

// Tasks reads job tasks by URN (batch_get, at most 100 per call).
func (s *JobsService) Tasks(ctx context.Context, taskURNs []string) (map[string]JobTask, error) {
	c := s.c
	out := make(map[string]JobTask, len(taskURNs))
	for start := 0; start < len(taskURNs); start += MaxBatchSize {
		chunk := taskURNs[start:min(start+MaxBatchSize, len(taskURNs))]
		br, err := c.getBatch(ctx, resJobTasks, "/"+c.fam.name(resJobTasks), restli.EncodeSimpleIDs(c.fam.proto, chunk))
		if err != nil {
			return out, err
		}
		for k, raw := range br.Results {
			var t JobTask
			if err := json.Unmarshal(raw, &t); err != nil {
				return out, fmt.Errorf("rsc: decoding job task %s: %w", k, err)
			}
			if t.ID == "" {
				t.ID = k
			}
			out[t.ID] = t
		}
		for k, e := range br.Errors {
			out[k] = JobTask{ID: k, Status: TaskFailed, ErrorMessage: c.red.String(e.Message)}
		}
	}
	return out, nil
}

// WaitTasks polls the tasks every interval until all are terminal or ctx
// ends, and returns their final states. "Job sync completed" means this
// returned without error. LinkedIn advises checking at least 5 minutes after
// posting; pass a smaller interval against a fake server.
func (s *JobsService) WaitTasks(ctx context.Context, taskURNs []string, interval time.Duration) (map[string]JobTask, error) {
	c := s.c
	done := make(map[string]JobTask, len(taskURNs))
	pending := append([]string(nil), taskURNs...)
	for {
		got, err := s.Tasks(ctx, pending)
		if err != nil {
			return done, err
		}
		next := pending[:0]
		for _, u := range pending {
			t, ok := got[u]
			if ok && t.Status.Terminal() {
				done[u] = t
			} else {
				next = append(next, u)
			}
		}
		pending = next
		if len(pending) == 0 {
			return done, nil
		}
		if err := c.cfg.clock.Sleep(ctx, interval); err != nil {
			return done, err
		}
	}
}
