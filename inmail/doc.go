// Package inmail brings LinkedIn Recruiter data into the ATS: InMail
// history and prospect notes on candidate records, candidates created when a
// member replies and shares contact information (stub profiles), 1-Click
// Export ("Export to ATS") creating a candidate and an application on the
// chosen job, LinkedIn profile links on candidate records, and a notice
// when a member closes their LinkedIn account.
//
// # Pieces
//
//   - Sink is the ATS side; MemorySink is a reference implementation.
//   - Retriever runs the flows of one customer: RefreshSeats, PollStubs,
//     PollInMail, PollNotes, HandleExport (and PushHandler, the handler of
//     the customer's push notifications), RefreshLinks and PollDeletions,
//     or all polls with RunOnce.
//   - Scheduler runs RunOnce for many customers with jitter and backoff.
//   - CursorStore persists each customer's positions (MemoryCursors,
//     FileCursors). A CursorUpdater changes them atomically, which lets
//     several Retrievers of one customer (the webhook's beside the
//     scheduler's, replicas of a service) share them.
//
// # Matching: never a duplicate
//
// Flows that may create a candidate (stub profiles, exports) first look for
// one with FindMatch: by LinkedIn person URN, then by email
// (case-insensitive); when several match, the most recently updated wins
// (Bullhorn's rule). Find-and-create is serialised within a Retriever; a Sink
// shared by several processes must enforce uniqueness itself. InMail
// messages and notes never create a candidate: an outbound InMail with no
// reply, or a reply without shared contact information, is attached only to
// a candidate that already matches the member.
//
// # Gates
//
// Every flow asks the milestones engine (Config.State supplies the live
// milestones.State) whether its feature works and for which records:
//
//	Flow               Feature                              Needs
//	seats              (contract-level access)              CSA_API enabled
//	InMail, notes      milestones.InMailSync                contract-level access
//	stub profiles      milestones.ShareContactInfoInMail    contract-level access, InMail Stub Profile
//	1-Click Export     milestones.ExportToATS               1-Click Export setting
//	profile links      milestones.ProfileOnCandidateRecord  Profile Widget setting
//	member deletions   milestones.MemberDeletionActivity    any access
//
// A customer with company-level access only therefore gets exports, links
// and deletion notices, but no seats, InMail, notes or stubs (no call is
// made). Until Candidate Sync completes, InMails, notes, links and deletion
// notices reach only candidates modified since the integration was
// enabled; records of other members are remembered (member and time only)
// and read again when their candidate becomes covered or matches. A
// member who closes their account is remembered too, for ClosedMemberTTL,
// and the candidate an export or a stub profile brings in later (the ATS
// held none of theirs, their export still journaled, say, or the customer
// deleted it on the notice) gets the notice.
//
// # Exports: nothing LinkedIn pushed is lost
//
// An EXPORT_CANDIDATE_PROFILE push is answered 2xx only once its request id
// is journaled in the CursorStore (AcceptExport; PushHandler does it, and
// HandleExport first thing); a push the journal cannot store is answered
// 503, so LinkedIn redelivers it. The journal entry is cleared only when
// the ATS holds every exported member. An export that fails part-way (the
// Sink errs, LinkedIn's retrieval fails, the process dies) stays journaled
// and RunOnce (so the Scheduler) retries it once its backoff has passed on
// the injected clock: 1 minute doubling up to 1 hour, for 10 attempts
// (WithExportRetry). An attempt counts when it starts, so a process that
// dies during each one still reaches the limit; cancellation and a spent
// daily quota do not count. An attempt that runs out of time (its
// failures are all context.DeadlineExceeded or rsc.ErrAttemptTimeout: a
// slow ATS or LinkedIn) does
// not count either, as the export is not at fault; such attempts have a
// limit of their own, 48 by default (WithExportTimeouts), so that an ATS
// that never answers in time is not retried for ever. After the last
// attempt, or at once for a payload of another integration context, the
// export becomes a dead letter: a *DeadLetterError with the request id and
// the reason, listed by DeadExports and in every RunReport, until
// RetryExport or DismissExport.
// Duplicate pushes of one id, and retries after a partial export, bring it
// into the ATS once: the id is processed by one caller at a time, handled
// ids are remembered, and every Sink write is idempotent. At most
// MaxPendingExports exports wait in the journal; beyond that pushes are
// answered 503. InMail, notes, stub profiles and member deletions are
// polled, not pushed: their cursors advance only after the Sink holds what
// they cover. A message, note or stub profile the Sink refuses stops its
// stream there, with an error naming the record and its member; once it
// has been refused in WithRecordAttempts polls in a row (10 by default)
// it becomes a dead letter, listed by DeadRecords and in every RunReport
// until RetryRecord or DismissRecord, and the stream goes on past it (a
// poll that meets it again passes it over when it is refused again). At
// most MaxDeadRecords are held; beyond that a refused record keeps its
// stream stopped. A member deletion notice the Sink refuses holds back no
// other member's: its member is kept pending and read again on every
// run, never given up on. A seat a refresh no longer lists is read on as a
// RetiringSeat until every poll has passed that refresh, so that its
// records created since the last poll are not passed over.
//
// # Construction
//
// New takes a Config (what the Retriever must know about the customer: ids,
// client, Sink and milestones state, all validated) and Options (stores,
// hooks and tunables with defaults: WithClock, WithCursorStore,
// WithResync, ...). Options validate their input and constructors return
// the first error; an option given to a constructor it does not apply to
// is an error too.
//
// Every function and method of the package given a nil context returns an
// error ("inmail: nil context") and does nothing: it reads and writes no
// store or Sink, sends nothing and starts no goroutine.
//
// # Quotas and time
//
// conversationEvents windows are at most 12 hours, and records are paced
// to 12 per seat per minute (WithRecordsPerMinute) on the injected
// rsc.Clock; the rsc client paces the daily quotas. mailStubs windows are
// at most 7 days (StubWindow), halved as often as needed to stay within
// the 20,000 results LinkedIn's stub search lists for one query.
//
// LinkedIn stamps InMail events, stub profiles, prospect notes and
// closures with its own clock, so the windows end at now minus the lag
// (WithLag), and the closed-profiles poll reads again from 24 hours before
// its start, by the earlier of the injected clock and LinkedIn's as the
// client knows it from the Date headers of its answers
// (rsc.Client.LinkedInNow, docs/linkedin-api.md §2.5); the ages of closed
// and pending members are counted on it too. A host clock that runs ahead
// would otherwise put the end of a window in LinkedIn's future, and the
// records LinkedIn stamps before it but lists later would be passed over.
// On a client's first poll the windows are set before any answer: a
// stream then moves no further than its answers say LinkedIn's clock
// allows, and the records read past that are read again. A host clock that
// runs behind stays the bound. A position the injected clock finds ahead
// of itself (saved while the machine's clock ran ahead, since set back) is
// brought back before now (WithClockSkew), so records are read again
// rather than passed over.
// Nothing is logged unless WithLogger is given, and then only ids and
// counts: never message bodies, notes, emails or secrets.
package inmail
