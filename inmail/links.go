package inmail

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/rsc"
)

// QueueLinks queues candidates for the next RefreshQueuedLinks (run by
// RunOnce). Call it after the sync package synced them.
func (r *Retriever) QueueLinks(candidateIDs ...string) {
	r.linkMu.Lock()
	defer r.linkMu.Unlock()
	for _, id := range candidateIDs {
		if id != "" {
			r.linkQueue[id] = true
		}
	}
}

// RefreshQueuedLinks runs RefreshLinks on the queued candidates; those not
// processed because of an error stay queued.
func (r *Retriever) RefreshQueuedLinks(ctx context.Context) (LinkReport, error) {
	if ctx == nil {
		return LinkReport{}, errNilContext
	}
	r.linkMu.Lock()
	ids := slices.Sorted(maps.Keys(r.linkQueue))
	clear(r.linkQueue)
	r.linkMu.Unlock()
	rep, done, err := r.refreshLinks(ctx, ids)
	if err != nil {
		r.QueueLinks(ids[done:]...)
	}
	return rep, err
}

// RefreshLinks reads the candidates' member matches back from LinkedIn
// (matchedMembers, manualMatchedMember) and stores the person URN and a
// profile link on each ATS record (milestones.ProfileOnCandidateRecord).
// The manual match wins; otherwise a single algorithmic match is used, and
// several algorithmic matches are left for a user to resolve in the profile
// widget. An algorithmic match never replaces a person URN the ATS already
// stores (it may come from a manual link in the widget).
func (r *Retriever) RefreshLinks(ctx context.Context, candidateIDs []string) (LinkReport, error) {
	if ctx == nil {
		return LinkReport{}, errNilContext
	}
	rep, _, err := r.refreshLinks(ctx, candidateIDs)
	return rep, err
}

// refreshLinks returns how many ids (a prefix) were fully processed.
func (r *Retriever) refreshLinks(ctx context.Context, ids []string) (LinkReport, int, error) {
	var rep LinkReport
	if len(ids) == 0 {
		return rep, 0, nil
	}
	st, err := r.state(ctx)
	if err != nil {
		return rep, 0, err
	}
	if on, why := featureOn(st, milestones.ProfileOnCandidateRecord); !on {
		rep.SkipReason = why
		return rep, len(ids), nil
	}
	done := 0
	for chunk := range slices.Chunk(ids, rsc.MaxBatchSize) {
		keys := make([]rsc.CandidateKey, len(chunk))
		for i, id := range chunk {
			keys[i] = rsc.CandidateKey{IntegrationContext: r.cfg.Organization, CandidateID: id}
		}
		recs, err := r.cfg.Client.Candidates.Get(ctx, keys, "matchedMembers", "manualMatchedMember")
		if err != nil {
			return rep, done, fmt.Errorf("inmail: read candidate matches: %w", err)
		}
		for _, k := range keys {
			if err := r.linkOne(ctx, st, k.CandidateID, recs[k], &rep); err != nil {
				return rep, done, err
			}
			done++
		}
	}
	return rep, done, nil
}

func (r *Retriever) linkOne(ctx context.Context, st milestones.State, id string, rec *rsc.CandidateRecord, rep *LinkReport) error {
	if rec == nil {
		rep.Missing++
		return nil
	}
	rep.Checked++
	person, manual := rec.ManualMatchedMember, true
	if person == "" {
		manual = false
		if len(rec.MatchedMembers) == 1 {
			person = rec.MatchedMembers[0]
		}
	}
	if person == "" {
		rep.Unmatched++
		return nil
	}
	c, err := r.cfg.Sink.Candidate(ctx, id)
	if errors.Is(err, ErrCandidateNotFound) {
		rep.Missing++
		return nil
	}
	if err != nil {
		return fmt.Errorf("inmail: candidate %s: %w", id, err)
	}
	if ok, _ := milestones.Available(st, milestones.ProfileOnCandidateRecord, c.UpdatedAt); !ok {
		rep.NotAllowed++
		return nil
	}
	if c.Person != "" && c.Person != person && !manual {
		return nil // keep the ATS's own link over an algorithmic guess
	}
	url := c.ProfileURL
	if c.Person != person || url == "" {
		url = r.opt.profileURL(person)
	}
	if c.Person == person && c.ProfileURL == url {
		return nil
	}
	if err := r.cfg.Sink.SetLinkedInProfile(ctx, id, Profile{Person: person, URL: url}); err != nil {
		return fmt.Errorf("inmail: store link of %s: %w", id, err)
	}
	rep.Linked++
	return nil
}
