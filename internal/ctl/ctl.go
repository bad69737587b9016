// Package ctl is the operators' command line of rscgo, shared by the
// programs that run it over different stores: cmd/rscctl over the file
// stores (-data DIR) and fleet/cmd/rscctl over the PostgreSQL stores
// (-postgres URL). A program gives Run its Config: how to open its stores,
// and, when it holds the customers' sync engines, how to get one.
//
// The commands:
//
//	status [CUSTOMER]               onboarding step, integration status, milestones,
//	                                per-phase progress and dead letters
//	checkpoint CUSTOMER             the customer's sync checkpoint
//	dead list CUSTOMER              the dead letters, with their reasons
//	dead export CUSTOMER            the same as JSON lines (always JSON)
//	dead retry CUSTOMER [KEY...]    sends dead letters again (all without KEY)
//	dead dismiss -yes CUSTOMER KEY... deletes dead letters without sending them; the
//	                                record goes again when the ATS changes it or on a
//	                                resync; a deletion cannot be dismissed
//	resync CUSTOMER PHASE           the next sync sends PHASE again from its start
//	resync CUSTOMER PHASE KEY...    sends these records of PHASE again
//	reconcile [-sample N] CUSTOMER  compares what LinkedIn holds with the ATS, by record
//	                                (-sample N, N records of each kind, needs Config.Engine)
//	reset -yes CUSTOMER             deletes the checkpoint and dead letters
//
// dead retry, resync of records and reconcile read records from the ATS
// (the sync.Source), which only a program holding the customers' engines
// can do (Config.Engine). Without one they go through the ops console of
// the service that runs the sync (-console URL, its Authorizer accepting
// $RSCCTL_TOKEN as a bearer token; console.WithRetry for retries and
// resyncs, console.WithReconcile for reconcile, whose result is read from
// the customer's page). A resync is then first queued as a resync request
// in the dead-letter store (sync.RequestResync), so that without -console
// it waits for the next retry.
//
// Exit codes, for scripts:
//
//	0  success
//	1  failure (a store could not be read, the console refused, a
//	   -console URL that answers 404 with a page not the console's, ...)
//	2  usage error (unknown command or flag, missing argument, -console
//	   missing where it is needed)
//	3  not found (no such customer, checkpoint or dead letter)
//	4  done, but LinkedIn does not hold everything: reconcile found
//	   missing, extra or stale records, or records retried or resynced
//	   were refused again
package ctl

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/onboarding"
	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// The exit codes.
const (
	ExitOK       = 0
	ExitFailure  = 1
	ExitUsage    = 2
	ExitNotFound = 3
	ExitNotExact = 4
)

// programPrefix starts every error message.
const programPrefix = "rscctl"

// Stores are what the commands read and change. A nil store is empty.
type Stores struct {
	Checkpoints rscsync.Store
	DeadLetters rscsync.DeadLetterStore
	Onboarding  onboarding.StateStore
	Milestones  milestones.EventStore
	// Customers lists the customers the stores know, sorted.
	Customers func(ctx context.Context) ([]string, error)
	// DeleteCheckpoint deletes a customer's checkpoint (reset); deleting
	// one that does not exist is not an error.
	DeleteCheckpoint func(ctx context.Context, customerID string) error
	// Where names the stores in messages: "in DIR", "in PostgreSQL".
	Where string
}

// Config is one program running the commands.
type Config struct {
	// StoreFlag is the flag locating the stores ("data", "postgres") and
	// StoreArg its argument's name in the usage ("DIR", "URL").
	StoreFlag, StoreArg string
	// Open opens the stores the flag locates; close releases them.
	Open func(ctx context.Context, location string) (s Stores, close func(), err error)
	// Engine, if set, returns the sync engine of a customer: dead retry,
	// resync and reconcile then run in this process.
	Engine func(ctx context.Context, customerID string) (*rscsync.Engine, error)
	// Getenv reads RSCCTL_CONSOLE and RSCCTL_TOKEN (nil: none set).
	Getenv func(string) string
	// Clock dates resync requests (default rsc.SystemClock()).
	Clock          rsc.Clock
	Stdout, Stderr io.Writer
}

// options are the flags.
type options struct {
	store   string
	json    bool
	yes     bool
	console string
	token   string
	sample  int
}

// usageError is a command line that cannot run (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// notFoundError is a customer, checkpoint or dead letter that does not
// exist (exit 3).
type notFoundError struct{ msg string }

func (e *notFoundError) Error() string { return e.msg }

// notExactError is a command that ran but found LinkedIn short of the ATS
// (exit 4); what it printed says how.
type notExactError struct{ msg string }

func (e *notExactError) Error() string { return e.msg }

// Usage returns the program's usage text.
func (c *Config) Usage() string {
	reconcile := "reconcile -console URL CUSTOMER"
	if c.Engine != nil {
		reconcile = "reconcile [-sample N] CUSTOMER"
	}
	return strings.NewReplacer("-FLAG ARG", "-"+c.StoreFlag+" "+c.StoreArg, "RECONCILE", reconcile).Replace(`usage: rscctl -FLAG ARG [-json] COMMAND [ARGS]
commands:
  status [CUSTOMER]
  checkpoint CUSTOMER
  dead list CUSTOMER
  dead export CUSTOMER
  dead retry [-console URL] CUSTOMER [KEY...]       (token in $RSCCTL_TOKEN)
  dead dismiss -yes CUSTOMER KEY...
  resync CUSTOMER PHASE                             (PHASE: jobs, candidates, applications, activities)
  resync [-console URL] CUSTOMER PHASE KEY...
  RECONCILE
  reset -yes CUSTOMER
exit codes: 0 ok, 1 failure, 2 usage, 3 not found, 4 not exact (differences, records refused)`)
}

// Run runs the command in args and returns the exit code.
func Run(ctx context.Context, c Config, args []string) int {
	if c.Getenv == nil {
		c.Getenv = func(string) string { return "" }
	}
	if c.Clock == nil {
		c.Clock = rsc.SystemClock()
	}
	o, rest, err := c.parse(args)
	if err == nil {
		err = c.dispatch(ctx, o, rest)
	}
	var ue *usageError
	var nf *notFoundError
	var ne *notExactError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintln(c.Stdout, c.Usage())
		return ExitOK
	case errors.As(err, &ue):
		fmt.Fprintf(c.Stderr, "%s: %v\n%s\n", programPrefix, err, c.Usage())
		return ExitUsage
	case errors.As(err, &nf):
		fmt.Fprintf(c.Stderr, "%s: %v\n", programPrefix, err)
		return ExitNotFound
	case errors.As(err, &ne):
		fmt.Fprintf(c.Stderr, "%s: %v\n", programPrefix, err)
		return ExitNotExact
	}
	fmt.Fprintf(c.Stderr, "%s: %v\n", programPrefix, err)
	return ExitFailure
}

// parse reads the flags wherever they are among the arguments and returns
// the other arguments in order.
func (c *Config) parse(args []string) (options, []string, error) {
	o := options{console: c.Getenv("RSCCTL_CONSOLE"), token: c.Getenv("RSCCTL_TOKEN")}
	fs := flag.NewFlagSet("rscctl", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.store, c.StoreFlag, "", "where the stores are")
	fs.BoolVar(&o.json, "json", false, "print JSON lines")
	fs.BoolVar(&o.yes, "yes", false, "confirm reset or dead dismiss")
	fs.StringVar(&o.console, "console", o.console, "the ops console's URL")
	fs.IntVar(&o.sample, "sample", 0, "reconcile a sample of this many records per kind (0: all)")
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return o, nil, err
			}
			return o, nil, &usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if o.sample < 0 {
		return o, nil, &usageError{"-sample must not be negative"}
	}
	return o, rest, nil
}

// command is one command line: the options, the stores and the arguments
// after the command's name.
type command struct {
	c    *Config
	o    options
	s    Stores
	args []string
}

func (c *Config) dispatch(ctx context.Context, o options, args []string) error {
	if len(args) == 0 {
		return &usageError{"no command"}
	}
	if o.store == "" {
		return &usageError{"-" + c.StoreFlag + " is required"}
	}
	name, args := args[0], args[1:]
	if name == "dead" {
		if len(args) == 0 {
			return &usageError{"dead needs list, export, retry or dismiss"}
		}
		name, args = "dead "+args[0], args[1:]
	}
	run := commandNamed(name)
	if run == nil {
		return &usageError{fmt.Sprintf("unknown command %s", shown(name))}
	}
	if err := checkArgs(name, args); err != nil {
		return err
	}
	s, closeStores, err := c.Open(ctx, o.store)
	if err != nil {
		return err
	}
	defer closeStores()
	return run(&command{c: c, o: o, s: s, args: args}, ctx)
}

// maxShown is how many bytes of an id or key a message shows: an operator
// who pasted a whole file as an argument gets a readable line.
const maxShown = 100

// shown quotes an id, a key or an argument for a message, Go-escaped, cut
// after maxShown bytes (at a character's start) with its length.
func shown(s string) string {
	if len(s) <= maxShown {
		return strconv.Quote(s)
	}
	cut := maxShown
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d bytes)", strconv.Quote(s[:cut]), len(s))
}

// commandNamed returns the command called name, nil if none is.
func commandNamed(name string) func(*command, context.Context) error {
	switch name {
	case "status":
		return (*command).status
	case "checkpoint":
		return (*command).checkpoint
	case "dead list":
		return func(x *command, ctx context.Context) error { return x.listDead(ctx, x.o.json) }
	case "dead export":
		return func(x *command, ctx context.Context) error { return x.listDead(ctx, true) }
	case "dead retry":
		return (*command).retry
	case "dead dismiss":
		return (*command).dismiss
	case "resync":
		return (*command).resync
	case "reconcile":
		return (*command).reconcile
	case "reset":
		return (*command).reset
	}
	return nil
}

// checkArgs checks the number of arguments of a command, and that neither
// a CUSTOMER argument (always the first) nor a KEY is blank.
func checkArgs(name string, args []string) error {
	if len(args) > 0 && strings.TrimSpace(args[0]) == "" {
		return &usageError{name + ": CUSTOMER is blank"}
	}
	keys := 0 // where the KEYs start
	switch name {
	case "dead retry", "dead dismiss":
		keys = 1
	case "resync":
		keys = 2
	}
	for i := keys; keys > 0 && i < len(args); i++ {
		if strings.TrimSpace(args[i]) == "" {
			return &usageError{name + ": a KEY is blank"}
		}
	}
	switch name {
	case "status":
		if len(args) > 1 {
			return &usageError{"status takes at most one CUSTOMER"}
		}
	case "dead retry":
		if len(args) == 0 {
			return &usageError{"dead retry needs a CUSTOMER"}
		}
	case "dead dismiss":
		if len(args) < 2 {
			return &usageError{"dead dismiss needs a CUSTOMER and at least one KEY"}
		}
	case "resync":
		if len(args) < 2 {
			return &usageError{"resync needs a CUSTOMER and a PHASE"}
		}
	default:
		if len(args) != 1 {
			return &usageError{name + " needs one CUSTOMER"}
		}
	}
	return nil
}
