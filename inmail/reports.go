package inmail

// The reports of the Retriever's flows.

// InMailReport is the outcome of PollInMail.
type InMailReport struct {
	// Skipped says why nothing was done (the gate's reason), "" otherwise.
	Skipped  string
	Seats    int // seats polled
	Windows  int // 12-hour windows read (new and replayed)
	Events   int // events read
	Attached int // messages attached to candidates
	// Pending counts events kept for later: no candidate matched the
	// member, or the milestones did not cover the candidate yet.
	Pending int
	// Replayed counts members whose pending messages were read again on
	// this run, now that a candidate the milestones cover matches them;
	// the messages attached then are counted in Attached.
	Replayed int
	// DeadLettered counts messages given up on during this run (DeadRecords).
	DeadLettered int
}

// NotesReport is the outcome of PollNotes.
type NotesReport struct {
	// Skipped says why nothing was done (the gate's reason), "" otherwise.
	Skipped  string
	Notes    int // notes read
	Upserted int // active notes written to candidates
	Deleted  int // inactive notes deleted from candidates
	// Pending counts active notes kept for later (no match, or not covered
	// by the milestones yet).
	Pending int
	// Replayed counts members whose pending notes were read again on this
	// run.
	Replayed int
	// DeadLettered counts notes given up on during this run (DeadRecords).
	DeadLettered int
}

// StubReport is the outcome of PollStubs.
type StubReport struct {
	// Skipped says why nothing was done (the gate's reason), "" otherwise.
	Skipped string
	Stubs   int // stubs read
	Created int // candidates created
	Matched int // stubs matched to an existing candidate
	Linked  int // matched candidates that got the person URN stored
	// DeadLettered counts stubs given up on during this run (DeadRecords).
	DeadLettered int
}

// DeletionReport is the outcome of PollDeletions.
type DeletionReport struct {
	// Skipped says why nothing was done (the gate's reason), "" otherwise.
	Skipped  string
	Profiles int // closed profiles read
	// Notices counts notices written, one per affected candidate;
	// notices read again (overlap, pending members) are rewritten idempotently.
	Notices int
	// Pending counts members whose candidates the milestones do not cover
	// yet; they are read again on later polls.
	Pending int
	// Remembered counts members of whom the ATS holds no candidate yet,
	// remembered (Cursors.ClosedMembers) for the candidate an export or a
	// stub profile may bring in later.
	Remembered int
}

// LinkReport is the outcome of RefreshLinks.
type LinkReport struct {
	// Skipped says why nothing was done (the gate's reason), "" otherwise.
	Skipped string
	Checked int // candidates read back from LinkedIn
	Linked  int // candidates whose person URN or link was stored or changed
	// Unmatched counts candidates LinkedIn holds without a usable match
	// (none, or several algorithmic matches and no manual one).
	Unmatched int
	// NotAllowed counts candidates the milestones do not cover yet.
	NotAllowed int
	// Missing counts ids LinkedIn (or the Sink) does not hold.
	Missing int
}

// SeatReport is the outcome of RefreshSeats.
type SeatReport struct {
	// Skipped says why nothing was done (the gate's reason), "" otherwise.
	Skipped string
	// Seats are the ACTIVE seat holders, sorted by seat URN.
	Seats []SeatHolder
	// Unmapped counts seats whose holder matches no ATS user.
	Unmapped int
}

// ExportRetryReport is the outcome of RetryPendingExports.
type ExportRetryReport struct {
	Due          int // journaled exports attempted (their retry was due)
	Completed    int // now held by the ATS and cleared from the journal
	Failed       int // failed again; retried later
	DeadLettered int // given up on during this run (*DeadLetterError)
	Pending      int // exports still journaled after the run
	// DeadLetters are every export given up on and not yet retried or
	// dismissed, oldest first (DeadExports).
	DeadLetters []DeadExport
}

// RunReport is the outcome of one RunOnce.
type RunReport struct {
	// Seats is RefreshSeats' report, or holds the stored seats when no
	// refresh was due.
	Seats SeatReport
	// Exports are the journaled exports retried (RetryPendingExports).
	Exports ExportRetryReport
	// Stubs, InMail and Notes are the reports of PollStubs, PollInMail and
	// PollNotes.
	Stubs  StubReport
	InMail InMailReport
	Notes  NotesReport
	// Links is the report of RefreshQueuedLinks.
	Links LinkReport
	// Attached counts pending person URN attachments done (AttachPending).
	Attached int
	// Deletions is PollDeletions' report, when DeletionsRun.
	Deletions DeletionReport
	// DeletionsRun reports whether closed profiles were due and polled.
	DeletionsRun bool
	// DeadRecords are every polled record given up on and not yet retried
	// or dismissed, oldest first (DeadRecords).
	DeadRecords []DeadRecord
}
