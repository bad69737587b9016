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
//	go -C examples run ./tracker/cmd/tracker-demo -http 127.0.0.1:8080   # admin page; keeps serving until Ctrl-C
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
		httpAddr    = flag.String("http", "", "serve the admin page on this address, e.g. 127.0.0.1:8080, and keep serving after the run until interrupted")
		linkedInURL = flag.String("linkedin-url", "", "base URL of an RSC-compatible server (default: the fake LinkedIn, in-process)")
		tokenURL    = flag.String("token-url", "", "OAuth token URL of that server (default: LINKEDIN-URL/oauth/v2/accessToken)")
		clientID    = flag.String("client-id", os.Getenv("RSC_CLIENT_ID"), "partner client id for -linkedin-url (env RSC_CLIENT_ID)")
		secret      = flag.String("client-secret", "", "partner client secret for -linkedin-url (env RSC_CLIENT_SECRET; prefer the environment)")
	)
	flag.Parse()
	if *secret == "" {
		*secret = os.Getenv("RSC_CLIENT_SECRET")
	}
	if err := run(*data, *fresh, *httpAddr, demo.Config{
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

func run(data string, fresh bool, httpAddr string, cfg demo.Config) error {
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
	if httpAddr != "" {
		cfg.Monitor = demo.NewMonitor()
		l, err := net.Listen("tcp", httpAddr)
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: cfg.Monitor.Handler(), ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(l)
		defer srv.Close()
		cfg.AdminURL = fmt.Sprintf("http://%s/", l.Addr())
	}

	start := time.Now()
	_, err := demo.Run(ctx, cfg)
	switch {
	case err != nil && ctx.Err() != nil:
		fmt.Printf("\ninterrupted after %v; run again with -data %s to resume\n", time.Since(start).Round(time.Millisecond), data)
		return nil
	case err != nil:
		return err
	}
	fmt.Printf("\ndone in %v\n", time.Since(start).Round(time.Millisecond))
	if httpAddr != "" {
		fmt.Printf("admin page still served on http://%s/; Ctrl-C to stop\n", httpAddr)
		<-ctx.Done()
	}
	return nil
}
