package rsc

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// LinkedIn's two sample payloads of a job resync notification decode as
// they read (docs/linkedin-api.md §7.9); a notification that breaks the
// schema is refused.
func TestParseJobResync(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       JobResync
		err        bool
	}{
		{name: "individual jobs (LinkedIn's sample)",
			body: `{"developerApplicationUrn": "urn:li:developerApplication:12345", "externalJobPostingIds": ["job-1234", "job-2345", "job-3456"], "syncAllOpenJobs": false, "type": "RESYNC_JOBS"}`,
			want: JobResync{DeveloperApplication: "urn:li:developerApplication:12345", Type: JobResyncType, ExternalJobPostingIDs: []string{"job-1234", "job-2345", "job-3456"}}},
		{name: "all jobs (LinkedIn's sample)",
			body: `{"developerApplicationUrn": "urn:li:developerApplication:12345", "syncAllOpenJobs": true, "type": "RESYNC_JOBS"}`,
			want: JobResync{DeveloperApplication: "urn:li:developerApplication:12345", Type: JobResyncType, SyncAllOpenJobs: true}},
		{name: "an unknown field is ignored",
			body: `{"developerApplicationUrn": "urn:li:developerApplication:1", "syncAllOpenJobs": true, "type": "RESYNC_JOBS", "new": 1}`,
			want: JobResync{DeveloperApplication: "urn:li:developerApplication:1", Type: JobResyncType, SyncAllOpenJobs: true}},
		{name: "another type", body: `{"developerApplicationUrn": "urn:li:developerApplication:1", "syncAllOpenJobs": true, "type": "JOB_STATUS_CHANGE"}`, err: true},
		{name: "no application", body: `{"syncAllOpenJobs": true, "type": "RESYNC_JOBS"}`, err: true},
		{name: "not an application URN", body: `{"developerApplicationUrn": "urn:li:organization:1", "syncAllOpenJobs": true, "type": "RESYNC_JOBS"}`, err: true},
		{name: "no syncAllOpenJobs", body: `{"developerApplicationUrn": "urn:li:developerApplication:1", "externalJobPostingIds": ["J1"], "type": "RESYNC_JOBS"}`, err: true},
		{name: "no job", body: `{"developerApplicationUrn": "urn:li:developerApplication:1", "syncAllOpenJobs": false, "type": "RESYNC_JOBS"}`, err: true},
		{name: "an empty job id", body: `{"developerApplicationUrn": "urn:li:developerApplication:1", "externalJobPostingIds": ["J1", " "], "syncAllOpenJobs": false, "type": "RESYNC_JOBS"}`, err: true},
		{name: "two objects", body: `{"developerApplicationUrn": "urn:li:developerApplication:1", "syncAllOpenJobs": true, "type": "RESYNC_JOBS"} {}`, err: true},
		{name: "not JSON", body: `RESYNC_JOBS`, err: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseJobResync([]byte(tc.body))
			if (err != nil) != tc.err {
				t.Fatalf("err %v, want an error: %v", err, tc.err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}
