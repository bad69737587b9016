// Package sync streams an ATS's jobs, candidates, applications and activities
// to LinkedIn RSC: a one-time historical sync of the last two years, then
// incremental sync from per-phase watermarks, with resumable checkpoints,
// dead letters, dry runs, progress events and reconciliation.
//
// The package is named sync after the product area; import it with a name
// that does not shadow the standard library:
//
//	import rscsync "github.com/rscgo/rscgo/sync"
//
// # Glossary
//
// One word per thing, in the API and in this documentation:
//
//   - Job: a job posting (LinkedIn's simpleJobPostings).
//   - Candidate: a person in the ATS (LinkedIn's atsCandidates).
//   - Application: a candidate placed on a job, from shortlist onwards, with
//     its stage history: LinkedIn's atsApplications record. ATSs call it a
//     placement, a pipeline entry or an application; LinkedIn's product
//     calls the feature it powers "shortlist" (the milestone texts of
//     package milestones keep that feature name). [Application], Source's
//     Applications stream, [KindApplication] and [PhaseApplications] all
//     mean this record.
//   - Stage: one step of an application's history (LinkedIn's stages of an
//     atsApplication), sent with its application.
//   - Activity: a candidate note, an application note or an interview
//     feedback; its Kind is one of the [EntityKind] values.
//
// The engine does not send ACLs (which security groups see a secured job,
// and which LinkedIn members are in each group; docs/linkedin-api.md §9):
// an ATS that secures jobs sends them with the client's
// [github.com/rscgo/rscgo/rsc.ACLsService] when a group's jobs or members
// change.
//
// # Running a customer
//
// The ATS implements [Source] (streams in (modified time, id) order, see its
// documentation for SQL). A customer's engine sends through that customer's
// client, which paces requests to LinkedIn's quotas:
//
//	func main() {
//		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
//		defer stop()
//		partner, _ := rsc.NewClient(rsc.WithCredentials(partnerID, partnerSecret))
//		client, _ := partner.ForCustomer(customerClientID, customerSecret)
//		store, _ := rscsync.NewFileStore("/var/lib/ats/rsc/checkpoints")
//		dead, _ := rscsync.NewFileDeadLetters("/var/lib/ats/rsc/dead")
//		eng, _ := rscsync.NewEngine(client, "acme", mySource{db}, rscsync.WithStore(store), rscsync.WithDeadLetters(dead))
//		rep, err := eng.Run(ctx)
//		if err != nil {
//			log.Fatal(err)
//		}
//		rep.WriteText(os.Stdout)
//	}
//
// [Engine.Run] is the whole program: killed at any point (SIGKILL included)
// and started again with the same store, it sends again at most the
// batches that were uncommitted (WithInFlight of them, 200 records by
// default) and ends in the same state. Run it again whenever the
// ATS changed (a timer, or after a write) for the incremental sync.
//
// # Phases, batches and watermarks
//
// A pass runs the phases in milestone order: jobs, candidates, applications
// (with their stage history) and activities (notes and interview feedback:
// records of different parents share a call on the versioned endpoints,
// whose keys name the parent; one call per parent on /v2, whose paths do),
// then deletions (children before parents). Records go in batches of at most 100,
// in stream order; WithInFlight batches overlap so the per-minute quota is
// used to the full, while the client's pacer guarantees it is never
// exceeded. Batches are committed in order: the phase watermark moves past
// a batch only when it and every batch before it were acknowledged, and the
// checkpoint is saved at every commit. A phase is complete (the milestone
// reached) when its stream was read to the end; for jobs, only once every
// job task is terminal.
//
// A note or interview feedback modified in the window may belong to an
// application or candidate last modified before it, which the pass never
// sent. When LinkedIn refuses such a child because it does not hold its
// parent (404), the engine sends the parent record (without its stages),
// then the child again (PhaseReport.ParentsSent; docs/linkedin-api.md §7.5).
//
// # Fresh lanes
//
// The historical pass reads each phase in (modified time, id) order from
// the start of the window, and a phase starts once the one before it
// completed; that backlog can take days. LinkedIn's milestone list
// (package milestones) makes features work for new and updated records
// from the first milestone on, so they cannot wait for it. While a phase's
// pass runs, its stream is therefore split where the pass began (the first
// run's time less WithClockSkew): the backlog reads the records modified
// before, the phase's fresh lane those modified after. The lanes of jobs
// and candidates open at once; the applications' once the jobs completed
// (LinkedIn's milestones promise new applications from Job Sync on), and
// the activities' once the applications completed, as interview feedback
// needs its application on LinkedIn (new candidate notes therefore wait
// for Shortlist Sync, one milestone later than LinkedIn's list allows).
// Every Run and RunSlice sweeps the open lanes first, and a long backlog
// stops for a sweep every WithFreshLane interval (five minutes by
// default), so a record created or changed during the backlog reaches
// LinkedIn within about that interval. The two parts never overlap; each has its own
// watermark, committed in order as described above; and when the backlog
// is read, the phase is complete and its lane's watermark becomes the
// phase's ([PhaseCheckpoint.Fresh]). A sweep also reads the phases the
// pass completed and the deletions, so that neither a new record of an
// earlier phase nor the deletion of a record a lane sent waits for a later
// phase's backlog, and a backlog sends a batch at least between two sweeps
// however slow the Source. A job changed while one of its tasks is in
// flight is sent again once the task settles (JobState.Changed). A record a later sweep reads again counts as
// incremental work, not as the pass's progress; a record created before
// the pass began that the lane sends counts once (the lane remembers it),
// as the backlog would have counted it. WithFreshLane(0) turns the lanes
// off.
//
// Jobs use batch_create, which is not idempotent. The checkpoint keeps each
// job's state: a CREATE is written as an intent before it is sent, so after
// a crash or an ambiguous failure the job is resent as UPDATE, and an UPDATE
// whose task says the job does not exist is resent as CREATE. A job is never
// created twice. Jobs closed in the ATS are created (if LinkedIn does not
// have them) and then closed: certification wants closed jobs too.
//
// # Failures
//
// Records refused by the client's validation or by LinkedIn go to the
// [DeadLetterStore] with their key and reason (never their contents); a
// batch LinkedIn rejects as a whole (400/422) is split in halves until the
// bad record is isolated. A record whose id (or parent's id) is not valid
// UTF-8 or holds NUL is refused before anything is sent: LinkedIn's API is
// JSON, and no store keeps such an id as it is, so its dead letter holds
// the ids escaped ([DeadLetter.Escape]); the watermark passes it like any
// refused record, its id kept exactly ([Cursor.MarshalJSON]).
// [Engine.RetryDeadLetters] reads those records
// again from the Source once the ATS data is fixed. When the customer's
// daily quota is spent the run is parked until UTC midnight and resumes by
// itself. Other failures the client gave up on stop the run; the next Run
// continues from the checkpoint. An operation a job is owed after a task's
// outcome (the CLOSE of a closed job after its CREATE) is kept in the
// checkpoint until it is submitted, so no stop loses it.
//
// A record dated more than WithClockSkew (five minutes) after the engine's
// clock is sent, but the watermark stays before it: it is sent again once
// every cycle over the phases (a Run, or the slices of RunSlice up to the
// one that catches up) until its time comes, and reported
// (PhaseReport.Future), so a bad date in the ATS cannot hide the changes
// that follow it, nor hold slices back from the phases after it
// (PhaseCheckpoint.FutureSent).
//
// The deletions stream has no backlog: records deleted before the first
// run were never sent, so the first run starts it an hour before its
// start, taken on the earlier of the engine's clock and LinkedIn's as the
// client knows it from the Date headers of its answers
// ([rsc.Client.LinkedInNow], docs/linkedin-api.md §2.5). When the client
// has had no answer yet as the run begins, the stream is moved back by as
// much as LinkedIn's clock then reads behind the engine's before it is
// first read past its start. An engine clock hours ahead would otherwise
// start it after the deletions the ATS stamps, on its own clock, during
// the first hours, and they would never be sent; a clock behind is the
// safe side, as before.
//
// # Progress and reconciliation
//
// [WithProgress] receives an event per committed batch, per phase
// completion (once), per record refused ([ProgressDeadLetter]), per batch
// re-sent by a retry and per job task LinkedIn finished, and before every
// wait of two seconds or more (job tasks, the daily quota, LinkedIn's
// per-minute throttle, the client's per-minute pacing), saying what the
// engine waits for and until when. [Report] counts each phase's records
// with the same words (read, sent, acknowledged, refused, skipped).
// Report.Reconciliation compares counts; [Engine.ReconcileContent] reads
// records back from LinkedIn and compares every field sent, by key.
//
// # Many customers, and durable job queues
//
// [Manager] runs many customers in one process with a bounded worker pool,
// round robin by slices of a few batches. Across machines, run customers as
// units of work on a durable queue (River, Asynq, SQS, Cloud Tasks...) with
// one job per customer and a shared Store (a database-backed implementation
// of [Store] and [DeadLetterStore]):
//
//	func handle(ctx context.Context, job QueueJob) error {
//		eng := engineFor(job.CustomerID) // client and Source of the customer
//		_, err := eng.RunSlice(ctx, 50)
//		var parked *rscsync.ParkedError
//		var quota *rscsync.YieldError
//		switch {
//		case errors.As(err, &quota):
//			return queue.EnqueueAt(job, quota.Until) // per-minute quota: no waiting in a worker
//		case errors.Is(err, rscsync.ErrYield):
//			return queue.Enqueue(job) // more work: back of the queue
//		case errors.As(err, &parked):
//			return queue.EnqueueAt(job, parked.Until)
//		case err == nil:
//			return queue.EnqueueAt(job, time.Now().Add(15*time.Minute)) // next incremental pass
//		}
//		return err // the queue retries with backoff
//	}
//
// RunSlice is idempotent and resumable from the Store, so a job that is
// retried or delivered twice is harmless. Run at most one slice per customer
// at a time: use the queue's unique-job or lease feature keyed by customer.
//
// # Nil contexts
//
// Every function and method of the package given a nil context returns an
// error ("sync: nil context") and does nothing: it reads and writes no
// store, sends nothing and starts no goroutine. An iterator (a Source's or
// a DeadLetterStore's stream) yields that error once; WithYieldWhen returns
// nil, which the call it is given to refuses.
//
// # Privacy
//
// Nothing is logged unless WithLogger is given, and log records carry
// customer ids, phases and counts, never record contents or secrets.
package sync
