package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rscgo/rscgo/examples/tracker"
	"github.com/rscgo/rscgo/inmail"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// roundTrip runs the flows that bring LinkedIn Recruiter data into Tracker:
// a recruiter InMails a candidate who replies and shares contact details,
// a recruiter exports a member to a Tracker job with 1-Click Export, and a
// member closes their LinkedIn account. The LinkedIn side is simulated; the
// inmail package's Retriever with tracker.Sink does Tracker's side.
func (r *run) roundTrip() error {
	ctx := r.ctx
	if done, err := r.db.Setting(ctx, roundTripKey); err != nil || done != "" {
		r.out.printf("\nLinkedIn → Tracker: already done in an earlier run")
		r.res.RoundTrip.SkipReason = "done in an earlier run"
		return err
	}
	r.out.printf("\nLinkedIn → Tracker (InMail, 1-Click Export, a member deletion)")
	seat, err := r.recruiterSeat(ctx)
	if err != nil {
		return err
	}
	ret, err := r.retriever()
	if err != nil {
		return err
	}
	member, err := r.inMailReply(ctx, ret, seat)
	if err != nil {
		return err
	}
	if err := r.oneClickExport(ctx, ret, seat); err != nil {
		return err
	}
	if err := r.memberDeletion(ctx, ret, member); err != nil {
		return err
	}
	if err := r.printRows(ctx, r.res.RoundTrip.InMailCandidate, r.res.RoundTrip.ExportCandidate); err != nil {
		return err
	}
	return r.db.SetSetting(ctx, roundTripKey, time.Now().UTC().Format(time.RFC3339))
}

// recruiterSeat gives a Tracker recruiter a Recruiter seat: their LinkedIn
// member is the person URN Tracker stores on the user, so seats map to
// users.
func (r *run) recruiterSeat(ctx context.Context) (rsctest.Seat, error) {
	var userID, userFirst, userLast, userPerson string
	err := r.db.SQL().QueryRowContext(ctx, `SELECT id, first_name, last_name, linkedin_person_urn FROM users
		WHERE linkedin_person_urn IS NOT NULL ORDER BY id LIMIT 1`).Scan(&userID, &userFirst, &userLast, &userPerson)
	if err != nil {
		return rsctest.Seat{}, fmt.Errorf("demo: a recruiter with a LinkedIn account: %w", err)
	}
	if _, err := r.li.addMember(ctx, rsctest.MemberSpec{Person: userPerson, FirstName: userFirst, LastName: userLast,
		Email: strings.ToLower(userFirst+"."+userLast) + "@agency.example.com"}); err != nil {
		return rsctest.Seat{}, err
	}
	seat, err := r.li.addSeat(ctx, r.contract.App.ClientID, userPerson)
	if err != nil {
		return rsctest.Seat{}, err
	}
	r.out.printf("  Recruiter seat %s held by Tracker user %s (%s %s)", seat.URN, userID, userFirst, userLast)
	return seat, nil
}

// retriever is Tracker's side of the LinkedIn-to-ATS flows: the inmail
// package writing into tracker.Sink.
func (r *run) retriever() (*inmail.Retriever, error) {
	cursors, err := inmail.NewFileCursors(r.path(inmailDir))
	if err != nil {
		return nil, err
	}
	sink, err := tracker.NewSink(r.db)
	if err != nil {
		return nil, err
	}
	return inmail.New(inmail.Config{
		CustomerID:   r.cust,
		Client:       r.client,
		Organization: r.contract.Organization,
		Contracts:    []string{r.contract.ContractURN},
		Sink:         sink,
		State:        func(context.Context) (milestones.State, error) { return r.state(), nil },
	},
		inmail.WithCursorStore(cursors),
		inmail.WithResync(func(ctx context.Context, _ string) error { _, err := r.eng.Run(ctx); return err }),
		inmail.WithLag(pollLag),
		inmail.WithRecordsPerMinute(10_000), // relaxed like the fake's throttles (LinkedIn: 12 per member a minute)
	)
}

// inMailReply: the recruiter InMails a synced candidate (a LinkedIn member
// with their email), who replies and shares their contact information; the
// next poll brings both messages and the shared details into Tracker. It
// returns the member.
func (r *run) inMailReply(ctx context.Context, ret *inmail.Retriever, seat rsctest.Seat) (rsctest.Member, error) {
	var candID, first, last, email string
	err := r.db.SQL().QueryRowContext(ctx, `SELECT id, first_name, last_name, email FROM candidates
		WHERE email LIKE '%_@_%._%' AND linkedin_person_urn IS NULL ORDER BY modified_at DESC, id DESC LIMIT 1`).
		Scan(&candID, &first, &last, &email)
	if err != nil {
		return rsctest.Member{}, fmt.Errorf("demo: a candidate for the InMail: %w", err)
	}
	member, err := r.li.addMember(ctx, rsctest.MemberSpec{FirstName: first, LastName: last, Email: email,
		Headline: "Open to new opportunities"})
	if err != nil {
		return member, err
	}
	r.res.RoundTrip.InMailCandidate = candID
	clientID := r.contract.App.ClientID
	conv, err := r.li.sendInMail(ctx, clientID, seat.URN, member.Person, "A Senior Engineer role in Leeds",
		"Hi "+first+", I think this role would suit you. Open to a chat?")
	if err != nil {
		return member, err
	}
	if err := r.li.replyInMail(ctx, clientID, conv, "Happy to talk. My details are attached.", true); err != nil {
		return member, err
	}
	// A scheduler would poll minutes after the messages; the demo waits
	// until LinkedIn's clock, which the poller reads to the second from the
	// Date of its answers, has passed them by more than pollLag.
	if err := rsc.SystemClock().Sleep(ctx, time.Second+100*time.Millisecond); err != nil {
		return member, err
	}
	rep, err := ret.RunOnce(ctx)
	if err != nil {
		return member, fmt.Errorf("demo: InMail poll: %w", err)
	}
	r.res.RoundTrip.Messages = rep.InMail.Attached
	r.out.printf("  InMail poll: %d seat(s), %d stub profile(s), %d message(s) attached to %s %s (%s)",
		len(rep.Seats.Seats), rep.Stubs.Matched+rep.Stubs.Created, rep.InMail.Attached, first, last, candID)
	return member, nil
}

// oneClickExport: the recruiter exports a member Tracker does not know to
// an open job; LinkedIn pushes EXPORT_CANDIDATE_PROFILE to the
// CALLBACK_URL, whose handler passes the request id to HandleExport.
func (r *run) oneClickExport(ctx context.Context, ret *inmail.Retriever, seat rsctest.Seat) error {
	var jobID, jobTitle string
	err := r.db.SQL().QueryRowContext(ctx, `SELECT id, title FROM jobs WHERE status = 'open' AND length(description) >= 100
		ORDER BY modified_at DESC, id DESC LIMIT 1`).Scan(&jobID, &jobTitle)
	if err != nil {
		return fmt.Errorf("demo: an open job: %w", err)
	}
	ann, err := r.li.addMember(ctx, rsctest.MemberSpec{FirstName: "Ann", LastName: "Lee", Headline: "Data Engineer at Globex Systems",
		Location: "Leeds, England, United Kingdom"})
	if err != nil {
		return err
	}
	reqID, err := r.li.export(ctx, r.contract.App.ClientID, seat.URN, ann.Person, jobID)
	if err != nil {
		return err
	}
	exp, err := ret.HandleExport(ctx, reqID)
	if err != nil {
		return fmt.Errorf("demo: 1-Click Export: %w", err)
	}
	if len(exp.Items) != 1 {
		return fmt.Errorf("demo: export %s carried %d members", reqID, len(exp.Items))
	}
	it := exp.Items[0]
	r.res.RoundTrip.ExportCandidate, r.res.RoundTrip.ExportJob = it.CandidateID, jobID
	r.out.printf("  1-Click Export of Ann Lee to %s %q: candidate %s created: %v, placement created: %v, re-synced: %v, linked on LinkedIn: %v",
		jobID, jobTitle, it.CandidateID, it.CandidateCreated, it.ApplicationCreated, it.Resynced, it.Attached)
	return nil
}

// memberDeletion: the member InMailed above closes their LinkedIn account;
// the closed-profile poll records it on their Tracker candidate.
func (r *run) memberDeletion(ctx context.Context, ret *inmail.Retriever, member rsctest.Member) error {
	if err := r.li.closeMemberAccount(ctx, member.Person); err != nil {
		return err
	}
	del, err := ret.PollDeletions(ctx)
	if err != nil {
		return fmt.Errorf("demo: closed profiles: %w", err)
	}
	r.res.RoundTrip.DeletionNotices = del.Notices
	r.out.printf("  Closed profiles poll: %d closed profile(s), %d notice(s) written", del.Profiles, del.Notices)
	return nil
}

// printRows shows what landed in Tracker's tables.
func (r *run) printRows(ctx context.Context, inmailCand, exportCand string) error {
	db := r.db.SQL()
	r.out.printf("\n  What landed in Tracker:")
	var source, person, url, stage, job string
	err := db.QueryRowContext(ctx, `SELECT c.source, COALESCE(c.linkedin_person_urn, ''), COALESCE(c.linkedin_profile_url, ''),
		COALESCE(p.current_stage, ''), COALESCE(p.job_id, '')
		FROM candidates c LEFT JOIN placements p ON p.candidate_id = c.id WHERE c.id = ?`, exportCand).
		Scan(&source, &person, &url, &stage, &job)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	r.out.printf("  candidates  %s  source %q  person %s  %s", exportCand, source, person, url)
	r.out.printf("  placements  %s on %s  stage %q", exportCand, job, stage)
	rows, err := db.QueryContext(ctx, `SELECT id, kind, candidate_id, subject, body FROM activities
		WHERE candidate_id IN (?, ?) AND external_id IS NOT NULL ORDER BY candidate_id DESC, created_at, id`, inmailCand, exportCand)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, kind, cand, subject, body string
		if err := rows.Scan(&id, &kind, &cand, &subject, &body); err != nil {
			return err
		}
		text := subject
		if body != "" && kind == "inmail" {
			text = body
		}
		if len([]rune(text)) > 60 {
			text = string([]rune(text)[:57]) + "..."
		}
		r.out.printf("  activities  %s  %-15s on %s  %q", id, kind, cand, text)
	}
	return rows.Err()
}

// pollLag is how far the demo's InMail poller keeps its windows behind
// LinkedIn's time: a millisecond, where a service keeps the default minute
// (inmail.DefaultLag) for messages LinkedIn indexes late.
const pollLag = time.Millisecond
