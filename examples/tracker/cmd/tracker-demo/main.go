// Command tracker-demo runs the whole Tracker integration with LinkedIn
// Recruiter System Connect against a fake LinkedIn, in under a minute:
// Tracker's synthetic data, the set-up steps, the historical sync with a
// progress bar per phase, the feature milestones as they unlock, InMail,
// 1-Click Export and a member deletion coming back into Tracker, and the
// final reconciliation with the dead letters.
//
//	go -C examples run ./tracker/cmd/tracker-demo                 # in-process fake LinkedIn
//	go -C examples run ./tracker/cmd/tracker-demo -fresh          # start over, also after an interruption
//	go -C examples run ./tracker/cmd/tracker-demo -keep           # run again over a finished run's data
//	go -C examples run ./tracker/cmd/tracker-demo -candidates 50000
//	go -C examples run ./tracker/cmd/tracker-demo -http 127.0.0.1:8080   # console and /metrics; keeps serving until Ctrl-C
//	go -C examples run ./tracker/cmd/tracker-demo -otel stdout           # traces and metrics as JSON on stdout
//	go -C examples run ./tracker/cmd/tracker-demo -postgres URL -workers 3 -customers 20 -http 127.0.0.1:8080
//
// With -postgres the demo runs in fleet mode: it generates -customers
// customers, each with a Tracker of its own, serves the fake LinkedIn on a
// loopback port, and starts -workers copies of itself as worker processes
// that share the PostgreSQL database: each customer's sync is a chain of
// River jobs, worked by one process at a time under the customer's lease
// (packages fleet/riverrun, fleet/lease and fleet/pgstore). It ends once
// every customer is synced and checked field by field against the fake.
//
// Interrupt it (Ctrl-C, or kill it) and run it again with the same -data
// directory to resume where it stopped; after a run that finished, the
// next one starts fresh (the first line says which). In a terminal each
// sync phase has a progress bar; otherwise progress is printed as lines.
// See package
// github.com/rscgo/rscgo/examples/tracker/demo for what is kept and how the
// in-process fake's state survives the restart.
//
// Against another RSC-compatible server, such as rscfake:
//
//	go run ./rsc/rsctest/cmd/rscfake -no-throttle &
//	RSC_CLIENT_ID=partner-client-id RSC_CLIENT_SECRET=partner-client-secret \
//	    go -C examples run ./tracker/cmd/tracker-demo -linkedin-url http://127.0.0.1:8080
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/rscgo/rscgo/examples/tracker/demo"
)

func main() {
	var (
		data        = flag.String("data", demo.DefaultDataDir(), "data directory: Tracker's database and every checkpoint (resume by running again)")
		fresh       = flag.Bool("fresh", false, "wipe the demo's files from the data directory first, also after an interrupted run")
		keep        = flag.Bool("keep", false, "after a run that finished, run again over its data instead of starting fresh")
		candidates  = flag.Int("candidates", 5000, "candidates to generate into an empty database (jobs, placements and activities scale with it)")
		seed        = flag.Uint64("seed", 1, "seed of the synthetic data")
		bad         = flag.Float64("bad", 0.01, "fraction of deliberately invalid records (they become dead letters); negative for none")
		httpAddr    = flag.String("http", "", "serve the operators' console and Prometheus /metrics on this address, e.g. 127.0.0.1:8080, and keep serving after the run until interrupted")
		otelOut     = flag.String("otel", "", `"stdout": also write OpenTelemetry traces and metrics to stdout, as JSON`)
		linkedInURL = flag.String("linkedin-url", "", "base URL of an RSC-compatible server (default: the fake LinkedIn, in-process)")
		tokenURL    = flag.String("token-url", "", "OAuth token URL of that server (default: LINKEDIN-URL/oauth/v2/accessToken)")
		clientID    = flag.String("client-id", os.Getenv("RSC_CLIENT_ID"), "partner client id for -linkedin-url (env RSC_CLIENT_ID)")
		secret      = flag.String("client-secret", "", "partner client secret for -linkedin-url (env RSC_CLIENT_SECRET; prefer the environment)")
		postgres    = flag.String("postgres", "", "fleet mode: the PostgreSQL database URL the worker processes share (env RSCGO_POSTGRES_URL is not read)")
		workers     = flag.Int("workers", 2, "fleet mode: worker processes")
		customers   = flag.Int("customers", 10, "fleet mode: generated customers (each with -candidates candidates; default 300 in fleet mode)")
		workerName  = flag.String("fleet-worker", "", "") // hidden: run as a fleet worker process (the parent starts them)
	)
	flag.Parse()
	if *workerName != "" {
		os.Exit(runWorker(*workerName))
	}
	if *postgres != "" {
		fc := demo.FleetConfig{PostgresURL: *postgres, Workers: *workers, Customers: *customers, Seed: *seed, BadRecords: *bad,
			DataDir: *data, Out: os.Stdout}
		if flagSet("candidates") {
			fc.Candidates = *candidates
		}
		if err := runFleet(*httpAddr, fc); err != nil {
			fmt.Fprintln(os.Stderr, "tracker-demo:", err)
			os.Exit(1)
		}
		return
	}
	if *secret == "" {
		*secret = os.Getenv("RSC_CLIENT_SECRET")
	}
	if *otelOut != "" && *otelOut != "stdout" {
		fmt.Fprintf(os.Stderr, "tracker-demo: -otel %q: the only exporter is \"stdout\" (Prometheus /metrics comes with -http)\n", *otelOut)
		os.Exit(2)
	}
	if err := run(*data, *fresh, *httpAddr, *otelOut == "stdout", demo.Config{
		DataDir:      *data,
		KeepFinished: *keep,
		Candidates:   *candidates,
		Seed:         *seed,
		BadRecords:   *bad,
		LinkedInURL:  *linkedInURL,
		TokenURL:     *tokenURL,
		ClientID:     *clientID,
		ClientSecret: *secret,
		Out:          os.Stdout,
		Terminal:     demo.IsTerminal(os.Stdout),
	}); err != nil {
		fmt.Fprintln(os.Stderr, "tracker-demo:", err)
		os.Exit(1)
	}
}

func run(data string, fresh bool, httpAddr string, otelStdout bool, cfg demo.Config) error {
	if cfg.BadRecords == 0 {
		cfg.BadRecords = -1 // -bad 0 means none (Config's zero value means the default)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if fresh {
		if err := demo.Wipe(data); err != nil {
			return err
		}
	}
	if httpAddr != "" || otelStdout {
		tel, err := newTelemetry(otelStdout)
		if err != nil {
			return err
		}
		defer tel.Shutdown(context.Background())
		cfg.Telemetry = tel
	}
	return monitored(ctx, httpAddr, "; run again with -data "+data+" to resume",
		func(mon *demo.Monitor, adminURL string, done func(context.Context)) error {
			cfg.Monitor, cfg.AdminURL = mon, adminURL
			cfg.AfterRun = func(ctx context.Context, _ *demo.Result) { done(ctx) }
			res, err := demo.Run(ctx, cfg)
			if err != nil {
				return err
			}
			return unbalanced(res)
		})
}

// unbalanced is an error naming the entities whose reconciliation the
// summary marks "✗ MISMATCH", so that the demo exits 1 when LinkedIn does
// not hold what Tracker holds.
func unbalanced(res *demo.Result) error {
	var bad []string
	for _, x := range res.Reconciliation {
		if !x.Balanced() {
			bad = append(bad, x.Entity)
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%w (%s)", errMismatch, strings.Join(bad, ", "))
	}
	return nil
}

// errMismatch is the error of a run whose reconciliation shows a mismatch:
// the demo fails with it, also when it returns after an interruption (the
// console served until Ctrl-C).
var errMismatch = errors.New("reconciliation: LinkedIn does not hold what Tracker holds")

// monitored serves the console on httpAddr (not when empty) and calls run
// with its Monitor, its address and what to do once the run has finished
// (see finished). A run ended by interrupting ctx is no error, unless its
// reconciliation showed a mismatch (errMismatch): it says how long it ran,
// then hint.
func monitored(ctx context.Context, httpAddr, hint string, run func(mon *demo.Monitor, adminURL string, done func(context.Context)) error) error {
	mon, adminURL, closeHTTP, err := serveMonitor(httpAddr)
	if err != nil {
		return err
	}
	defer closeHTTP()
	start := time.Now()
	err = run(mon, adminURL, finished(start, mon, adminURL))
	if err != nil && ctx.Err() != nil && !errors.Is(err, errMismatch) {
		fmt.Printf("\ninterrupted after %v%s\n", time.Since(start).Round(time.Millisecond), hint)
		return nil
	}
	return err
}

// newTelemetry returns the demo's telemetry: Prometheus metrics for
// /metrics, and traces and metrics on stdout when asked.
func newTelemetry(stdout bool) (*demo.Telemetry, error) {
	if stdout {
		return demo.NewTelemetry(os.Stdout)
	}
	return demo.NewTelemetry(nil)
}

// serveMonitor serves a new Monitor's Handler on addr; it returns the
// Monitor, the address of the console ("http://host:port/") and the
// function that stops serving. Without addr it serves nothing.
func serveMonitor(addr string) (*demo.Monitor, string, func(), error) {
	if addr == "" {
		return nil, "", func() {}, nil
	}
	mon := demo.NewMonitor()
	a, stop, err := serveHTTP(addr, mon.Handler())
	return mon, "http://" + a + "/", stop, err
}

// finished returns what a run does once it has finished: it says so and,
// when the console is served (adminURL), keeps it served until ctx ends,
// with the run's stores still open.
func finished(start time.Time, mon *demo.Monitor, adminURL string) func(ctx context.Context) {
	return func(ctx context.Context) {
		fmt.Printf("\ndone in %v\n", time.Since(start).Round(time.Millisecond))
		if adminURL != "" {
			fmt.Printf("console still served on %slogin?token=%s; Ctrl-C to stop\n", adminURL, mon.Token())
			<-ctx.Done()
		}
	}
}

// serveHTTP serves h on addr until the returned function is called. It
// returns the address listened on (with the port chosen for ":0").
func serveHTTP(addr string, h http.Handler) (string, func(), error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	// The read timeout bounds a slow body too, which the push and widget
	// handlers read whole.
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second}
	go srv.Serve(l)
	return l.Addr().String(), func() { srv.Close() }, nil
}
