package inmail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"

	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/rsc"
)

// ErrWrongContext means an export payload belongs to another integration
// context than the customer whose callback received the event.
var ErrWrongContext = errors.New("inmail: export belongs to another integration context")

// maxExportIDs bounds the remembered export request ids.
const maxExportIDs = 1000

// ExportResult is the outcome of HandleExport.
type ExportResult struct {
	// RequestID is the push event's request id that was handled.
	RequestID string `json:"requestId,omitempty"`
	// Duplicate: the request id was already handled; nothing was done.
	Duplicate bool `json:"duplicate,omitempty"`
	// InProgress: the request id is being processed already, in this
	// process (a push, or RunOnce) or by another Retriever over the same
	// CursorStore (PendingExport.ClaimedUntil); nothing was done.
	InProgress bool `json:"inProgress,omitempty"`
	// Items are the outcomes of the payload's members, in its order; none
	// when nothing was done or the payload could not be read.
	Items []ExportItem `json:"items,omitempty"`
}

// ExportItem is the outcome for one exported member.
type ExportItem struct {
	// Person is the member's person URN; a member exported without one
	// fails.
	Person string `json:"person,omitempty"`
	JobID  string `json:"jobId,omitempty"` // the chosen job's externalJobPostingId
	// CandidateID is the ATS id of the candidate created or matched, ""
	// when the member failed before that.
	CandidateID string `json:"candidateId,omitempty"`
	// CandidateCreated is false when an existing candidate matched (a re-export).
	CandidateCreated bool `json:"candidateCreated,omitempty"`
	// ApplicationCreated is false when the candidate already had an
	// application on the job.
	ApplicationCreated bool `json:"applicationCreated,omitempty"`
	// Resynced: WithResync ran without error.
	Resynced bool `json:"resynced,omitempty"`
	// Attached: the person URN was attached on LinkedIn (manualMatchedMember).
	// Until it is (LinkedIn does not hold the candidate yet, or a stop or a
	// failure came first), the attachment is kept in the cursors and retried
	// by RunOnce (AttachPending).
	Attached bool `json:"attached,omitempty"`
	// Err is this member's failure, if any (also joined into HandleExport's
	// error); in JSON, its message under "error".
	Err error `json:"-"`
}

// MarshalJSON encodes the item with its failure's message as "error".
func (it ExportItem) MarshalJSON() ([]byte, error) {
	type item ExportItem // without this method
	var msg string
	if it.Err != nil {
		msg = it.Err.Error()
	}
	return json.Marshal(struct {
		item
		Error string `json:"error,omitempty"`
	}{item(it), msg})
}

// HandleExport processes one EXPORT_CANDIDATE_PROFILE event: it journals
// the request id (AcceptExport), fetches the exportedCandidates payload,
// checks the integration context, creates the candidate (or matches it by
// person URN: a re-export never duplicates) and an application on the
// chosen job (a second job is linked to the same candidate), stores the
// person URN and profile link, records an NoticeExported notice (and a
// NoticeMemberDeleted notice when the member closed their account while
// the export was pending, see PollDeletions), re-syncs
// the candidate (WithResync) and attaches the person URN on LinkedIn.
//
// The re-sync runs before the attach, so that the candidate exists on
// LinkedIn when the person URN is attached, and a full-replace upsert of the
// candidate cannot clear it afterwards.
//
// The journal entry is cleared only once every exported member is in the
// ATS. Until then a failure leaves it for RunOnce (RetryPendingExports),
// with backoff; after the last attempt (WithExportRetry), or at once for a
// payload of another integration context (ErrWrongContext), the export
// becomes a dead letter and the error a *DeadLetterError. Every write is
// idempotent, so an export retried after a partial one or a stop creates
// one candidate and one application.
//
// A request id handled before returns Duplicate, one being processed
// InProgress, and a dead letter its *DeadLetterError (RetryExport
// journals it again). It needs the 1-Click Export setting
// (milestones.ExportToATS); otherwise the attempt fails with an
// *UnavailableError. onboarding's push dispatch can call it directly.
func (r *Retriever) HandleExport(ctx context.Context, requestID string) (ExportResult, error) {
	if ctx == nil {
		return ExportResult{}, errNilContext
	}
	res := ExportResult{RequestID: requestID}
	switch st, dead, err := r.acceptExport(ctx, requestID); {
	case err != nil:
		return res, err
	case st == exportDone:
		res.Duplicate = true
		return res, nil
	case st == exportDead:
		return res, &DeadLetterError{DeadExport: dead}
	}
	if !r.claimExport(requestID) {
		res.InProgress = true
		return res, nil
	}
	defer r.releaseExport(requestID)
	return r.attemptExport(ctx, requestID)
}

// attemptExport makes one counted attempt of a journaled export, which the
// caller has claimed.
func (r *Retriever) attemptExport(ctx context.Context, id string) (ExportResult, error) {
	res := ExportResult{RequestID: id}
	// The attempt ends by the end of its claim (MaxExportAttempt), real
	// time as a request's time limit is: another Retriever may take the
	// export over then.
	ctx, cancel := context.WithTimeout(ctx, MaxExportAttempt)
	defer cancel()
	switch st, err := r.beginAttempt(ctx, id, r.now().Add(MaxExportAttempt)); {
	case err != nil:
		return res, err
	case st == exportClaimed:
		res.InProgress = true
		return res, nil
	case st != exportPending:
		res.Duplicate = true
		return res, nil
	}
	var err error
	if res.Items, err = r.exportItems(ctx, id); err != nil {
		return res, r.failAttempt(ctx, id, err)
	}
	if err := r.finishExport(ctx, id); err != nil {
		return res, err
	}
	r.log.DebugContext(ctx, "export handled", "request", id, "items", len(res.Items))
	return res, nil
}

// exportItems fetches an export's payload and brings every member into
// the ATS.
func (r *Retriever) exportItems(ctx context.Context, requestID string) ([]ExportItem, error) {
	st, err := r.state(ctx)
	if err != nil {
		return nil, err
	}
	if on, why := featureOn(st, milestones.ExportToATS); !on {
		return nil, &UnavailableError{Feature: milestones.ExportToATS, Reason: why}
	}
	exported, err := r.cfg.Client.Exports.Get(ctx, requestID)
	if err != nil {
		return nil, fmt.Errorf("inmail: exportedCandidates %s: %w", requestID, err)
	}
	c, _ := r.cached(ctx) // the seats, for mapping the exporter; unmapped is fine
	seats := c.Seats
	var items []ExportItem
	var errs []error
	for _, it := range exported {
		item := r.exportOne(ctx, st, requestID, seats, it)
		if item.Err != nil {
			errs = append(errs, item.Err)
		}
		items = append(items, item)
	}
	return items, errors.Join(errs...)
}

func (r *Retriever) exportOne(ctx context.Context, st milestones.State, requestID string, seats []SeatHolder, it rsc.ExportedCandidate) (item ExportItem) {
	person := it.Candidate.Person
	item = ExportItem{Person: person, JobID: it.ExternalJobPostingID}
	fail := func(err error) ExportItem {
		item.Err = fmt.Errorf("inmail: export %s of %s: %w", requestID, person, err)
		return item
	}
	if it.IntegrationContext != r.cfg.Organization {
		return fail(ErrWrongContext)
	}
	if person == "" {
		return fail(errors.New("export without a person URN"))
	}
	url := it.Candidate.ProfileURL
	if url == "" {
		url = r.opt.profileURL(person)
	}
	owner := userOf(seats, it.Exporter)

	c, created, err := r.matchOrCreate(ctx, person, "", NewCandidate{
		Person: person, FirstName: it.Candidate.FirstName, LastName: it.Candidate.LastName,
		Headline: it.Candidate.Headline, Location: it.Candidate.Location, ProfileURL: url,
		Origin: OriginExport, Owner: owner, At: it.ExportedAt.Time(),
	})
	if err != nil {
		return fail(err)
	}
	if created {
		c.ProfileURL = url
		item.CandidateCreated = true
	}
	item.CandidateID = c.ID

	if it.ExternalJobPostingID != "" {
		item.ApplicationCreated, err = r.cfg.Sink.EnsureApplication(ctx, c.ID, it.ExternalJobPostingID, OriginExport)
		if err != nil {
			return fail(err)
		}
	}
	if c.ProfileURL == "" {
		if err := r.cfg.Sink.SetLinkedInProfile(ctx, c.ID, Profile{Person: person, URL: url}); err != nil {
			return fail(err)
		}
	}
	if err := r.cfg.Sink.RecordNotice(ctx, c.ID, Notice{
		ID: "export:" + requestID + ":" + person, Kind: NoticeExported, At: it.ExportedAt.Time(),
		Text: "Exported from LinkedIn Recruiter", Member: person, Seat: it.Exporter, User: owner,
		JobID: it.ExternalJobPostingID,
	}); err != nil {
		return fail(err)
	}
	if err := r.noticeIfClosed(ctx, st, c.ID, person); err != nil {
		return fail(err)
	}
	if err := r.resyncAndAttach(ctx, c.ID, person, &item); err != nil {
		return fail(err)
	}
	return item
}

// resyncAndAttach re-syncs an exported candidate (WithResync) and attaches
// its person URN on LinkedIn. The attachment is owed from the start: it is
// saved in the cursors before the re-sync and the attach and cleared once
// LinkedIn holds it, so that a stop or a failure in between leaves it for
// RunOnce (AttachPending) instead of losing it. It also waits there while
// LinkedIn does not hold the candidate yet (no Resync, or the sync has not
// run).
func (r *Retriever) resyncAndAttach(ctx context.Context, candidateID, person string, item *ExportItem) error {
	if err := r.update(ctx, func(cu *Cursors) {
		if cu.Attaches == nil {
			cu.Attaches = map[string]string{}
		}
		cu.Attaches[candidateID] = person
	}); err != nil {
		return err
	}
	if r.opt.resync != nil {
		if err := r.opt.resync(ctx, candidateID); err != nil {
			return fmt.Errorf("resync: %w", err)
		}
		item.Resynced = true
	}
	attached, err := r.attach(ctx, map[string]string{candidateID: person})
	if err != nil {
		return fmt.Errorf("attach person: %w", err)
	}
	item.Attached = attached[candidateID]
	if !item.Attached {
		return nil
	}
	return r.update(ctx, func(cu *Cursors) {
		if cu.Attaches[candidateID] == person {
			delete(cu.Attaches, candidateID)
		}
	})
}

// attach sets manualMatchedMember on LinkedIn for candidate id → person.
// It reports which succeeded; a candidate LinkedIn does not hold (404) is
// not an error, other per-record failures are.
func (r *Retriever) attach(ctx context.Context, links map[string]string) (map[string]bool, error) {
	var pl []rsc.PersonLink
	for _, id := range slices.Sorted(maps.Keys(links)) {
		pl = append(pl, rsc.PersonLink{Key: rsc.CandidateKey{IntegrationContext: r.cfg.Organization, CandidateID: id}, Person: links[id]})
	}
	br, err := r.cfg.Client.Candidates.AttachPerson(ctx, pl)
	if err != nil {
		return nil, err
	}
	ok := map[string]bool{}
	var errs []error
	for _, it := range br.Items {
		var ee *rsc.EntityError
		switch {
		case it.OK():
			ok[it.Key.CandidateID] = true
		case errors.As(it.Err, &ee) && ee.Status == http.StatusNotFound:
		default:
			errs = append(errs, it.Err)
		}
	}
	return ok, errors.Join(errs...)
}

// AttachPending retries person URN attachments of exported candidates that
// LinkedIn did not hold yet (see HandleExport). RunOnce calls it.
func (r *Retriever) AttachPending(ctx context.Context) (attached int, err error) {
	if ctx == nil {
		return 0, errNilContext
	}
	c, err := r.cached(ctx)
	if err != nil || len(c.Attaches) == 0 {
		return 0, err
	}
	ok, err := r.attach(ctx, c.Attaches)
	if len(ok) > 0 {
		if uerr := r.update(ctx, func(cu *Cursors) {
			for id := range ok {
				if cu.Attaches[id] == c.Attaches[id] {
					delete(cu.Attaches, id)
				}
			}
		}); uerr != nil {
			err = errors.Join(err, uerr)
		}
	}
	return len(ok), err
}

// matchOrCreate finds the ATS candidate of person (or email) or creates
// nc, holding matchMu so that two imports of one member create one
// candidate; the lock is released however the Sink returns, a panic
// included. created reports whether it created the candidate.
func (r *Retriever) matchOrCreate(ctx context.Context, person, email string, nc NewCandidate) (c Candidate, created bool, err error) {
	r.matchMu.Lock()
	defer r.matchMu.Unlock()
	c, found, err := FindMatch(ctx, r.cfg.Sink, person, email)
	if err != nil || found {
		return c, false, err
	}
	id, err := r.cfg.Sink.CreateCandidate(ctx, nc)
	if err != nil {
		return Candidate{}, false, err
	}
	return Candidate{ID: id, Person: person}, true, nil
}
