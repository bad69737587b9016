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
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
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
	)
	flag.Parse()
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
	if httpAddr != "" {
		cfg.Monitor = demo.NewMonitor()
		addr, closeHTTP, err := serveHTTP(httpAddr, cfg.Monitor.Handler())
		if err != nil {
			return err
		}
		defer closeHTTP()
		httpAddr = addr
		cfg.AdminURL = fmt.Sprintf("http://%s/", addr)
	}

	start := time.Now()
	cfg.AfterRun = func(ctx context.Context, _ *demo.Result) {
		fmt.Printf("\ndone in %v\n", time.Since(start).Round(time.Millisecond))
		if httpAddr != "" { // the console goes on working over the run's stores until Ctrl-C
			fmt.Printf("console still served on http://%s/login?token=%s; Ctrl-C to stop\n", httpAddr, cfg.Monitor.Token())
			<-ctx.Done()
		}
	}
	_, err := demo.Run(ctx, cfg)
	if err != nil && ctx.Err() != nil {
		fmt.Printf("\ninterrupted after %v; run again with -data %s to resume\n", time.Since(start).Round(time.Millisecond), data)
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

// serveHTTP serves h on addr until the returned function is called. It
// returns the address listened on (with the port chosen for ":0").
func serveHTTP(addr string, h http.Handler) (string, func(), error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(l)
	return l.Addr().String(), func() { srv.Close() }, nil
}
