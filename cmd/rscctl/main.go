// Command rscctl is the operators' command line for an rscgo integration
// that keeps its state in file stores: it shows customers and checkpoints,
// lists, exports and retries dead letters, and resets a customer's sync.
//
// Usage:
//
//	rscctl -data DIR [-json] COMMAND [ARGS]
//
// The commands:
//
//	status [CUSTOMER]            onboarding step, integration status, milestones,
//	                             per-phase progress and dead letters of one or
//	                             every customer
//	checkpoint CUSTOMER          the customer's sync checkpoint
//	dead list CUSTOMER           the customer's dead letters, with their reasons
//	dead export CUSTOMER         the same as JSON lines (always JSON)
//	dead retry CUSTOMER [KEY...] retries dead letters (all without KEY) through
//	                             the ops console of the service that runs the sync
//	                             (-console URL): a retry reads the records again
//	                             from the ATS, which only that service can do
//	reset -yes CUSTOMER          deletes the customer's checkpoint and dead letters:
//	                             the next sync starts the historical sync again
//	                             (stop the customer's sync first)
//
// DIR is laid out as the Tracker demo lays out its stores:
// DIR/sync-checkpoints (sync.FileStore), DIR/sync-dead-letters
// (sync.FileDeadLetters), DIR/onboarding (onboarding.FileStore) and
// DIR/milestones (milestones.FileStore); a store whose directory is missing
// is taken as empty, and rscctl creates none. The customers are those with a
// checkpoint, an onboarding state or milestones.
//
// Flags go before or after the command's arguments. With -json every
// command prints JSON lines (one object per customer, checkpoint or dead
// letter) instead of text. `dead retry` sends the operator's token, read
// from the environment variable RSCCTL_TOKEN, as "Authorization: Bearer"
// to the console (-console, default $RSCCTL_CONSOLE), whose Authorizer
// must accept it.
//
// Exit codes, for scripts:
//
//	0  success
//	1  failure (a store could not be read, the console refused, ...)
//	2  usage error (unknown command or flag, missing argument)
//	3  not found (no such customer, checkpoint or dead letter)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
)

// The exit codes.
const (
	exitOK       = 0
	exitFailure  = 1
	exitUsage    = 2
	exitNotFound = 3
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are the flags.
type options struct {
	data    string
	json    bool
	yes     bool
	console string
	token   string
}

// usageError is a command line rscctl cannot run (exit 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// notFoundError is a customer, checkpoint or dead letter that does not
// exist (exit 3).
type notFoundError struct{ msg string }

func (e *notFoundError) Error() string { return e.msg }

const usage = `usage: rscctl -data DIR [-json] COMMAND [ARGS]
commands:
  status [CUSTOMER]
  checkpoint CUSTOMER
  dead list CUSTOMER
  dead export CUSTOMER
  dead retry [-console URL] CUSTOMER [KEY...]   (token in $RSCCTL_TOKEN)
  reset -yes CUSTOMER
exit codes: 0 ok, 1 failure, 2 usage, 3 not found`

// run is rscctl: it runs the command in args and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, rest, err := parse(args)
	if err == nil {
		err = dispatch(ctx, o, rest, stdout)
	}
	var ue *usageError
	var nf *notFoundError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintln(stdout, usage)
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "rscctl: %v\n%s\n", err, usage)
		return exitUsage
	case errors.As(err, &nf):
		fmt.Fprintf(stderr, "rscctl: %v\n", err)
		return exitNotFound
	}
	fmt.Fprintf(stderr, "rscctl: %v\n", err)
	return exitFailure
}

// parse reads the flags wherever they are among the arguments and returns
// the other arguments in order.
func parse(args []string) (options, []string, error) {
	o := options{console: os.Getenv("RSCCTL_CONSOLE"), token: os.Getenv("RSCCTL_TOKEN")}
	fs := flag.NewFlagSet("rscctl", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.data, "data", "", "the data directory")
	fs.BoolVar(&o.json, "json", false, "print JSON lines")
	fs.BoolVar(&o.yes, "yes", false, "confirm reset")
	fs.StringVar(&o.console, "console", o.console, "the ops console's URL, for dead retry")
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
	return o, rest, nil
}

func dispatch(ctx context.Context, o options, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return &usageError{"no command"}
	}
	if o.data == "" {
		return &usageError{"-data is required"}
	}
	if st, err := os.Stat(o.data); err != nil || !st.IsDir() {
		return fmt.Errorf("the data directory %s: not a readable directory", o.data)
	}
	s := openStores(o.data)
	cmd, args := args[0], args[1:]
	if cmd == "dead" {
		if len(args) == 0 {
			return &usageError{"dead needs list, export or retry"}
		}
		cmd, args = "dead "+args[0], args[1:]
	}
	one := func() (string, error) {
		if len(args) != 1 {
			return "", &usageError{cmd + " needs one CUSTOMER"}
		}
		return args[0], nil
	}
	switch cmd {
	case "status":
		if len(args) > 1 {
			return &usageError{"status takes at most one CUSTOMER"}
		}
		return s.status(ctx, o, args, stdout)
	case "checkpoint", "dead list", "dead export", "reset":
		id, err := one()
		if err != nil {
			return err
		}
		switch cmd {
		case "checkpoint":
			return s.checkpoint(ctx, o, id, stdout)
		case "reset":
			return s.reset(ctx, o, id, stdout)
		}
		return s.listDead(ctx, o.json || cmd == "dead export", id, stdout)
	case "dead retry":
		if len(args) == 0 {
			return &usageError{"dead retry needs a CUSTOMER"}
		}
		return s.retry(ctx, o, args[0], args[1:], stdout)
	}
	return &usageError{fmt.Sprintf("unknown command %q", cmd)}
}
