// Command rscworker is one worker process of a fleet: it works the River
// sync slices (package riverrun) of a generated fleet of customers
// (package internal/fleetgen: most customers small, a few big) against
// one PostgreSQL database and an RSC base URL, such as the standalone
// fake (rsc/rsctest/cmd/rscfake). Start as many as you like, on as many
// machines: they share the customers through the database, at most one
// process per customer at a time (package lease).
//
// It is the reference wiring of riverrun in a process and the worker of
// the fleet proof (internal/fleetproof); its customers' ATS records are
// generated, so it syncs no real ATS.
//
//	go run ./rsc/rsctest/cmd/rscfake -addr 127.0.0.1:8080 -no-throttle   # from the repository root
//	go -C fleet run ./cmd/rscworker -postgres 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable' \
//		-rsc http://127.0.0.1:8080 -provision -enqueue -customers 20 -big 1 -pacing=false
//
// -postgres defaults to the environment variable RSCWORKER_POSTGRES, which
// keeps a password out of the process list (ps).
//
// -provision adds the generated customers to the fake (its admin API),
// -enqueue starts every customer's chain of slices; both may be given to
// every worker (a customer already there is left alone). The processes of
// one fleet must share -customers, -big, -big-records, -small-max, -seed
// and -epoch. Stop a worker with SIGINT or SIGTERM: it finishes its slices
// first, fetching no others, for -stop-grace at most; then, or at a second
// signal, it cancels those still running: they release their customers'
// leases, and River makes their jobs available again at once, the attempt
// not counted, for any worker to resume from their last checkpoint (a
// third signal kills the process). River's messages go to standard error
// from -log's level up (warn by default: a database out of reach shows
// there), and nowhere with -log off. -events prints one JSON line per slice
// started and ended, per checkpoint commit refused by the lease's fence,
// and when the worker begins to stop, for tests.
//
// Exit status: 0 after a signal, 1 when the database or the fake cannot
// be used (the message names the cause), 2 for invalid flags, found
// before the worker uses the database: values River's configuration
// refuses (river.Config) are invalid flags too.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/riverqueue/river"

	"github.com/rscgo/rscgo/fleet/internal/fleetgen"
)

// config is what the flags say.
type config struct {
	postgres, rsc, id               string
	plan                            fleetgen.Plan
	provision, enqueue, pacing, ev  bool
	maxWorkers, sliceBatches        int
	inFlight                        int
	jobTimeout, leaseTTL            time.Duration
	rescueAfter, maxBackoff         time.Duration
	fetchPoll, fetchCooldown, every time.Duration
	grace                           time.Duration
	log                             string // -log: off, or a slog level
}

// usageError is an invalid flag; the process exits with status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func main() {
	os.Exit(cli(os.Args[1:], os.Stdout, os.Stderr))
}

// cli runs the command with the arguments and returns its exit status:
// -help prints the usage on stdout, an error goes to stderr.
func cli(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("rscworker", flag.ContinueOnError)
	cfg, err := parseFlags(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(stdout, "usage: rscworker -postgres URL -rsc URL [flag...]")
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		return 0
	}
	if err == nil {
		ctx, hurry, stop := signals()
		err = run(ctx, hurry, cfg, stdout, stderr)
		stop()
	}
	if err != nil {
		fmt.Fprintln(stderr, "rscworker:", err)
		if _, usage := errors.AsType[*usageError](err); usage {
			return 2
		}
		return 1
	}
	return 0
}

// signals returns a context that ends at the first SIGINT or SIGTERM, one
// that ends at the second, and a function that stops catching them. After
// the second, the signals have their default effect again: a third kills
// the process.
func signals() (first, second context.Context, stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	first, cancelFirst := context.WithCancel(context.Background())
	second, cancelSecond := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer signal.Stop(ch)
		for _, cancel := range []context.CancelFunc{cancelFirst, cancelSecond} {
			select {
			case <-ch:
				cancel()
			case <-done:
				return
			}
		}
	}()
	return first, second, func() {
		signal.Stop(ch)
		close(done)
		cancelFirst()
		cancelSecond()
	}
}

// parseFlags reads and checks the flags; -help (or -h) is flag.ErrHelp.
// fs must be flag.ContinueOnError, and its output goes nowhere: the error
// returned names the cause.
func parseFlags(fs *flag.FlagSet, args []string) (config, error) {
	var c config
	host, _ := os.Hostname()
	fs.StringVar(&c.postgres, "postgres", os.Getenv(postgresEnv), "PostgreSQL URL of the fleet's database (required; default $"+postgresEnv+")")
	fs.StringVar(&c.rsc, "rsc", "", "RSC base URL, e.g. the standalone fake's http://127.0.0.1:8080 (required)")
	fs.StringVar(&c.id, "id", fmt.Sprintf("%s-%d", host, os.Getpid()), "this worker's name, unique in the fleet (River's client ID: 1 to 100 bytes)")
	fs.IntVar(&c.plan.Customers, "customers", 200, "customers in the generated fleet")
	fs.IntVar(&c.plan.Big, "big", 3, "big customers among them")
	fs.IntVar(&c.plan.BigRecords, "big-records", 50_000, "candidates of a big customer, at least")
	fs.IntVar(&c.plan.SmallMax, "small-max", 2_000, "candidates of a small customer, at most")
	fs.Int64Var(&c.plan.Seed, "seed", 1, "seed of the generated fleet")
	epoch := fs.String("epoch", "", "RFC 3339 time of every customer's first record (default: 00:00 UTC three days ago)")
	fs.BoolVar(&c.provision, "provision", false, "add the generated customers to the fake's admin API")
	fs.BoolVar(&c.enqueue, "enqueue", false, "start every customer's chain of slices")
	fs.BoolVar(&c.pacing, "pacing", true, "pace requests to LinkedIn's quotas (false against a fake run with -no-throttle)")
	fs.BoolVar(&c.ev, "events", false, "print JSON lines of slice events on stdout")
	fs.IntVar(&c.maxWorkers, "max-workers", 4, "slices this process works at once (at most 10,000: River's MaxWorkers)")
	fs.IntVar(&c.sliceBatches, "slice-batches", 10, "batches per slice, at most")
	fs.IntVar(&c.inFlight, "in-flight", 2, "batches of a customer uncommitted at once (1 to 64)")
	fs.DurationVar(&c.jobTimeout, "job-timeout", time.Minute, "River's JobTimeout: a slice's context ends after it")
	fs.DurationVar(&c.leaseTTL, "lease-ttl", 2*time.Minute, "customer lease lifetime; longer than -job-timeout")
	fs.DurationVar(&c.rescueAfter, "rescue-after", 3*time.Minute, "River rescues a slice running this long (its process died); longer than -job-timeout")
	fs.DurationVar(&c.maxBackoff, "max-backoff", 0, "longest wait before retrying a failed or rescued slice (0: River's policy, up to weeks)")
	fs.DurationVar(&c.fetchPoll, "fetch-poll", time.Second, "River's FetchPollInterval: at least 1ms and -fetch-cooldown")
	fs.DurationVar(&c.fetchCooldown, "fetch-cooldown", 100*time.Millisecond, "River's FetchCooldown: at least 1ms")
	fs.DurationVar(&c.grace, "stop-grace", time.Minute, "on SIGINT or SIGTERM, how long running slices may take to finish before they are cancelled (a slice ends within -job-timeout)")
	fs.StringVar(&c.log, "log", "warn", "River's messages on stderr from this level up (debug, info, warn, error), or off: a database out of reach shows at warn and error")
	fs.DurationVar(&c.every, "incremental", 15*time.Minute, "time from a caught-up slice to the customer's next one")
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, err
		}
		return c, &usageError{err.Error() + " (rscworker -help lists the flags)"}
	}
	c.plan.Epoch = time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -3)
	if *epoch != "" {
		t, err := time.Parse(time.RFC3339, *epoch)
		if err != nil {
			return c, &usageError{fmt.Sprintf("-epoch %q is not an RFC 3339 time", *epoch)}
		}
		c.plan.Epoch = t
	}
	return c, c.check()
}

// postgresEnv names the environment variable -postgres defaults to, which
// keeps a password out of the process list (ps).
const postgresEnv = "RSCWORKER_POSTGRES"

// maxID is the longest worker name, in bytes: River's longest client ID
// (river.Config.ID).
const maxID = 100

// check returns a *usageError naming the first invalid flag: among them
// the values River's configuration (river.Config) would refuse, so that
// the worker refuses them before it migrates or provisions anything.
func (c *config) check() error {
	bad := func(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }
	if err := c.plan.Check(); err != nil {
		return bad("%v", err)
	}
	switch {
	case c.postgres == "":
		return bad("-postgres: the fleet's database URL is required (or $%s)", postgresEnv)
	case c.id == "":
		return bad("-id: empty worker name")
	case c.log != "off" && new(slog.Level).UnmarshalText([]byte(c.log)) != nil:
		return bad("-log %q: not debug, info, warn, error or off", c.log)
	case len(c.id) > maxID:
		return bad("-id: the worker name has %d bytes, River's client ID at most %d", len(c.id), maxID)
	case c.maxWorkers <= 0 || c.sliceBatches <= 0:
		return bad("-max-workers %d and -slice-batches %d must be positive", c.maxWorkers, c.sliceBatches)
	case c.maxWorkers > river.QueueNumWorkersMax:
		return bad("-max-workers %d: River's MaxWorkers is at most %d", c.maxWorkers, river.QueueNumWorkersMax)
	case c.inFlight < 1 || c.inFlight > 64:
		return bad("-in-flight %d: must be in [1, 64]", c.inFlight)
	case c.jobTimeout <= 0 || c.leaseTTL <= c.jobTimeout || c.rescueAfter <= c.jobTimeout:
		return bad("-job-timeout %v must be positive, and -lease-ttl %v and -rescue-after %v longer", c.jobTimeout, c.leaseTTL, c.rescueAfter)
	case c.maxBackoff < 0:
		return bad("-max-backoff %v is negative", c.maxBackoff)
	case c.fetchCooldown < river.FetchCooldownMin:
		return bad("-fetch-cooldown %v: River's FetchCooldown is at least %v", c.fetchCooldown, river.FetchCooldownMin)
	case c.fetchPoll < river.FetchPollIntervalMin:
		return bad("-fetch-poll %v: River's FetchPollInterval is at least %v", c.fetchPoll, river.FetchPollIntervalMin)
	case c.fetchPoll < c.fetchCooldown:
		return bad("-fetch-poll %v is shorter than -fetch-cooldown %v: River's FetchPollInterval is at least its FetchCooldown", c.fetchPoll, c.fetchCooldown)
	case c.every <= 0:
		return bad("-incremental %v must be positive", c.every)
	case c.grace <= 0:
		return bad("-stop-grace %v must be positive", c.grace)
	case !c.plan.Epoch.Before(time.Now()):
		return bad("-epoch %v is not in the past", c.plan.Epoch)
	}
	u, err := url.Parse(c.rsc)
	switch {
	case c.rsc == "":
		return bad("-rsc: the RSC base URL is required")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return bad("-rsc: not an http(s) URL with a host")
	}
	return nil
}
