package demo

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/rscgo/rscgo/examples/tracker"
	"github.com/rscgo/rscgo/milestones"
	rscsync "github.com/rscgo/rscgo/sync"
)

// Config configures a demo run. DataDir is required; every other field has
// a default.
type Config struct {
	// DataDir holds everything the demo keeps between runs (see the package
	// documentation). Run it again with the same DataDir to resume.
	DataDir string

	// Candidates is the size of Tracker's synthetic data (default 3000);
	// jobs, placements and activities scale with it. Used only when the
	// database is empty.
	Candidates int
	// Seed makes the synthetic data reproducible (default 1).
	Seed uint64
	// BadRecords is the fraction of deliberately invalid records, which end
	// up as dead letters (default 0.01; negative for none).
	BadRecords float64
	// GenerateNow is the end of the synthetic history (default time.Now()).
	GenerateNow time.Time

	// CustomerID is the ATS customer id (default "demo-customer", the
	// customer rscfake pre-provisions).
	CustomerID string
	// CustomerName names the customer in LinkedIn (default "Acme Recruiting").
	CustomerName string

	// Out receives the demo's output (default io.Discard).
	Out io.Writer
	// Terminal draws progress bars in place; otherwise progress is printed
	// as log lines. Set it with IsTerminal.
	Terminal bool

	// LinkedInURL and TokenURL select an RSC-compatible server, for example
	// go run ./rsc/rsctest/cmd/rscfake. Empty: the demo starts the fake
	// in-process. The LinkedIn side (admin toggles, InMail, exports) is
	// driven through the server's /_rsctest/ endpoints.
	LinkedInURL, TokenURL string
	// ClientID and ClientSecret are the partner (parent application)
	// credentials for LinkedInURL. The secret is never printed.
	ClientID, ClientSecret string

	// KeepFinished runs again over the data of a run that finished (an
	// incremental sync with nothing new to send) instead of wiping them and
	// starting fresh. An interrupted run is resumed either way.
	KeepFinished bool
	// AdminURL, if set, is printed at the start as where the Monitor's
	// Handler is served (ending in "/"), with the console's login address.
	AdminURL string

	// Monitor, if set, receives the live state for the admin page and
	// serves the operators' console over the run's stores.
	Monitor *Monitor
	// Telemetry, if set, receives the client's calls and the sync's
	// progress as OpenTelemetry metrics and traces (see NewTelemetry).
	Telemetry *Telemetry
	// AfterRun, if set, is called when a run has finished, before Run
	// closes Tracker's database, the fake LinkedIn and the stores: while it
	// runs, the Monitor's console can still retry dead letters and
	// reconcile content (tracker-demo -http waits there for Ctrl-C).
	AfterRun func(ctx context.Context, res *Result)
	// OnProgress, if set, is called after every sync progress event, from
	// the sync's goroutine.
	OnProgress func(rscsync.Progress)
}

func (c *Config) defaults() error {
	if c.DataDir == "" {
		return errors.New("demo: Config.DataDir is required")
	}
	if c.Candidates <= 0 {
		c.Candidates = 5000
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	switch {
	case c.BadRecords == 0:
		c.BadRecords = 0.01
	case c.BadRecords < 0:
		c.BadRecords = 0
	}
	if c.CustomerID == "" {
		c.CustomerID = "demo-customer"
	}
	if c.CustomerName == "" {
		c.CustomerName = "Acme Recruiting"
	}
	if c.Out == nil {
		c.Out = io.Discard
	}
	if c.LinkedInURL != "" && c.TokenURL == "" {
		c.TokenURL = c.LinkedInURL + "/oauth/v2/accessToken"
	}
	if c.LinkedInURL != "" && (c.ClientID == "" || c.ClientSecret == "") {
		return errors.New("demo: a LinkedIn URL needs the partner client id and secret")
	}
	return nil
}

// DefaultDataDir is the data directory used when none is given: under the
// user's cache directory, or the temporary directory.
func DefaultDataDir() string {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "rscgo-tracker-demo")
}

// The data directory's entries. Wipe removes exactly these.
const (
	dbFile         = "tracker.db"
	journalFile    = "linkedin-fake.journal"
	syncDir        = "sync-checkpoints"
	deadDir        = "sync-dead-letters"
	onboardingDir  = "onboarding"
	secretsDir     = "onboarding-secrets"
	milestonesDir  = "milestones"
	inmailDir      = "inmail-cursors"
	finishedFile   = "demo-finished" // written when a run finishes
	dbWAL, dbShm   = dbFile + "-wal", dbFile + "-shm"
	roundTripKey   = "demo.roundTrip" // Tracker setting: the LinkedIn round trip is done
	recruiterEmail = "admin@acme-recruiting.example.com"
)

// Wipe deletes the demo's files from dir (and nothing else), so the next
// run starts from scratch.
func Wipe(dir string) error {
	var errs []error
	for _, name := range []string{dbFile, dbWAL, dbShm, journalFile, syncDir, deadDir, onboardingDir, secretsDir, milestonesDir, inmailDir, finishedFile} {
		errs = append(errs, os.RemoveAll(filepath.Join(dir, name)))
	}
	return errors.Join(errs...)
}

// Start says how a run started.
type Start string

// How a run starts (the first line of its output says it).
const (
	StartFresh   Start = "fresh"   // an empty data directory, or the last run there finished
	StartResumed Start = "resumed" // the last run was interrupted: it goes on from its checkpoints
	StartAgain   Start = "again"   // over a finished run's data (Config.KeepFinished)
)

// Result is what a demo run did and found.
type Result struct {
	// Start says whether the run started fresh, resumed an interrupted
	// run, or ran again over a finished one.
	Start Start
	// Generated is the synthetic data created, nil when Tracker's database
	// already held data.
	Generated *tracker.GenerateResult
	// Replayed counts the journal entries replayed into the in-process
	// fake on start (0 on a first run).
	Replayed int
	// NewMilestones are the milestones reached during this run, in order;
	// Milestones all the milestones reached so far.
	NewMilestones, Milestones []milestones.Event
	// Sync is the report of this run's historical sync (nil if the sync
	// did not run).
	Sync *rscsync.Report
	// Sent counts the records this run's historical sync sent.
	Sent int64
	// Features is the final availability of every feature.
	Features milestones.Report
	// RoundTrip is what came back from LinkedIn into Tracker.
	RoundTrip RoundTrip
	// Reconciliation compares Tracker with LinkedIn per entity.
	Reconciliation []Reconciled
	// Content compares Tracker's records with LinkedIn's field by field.
	Content *rscsync.ContentReport
	// DeadLetters are the records LinkedIn (or validation) refused.
	DeadLetters []rscsync.DeadLetter
}

// Reconciled compares one entity's totals: Tracker's records in the
// historical window, the dead letters among them, what the sync engine
// counted as acknowledged, and what LinkedIn holds.
type Reconciled struct {
	Entity       string `json:"entity"`
	Tracker      int64  `json:"tracker"`
	DeadLetters  int64  `json:"deadLetters"`
	Acknowledged int64  `json:"acknowledged"`
	// LinkedIn is what LinkedIn holds, counted on the fake (-1 when the
	// server cannot be asked).
	LinkedIn int64 `json:"linkedIn"`
	// ContentDiffers counts the records whose content differs between
	// Tracker and LinkedIn (missing, stale or extra, field by field; -1
	// when the content could not be compared).
	ContentDiffers int64 `json:"contentDiffers"`
}

// Balanced reports whether LinkedIn holds every Tracker record that is not
// a dead letter, no more and no fewer, and with the same content.
func (x Reconciled) Balanced() bool {
	want := x.Tracker - x.DeadLetters
	if x.ContentDiffers != 0 {
		return false
	}
	if x.LinkedIn >= 0 {
		return x.LinkedIn == want && x.Acknowledged == want
	}
	return x.Acknowledged == want
}

// RoundTrip is what the LinkedIn-to-Tracker flows brought in.
type RoundTrip struct {
	// SkipReason says why the round trip did not run, "" if it did.
	SkipReason string `json:"skipReason,omitempty"`
	// InMailCandidate is the Tracker candidate the InMail conversation,
	// the shared contact information and the member deletion landed on.
	InMailCandidate string `json:"inMailCandidate,omitempty"`
	// Messages counts the InMail messages attached to it.
	Messages int `json:"messages"`
	// ExportCandidate and ExportJob are the candidate 1-Click Export
	// created and the job it was exported to.
	ExportCandidate string `json:"exportCandidate,omitempty"`
	ExportJob       string `json:"exportJob,omitempty"`
	// DeletionNotices counts the "member deleted their profile" activities.
	DeletionNotices int `json:"deletionNotices"`
}
