// Command rscctl is the operators' command line for an rscgo integration
// that keeps its state in file stores: it shows customers and checkpoints,
// lists, exports and retries dead letters, resyncs a record or a phase,
// runs the content reconciliation and resets a customer's sync.
//
// Usage:
//
//	rscctl -data DIR [-json] COMMAND [ARGS]
//
// The commands:
//
//	status [CUSTOMER]               onboarding step, integration status, milestones,
//	                                per-phase progress and dead letters of one or
//	                                every customer
//	checkpoint CUSTOMER             the customer's sync checkpoint
//	dead list CUSTOMER              the customer's dead letters, with their reasons
//	dead export CUSTOMER            the same as JSON lines (always JSON)
//	dead retry CUSTOMER [KEY...]    sends dead letters again (all without KEY)
//	                                through the ops console (-console URL)
//	dead dismiss -yes CUSTOMER KEY... deletes these dead letters unsent: a record
//	                                goes again when the ATS changes it or with a
//	                                resync of its phase; a deletion is refused
//	resync CUSTOMER PHASE           the next sync sends PHASE (jobs, candidates,
//	                                applications or activities) again from the
//	                                start of its window, other phases untouched
//	                                (stop the customer's sync first)
//	resync CUSTOMER PHASE KEY...    sends these records again: queued as resync
//	                                requests, then sent through the ops console
//	                                (-console URL) or by its next retry
//	reconcile CUSTOMER              compares LinkedIn with the ATS record by record,
//	                                through the ops console (-console URL)
//	reset -yes CUSTOMER             deletes the customer's checkpoint and dead letters:
//	                                the next sync starts the historical sync again
//	                                (stop the customer's sync first)
//
// A KEY is a dead letter's key (kind/parent/id: candidate//C7, stage/A1/S2,
// candidateNote/C7/N1); for jobs, candidates and applications a bare id
// will do.
//
// DIR is laid out as the Tracker demo lays out its stores:
// DIR/sync-checkpoints (sync.FileStore), DIR/sync-dead-letters
// (sync.FileDeadLetters), DIR/onboarding (onboarding.FileStore) and
// DIR/milestones (milestones.FileStore); a store whose directory is missing
// is taken as empty, and rscctl creates none. The customers are those with a
// checkpoint, an onboarding state or milestones. fleet/cmd/rscctl runs the
// same commands over the PostgreSQL stores.
//
// Flags go before or after the command's arguments, with one dash or two.
// With -json every command prints JSON lines (one object per customer,
// checkpoint, dead letter or record) instead of text. The console's
// requests carry the operator's token, read from the environment variable
// RSCCTL_TOKEN, as "Authorization: Bearer"; -console defaults to
// $RSCCTL_CONSOLE.
//
// Exit codes, for scripts:
//
//	0  success
//	1  failure (a store could not be read, the console refused, a
//	   -console URL that answers 404 with a page not the console's, ...)
//	2  usage error (unknown command or flag, missing argument, -console
//	   missing where it is needed)
//	3  not found (no such customer, checkpoint or dead letter)
//	4  done, but LinkedIn does not hold everything (records retried or
//	   resynced were refused again; reconcile found differences)
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/rscgo/rscgo/internal/ctl"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := ctl.Run(ctx, config(), os.Args[1:])
	stop()
	os.Exit(code)
}

// config is rscctl over the file stores.
func config() ctl.Config {
	return ctl.Config{StoreFlag: "data", StoreArg: "DIR", Open: ctl.OpenFiles, Getenv: os.Getenv,
		Stdout: os.Stdout, Stderr: os.Stderr}
}
