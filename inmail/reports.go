package inmail

// The reports of the Retriever's flows.

// InMailReport is the outcome of PollInMail.
type InMailReport struct {
	// SkipReason says why nothing was done (the gate's reason), "" otherwise.
	SkipReason string `json:"skipReason,omitempty"`
	Seats      int    `json:"seats"`    // seats polled
	Windows    int    `json:"windows"`  // 12-hour windows read (new and replayed)
	Events     int    `json:"events"`   // events read
	Attached   int    `json:"attached"` // messages attached to candidates
	// Pending counts events kept for later: no candidate matched the
	// member, or the milestones did not cover the candidate yet.
	Pending int `json:"pending"`
	// Replayed counts members whose pending messages were read again on
	// this run, now that a candidate the milestones cover matches them;
	// the messages attached then are counted in Attached.
	Replayed int `json:"replayed"`
	// Expired counts members whose pending messages all passed
	// WithPendingTTL with no candidate to take them: given up on this run,
	// counted once that is saved, and per seat (as Replayed): a member
	// pending on two seats counts twice.
	Expired int `json:"expired"`
	// DeadLettered counts messages given up on during this run (DeadRecords).
	DeadLettered int `json:"deadLettered"`
}

// NotesReport is the outcome of PollNotes.
type NotesReport struct {
	// SkipReason says why nothing was done (the gate's reason), "" otherwise.
	SkipReason string `json:"skipReason,omitempty"`
	Notes      int    `json:"notes"`    // notes read
	Upserted   int    `json:"upserted"` // active notes written to candidates
	Deleted    int    `json:"deleted"`  // inactive notes deleted from candidates
	// Pending counts active notes kept for later (no match, or not covered
	// by the milestones yet).
	Pending int `json:"pending"`
	// Replayed counts members whose pending notes were read again on this
	// run.
	Replayed int `json:"replayed"`
	// Expired counts members whose pending notes all passed WithPendingTTL
	// with no candidate to take them: given up on this run, counted once
	// that is saved, and per stream (as Replayed).
	Expired int `json:"expired"`
	// DeadLettered counts notes given up on during this run (DeadRecords).
	DeadLettered int `json:"deadLettered"`
}

// StubReport is the outcome of PollStubs.
type StubReport struct {
	// SkipReason says why nothing was done (the gate's reason), "" otherwise.
	SkipReason string `json:"skipReason,omitempty"`
	Stubs      int    `json:"stubs"`   // stubs read
	Created    int    `json:"created"` // candidates created
	Matched    int    `json:"matched"` // stubs matched to an existing candidate
	Linked     int    `json:"linked"`  // matched candidates that got the person URN stored
	// DeadLettered counts stubs given up on during this run (DeadRecords).
	DeadLettered int `json:"deadLettered"`
}

// DeletionReport is the outcome of PollDeletions.
type DeletionReport struct {
	// SkipReason says why nothing was done (the gate's reason), "" otherwise.
	SkipReason string `json:"skipReason,omitempty"`
	Profiles   int    `json:"profiles"` // closed profiles read
	// Notices counts notices written, one per affected candidate;
	// notices read again (overlap, pending members) are rewritten idempotently.
	Notices int `json:"notices"`
	// Pending counts members whose candidates the milestones do not cover
	// yet; they are read again on later polls.
	Pending int `json:"pending"`
	// Remembered counts members of whom the ATS holds no candidate yet,
	// remembered (Cursors.ClosedMembers) for the candidate an export or a
	// stub profile may bring in later.
	Remembered int `json:"remembered"`
}

// LinkReport is the outcome of RefreshLinks.
type LinkReport struct {
	// SkipReason says why nothing was done (the gate's reason), "" otherwise.
	SkipReason string `json:"skipReason,omitempty"`
	Checked    int    `json:"checked"` // candidates read back from LinkedIn
	Linked     int    `json:"linked"`  // candidates whose person URN or link was stored or changed
	// Unmatched counts candidates LinkedIn holds without a usable match
	// (none, or several algorithmic matches and no manual one).
	Unmatched int `json:"unmatched"`
	// NotAllowed counts candidates the milestones do not cover yet.
	NotAllowed int `json:"notAllowed"`
	// Missing counts ids LinkedIn (or the Sink) does not hold.
	Missing int `json:"missing"`
}

// SeatReport is the outcome of RefreshSeats.
type SeatReport struct {
	// SkipReason says why nothing was done (the gate's reason), "" otherwise.
	SkipReason string `json:"skipReason,omitempty"`
	// Seats are the ACTIVE seat holders, sorted by seat URN.
	Seats []SeatHolder `json:"seats,omitempty"`
	// Unmapped counts seats whose holder matches no ATS user.
	Unmapped int `json:"unmapped"`
}

// ExportRetryReport is the outcome of RetryPendingExports.
type ExportRetryReport struct {
	Due          int `json:"due"`          // journaled exports attempted (their retry was due)
	Completed    int `json:"completed"`    // now held by the ATS and cleared from the journal
	Failed       int `json:"failed"`       // failed again; retried later
	DeadLettered int `json:"deadLettered"` // given up on during this run (*DeadLetterError)
	Pending      int `json:"pending"`      // exports still journaled after the run
	// DeadLetters are every export given up on and not yet retried or
	// dismissed, oldest first (DeadExports).
	DeadLetters []DeadExport `json:"deadLetters,omitempty"`
}

// RunReport is the outcome of one RunOnce.
type RunReport struct {
	// Seats is RefreshSeats' report, or holds the stored seats when no
	// refresh was due.
	Seats SeatReport `json:"seats"`
	// Exports are the journaled exports retried (RetryPendingExports).
	Exports ExportRetryReport `json:"exports"`
	// Stubs, InMail and Notes are the reports of PollStubs, PollInMail and
	// PollNotes.
	Stubs  StubReport   `json:"stubs"`
	InMail InMailReport `json:"inMail"`
	Notes  NotesReport  `json:"notes"`
	// Links is the report of RefreshQueuedLinks.
	Links LinkReport `json:"links"`
	// Attached counts pending person URN attachments done (AttachPending).
	Attached int `json:"attached"`
	// Deletions is PollDeletions' report, when DeletionsRun.
	Deletions DeletionReport `json:"deletions"`
	// DeletionsRun reports whether closed profiles were due and polled.
	DeletionsRun bool `json:"deletionsRun,omitempty"`
	// DeadRecords are every polled record given up on and not yet retried
	// or dismissed, oldest first (DeadRecords).
	DeadRecords []DeadRecord `json:"deadRecords,omitempty"`
}
