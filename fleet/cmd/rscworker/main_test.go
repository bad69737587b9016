package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	gosync "sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/fleet/internal/fleetrun"
	"github.com/rscgo/rscgo/fleet/internal/pgtest"
	"github.com/rscgo/rscgo/fleet/lease"
	"github.com/rscgo/rscgo/fleet/pgstore"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// Invalid flags are usage errors naming the flag; a database that does
// not answer is an error naming the cause, without the URL's password.
func TestFlags(t *testing.T) {
	ok := []string{"-postgres", "postgres://u:pw@127.0.0.1:1/db", "-rsc", "http://127.0.0.1:8080"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-rsc", "http://127.0.0.1:8080"}, "-postgres"},
		{ok[:2], "-rsc"},
		{append(ok[:2:2], "-rsc", "ftp://x"), "-rsc"},
		{append(ok, "-customers", "0"), "customers"},
		{append(ok, "-big", "201"), "big"},
		{append(ok, "-in-flight", "65"), "-in-flight"},
		{append(ok, "-lease-ttl", "30s"), "-lease-ttl"},
		{append(ok, "-rescue-after", "1m"), "-rescue-after"},
		{append(ok, "-max-backoff", "-1s"), "-max-backoff"},
		{append(ok, "-epoch", "yesterday"), "-epoch"},
		{append(ok, "-epoch", "2999-01-01T00:00:00Z"), "-epoch"},
		{append(ok, "-nope"), "nope"},
		// What River's configuration (river.Config) would refuse.
		{append(ok, "-id", strings.Repeat("w", 101)), "-id"},
		{append(ok, "-max-workers", "10001"), "-max-workers"},
		{append(ok, "-fetch-cooldown", "999us"), "-fetch-cooldown"},
		{append(ok, "-fetch-poll", "999us", "-fetch-cooldown", "1ms"), "-fetch-poll"},
		{append(ok, "-fetch-poll", "50ms"), "-fetch-poll"},
		{append(ok, "-fetch-cooldown", "2s"), "-fetch-cooldown"},
		{append(ok, "-stop-grace", "0s"), "-stop-grace"},
	} {
		_, err := parseFlags(flag.NewFlagSet("rscworker", flag.ContinueOnError), tc.args)
		if _, usage := errors.AsType[*usageError](err); !usage || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want a usage error naming %s", tc.args, err, tc.want)
		}
	}
	// River's bounds themselves are valid.
	for _, args := range [][]string{
		{"-id", strings.Repeat("w", 100)},
		{"-max-workers", "10000"},
		{"-fetch-poll", "1ms", "-fetch-cooldown", "1ms"},
	} {
		if _, err := parseFlags(flag.NewFlagSet("rscworker", flag.ContinueOnError), append(ok, args...)); err != nil {
			t.Errorf("%q: %v, want no error", args, err)
		}
	}
	cfg, err := parseFlags(flag.NewFlagSet("rscworker", flag.ContinueOnError), ok)
	if err != nil {
		t.Fatal(err)
	}
	err = run(context.Background(), context.Background(), cfg, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "-postgres") || !strings.Contains(err.Error(), "cannot reach") || strings.Contains(err.Error(), "pw") {
		t.Errorf("unreachable database: %v, want an error naming -postgres and the cause, without the password", err)
	}
}

// The command says why it refuses its flags, on stderr with status 2, and
// -help prints the usage on stdout with status 0.
func TestCommandLine(t *testing.T) {
	silent := []string{"-postgres", "postgres://127.0.0.1:1/db", "-rsc", "http://127.0.0.1:1"} // nothing answers
	type result struct {
		Code           int
		Stdout, Stderr string
	}
	for _, tc := range []struct {
		args []string
		want result
	}{
		{[]string{"-nope"}, result{2, "", "rscworker: flag provided but not defined: -nope (rscworker -help lists the flags)\n"}},
		{[]string{"-customers", "x"}, result{2, "", "rscworker: invalid value \"x\" for flag -customers: parse error (rscworker -help lists the flags)\n"}},
		{[]string{"-postgres", "postgres://127.0.0.1:1/db"}, result{2, "", "rscworker: -rsc: the RSC base URL is required\n"}},
		// Refused before the worker uses its database (which would not
		// answer), rather than by River's NewClient once it migrated.
		{append(silent, "-fetch-cooldown", "2s"),
			result{2, "", "rscworker: -fetch-poll 1s is shorter than -fetch-cooldown 2s: River's FetchPollInterval is at least its FetchCooldown\n"}},
		{append(silent, "-fetch-cooldown", "0s"), result{2, "", "rscworker: -fetch-cooldown 0s: River's FetchCooldown is at least 1ms\n"}},
		{append(silent, "-fetch-poll", "100us"), result{2, "", "rscworker: -fetch-poll 100µs: River's FetchPollInterval is at least 1ms\n"}},
		{append(silent, "-max-workers", "10001"), result{2, "", "rscworker: -max-workers 10001: River's MaxWorkers is at most 10000\n"}},
		{append(silent, "-id", strings.Repeat("w", 101)), result{2, "", "rscworker: -id: the worker name has 101 bytes, River's client ID at most 100\n"}},
		{append(silent, "-log", "loud"), result{2, "", "rscworker: -log \"loud\": not debug, info, warn, error or off\n"}},
		{[]string{"-help"}, result{0, "USAGE", ""}},
		{[]string{"-h"}, result{0, "USAGE", ""}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stdout, stderr strings.Builder
			got := result{cli(tc.args, &stdout, &stderr), stdout.String(), stderr.String()}
			if tc.want.Stdout == "USAGE" && strings.HasPrefix(got.Stdout, "usage: rscworker -postgres URL -rsc URL [flag...]\n") &&
				strings.Contains(got.Stdout, "\n  -postgres string\n") && strings.Contains(got.Stdout, "\n  -rsc string\n") {
				got.Stdout = "USAGE"
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("rscworker %q (-want +got):\n%s", tc.args, d)
			}
		})
	}
}

// -postgres defaults to $RSCWORKER_POSTGRES, which keeps a password out
// of the process list; without either, the flag is required.
func TestPostgresFromEnvironment(t *testing.T) {
	for _, tc := range []struct {
		env        string
		args       []string
		wantStderr string
	}{
		{"postgres://127.0.0.1:1/db", nil, "rscworker: -rsc: the RSC base URL is required\n"},
		{"", []string{"-rsc", "http://127.0.0.1:1"}, "rscworker: -postgres: the fleet's database URL is required (or $RSCWORKER_POSTGRES)\n"},
	} {
		t.Run("env="+tc.env, func(t *testing.T) {
			t.Setenv(postgresEnv, tc.env)
			var stdout, stderr strings.Builder
			if code := cli(tc.args, &stdout, &stderr); code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if d := cmp.Diff(tc.wantStderr, stderr.String()); d != "" {
				t.Errorf("stderr (-want +got):\n%s", d)
			}
		})
	}
}

// The clients' retries end well within River's JobTimeout: the default
// policy's with a minute (rscworker's default), capped below it.
func TestRetryWithin(t *testing.T) {
	for _, tc := range []struct {
		jobTimeout time.Duration
		want       rsc.RetryPolicy
	}{
		{time.Minute, rsc.RetryPolicy{MaxAttempts: 4, MinWait: 500 * time.Millisecond, MaxWait: 10 * time.Second, MaxElapsed: 20 * time.Second}},
		{10 * time.Minute, rsc.DefaultRetryPolicy()},
		{time.Second, rsc.RetryPolicy{MaxAttempts: 4, MinWait: time.Second / 6, MaxWait: time.Second / 6, MaxElapsed: time.Second / 3}},
	} {
		if d := cmp.Diff(tc.want, retryWithin(tc.jobTimeout)); d != "" {
			t.Errorf("JobTimeout %v (-want +got):\n%s", tc.jobTimeout, d)
		}
	}
}

// TestSignals: the first SIGINT or SIGTERM ends the first context, the
// second the other.
func TestSignals(t *testing.T) {
	first, second, stop := signals()
	defer stop()
	for i, ctx := range []context.Context{first, second} {
		if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		receive(t, ctx.Done(), fmt.Sprintf("signal %d did not end its context", i+1))
		if i == 0 && second.Err() != nil {
			t.Fatal("the first signal ended the second context")
		}
	}
}

// receive returns the next value of ch, failing after a minute.
func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	timeout := time.NewTimer(time.Minute) // a deadline, not a sleep: the value ends the wait
	defer timeout.Stop()
	select {
	case v := <-ch:
		return v
	case <-timeout.C:
		t.Fatal(what)
		panic("unreachable")
	}
}

// working is a worker (run) of one customer, against the fake in front of
// which each candidate batch is held until released, or until the worker
// cancels its request.
type working struct {
	db            string             // the database's URL
	signal, again context.CancelFunc // the first and the second signal
	// held receives the slice of each batch held (its HeaderSlice), and
	// cancelled the slice of each held batch whose request was cancelled.
	held, cancelled chan string
	release         func() // lets the held batches through
	events          *eventLog
	done            chan struct{} // closed when run returned err
	err             error
}

// startWorking starts run with the flags args added to those of a fleet of
// one small customer.
func startWorking(t *testing.T, args ...string) *working {
	t.Helper()
	w := &working{db: pgtest.DB(t), held: make(chan string, 16), cancelled: make(chan string, 16),
		events: &eventLog{ch: make(chan fleetrun.Event, 1000)}, done: make(chan struct{})}
	srv := rsctest.NewServer(rsctest.WithoutListener(), rsctest.WithLimits(rsctest.Limits{Disabled: true}))
	t.Cleanup(srv.Close)
	release := make(chan struct{})
	var once gosync.Once
	w.release = func() { once.Do(func() { close(release) }) }
	front := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && strings.Contains(strings.ToLower(r.URL.Path), "candidates") { // a batch of candidates
			// Once the body is read, the server reads the connection on
			// and sees the worker close it: the request's context ends.
			body, err := io.ReadAll(r.Body)
			if err != nil {
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			slice := r.Header.Get(fleetrun.HeaderSlice)
			w.held <- slice
			select {
			case <-release:
			case <-r.Context().Done(): // the worker cancelled the request
				w.cancelled <- slice
				return
			}
		}
		srv.Handler().ServeHTTP(rw, r)
	}))
	t.Cleanup(front.Close)
	cfg, err := parseFlags(flag.NewFlagSet("rscworker", flag.ContinueOnError), append([]string{"-postgres", w.db, "-rsc", front.URL,
		"-provision", "-enqueue", "-customers", "1", "-big", "0", "-small-max", "50", "-pacing=false", "-events", "-id", "w1",
		"-slice-batches", "1"}, args...))
	if err != nil {
		t.Fatal(err)
	}
	ctx, signal := context.WithCancel(context.Background())
	again, signalAgain := context.WithCancel(context.Background())
	w.signal, w.again = signal, signalAgain
	go func() {
		defer close(w.done)
		w.err = run(ctx, again, cfg, w.events, io.Discard)
	}()
	t.Cleanup(func() { // before the fake and the database go
		w.signal()
		w.again()
		w.release()
		<-w.done
	})
	return w
}

// stopping waits for the worker's stop event.
func (w *working) stopping(t *testing.T) {
	t.Helper()
	for {
		if e := receive(t, w.events.ch, "the worker did not stop"); e.Event == "stop" {
			return
		}
	}
}

// wait returns run's error once it returned.
func (w *working) wait(t *testing.T) error {
	t.Helper()
	receive(t, w.done, "run did not return")
	return w.err
}

// end returns the end event of slice, its time cleared, failing if there is
// none.
func (w *working) end(t *testing.T, slice string) fleetrun.Event {
	t.Helper()
	for _, e := range w.events.all() {
		if e.Event == "end" && e.Slice == slice {
			e.Time = time.Time{}
			return e
		}
	}
	t.Fatalf("no end of slice %s; events: %+v", slice, w.events.all())
	return fleetrun.Event{}
}

// sliceAfter is what a slice left once run returned.
type sliceAfter struct {
	State           string // its River job's
	Attempt, Errors int    // its job's
	Holder          string // of its customer's lease, "" once released
}

// after returns what slice (worker/job id/attempt) of customer left.
func (w *working) after(t *testing.T, slice, customer string) sliceAfter {
	t.Helper()
	ctx := context.Background()
	db, err := pgstore.Open(ctx, w.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var job int64
	if _, err := fmt.Sscanf(slice, "w1/%d/", &job); err != nil {
		t.Fatalf("slice %q: %v", slice, err)
	}
	var a sliceAfter
	err = db.Pool().QueryRow(ctx, "select state, attempt, coalesce(array_length(errors, 1), 0) from river_job where id = $1", job).
		Scan(&a.State, &a.Attempt, &a.Errors)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := lease.List(ctx, db, []string{customer})
	if err != nil || len(recs) != 1 {
		t.Fatalf("the lease of %s: %+v, %v", customer, recs, err)
	}
	a.Holder = recs[0].Holder
	return a
}

// eventLog is the worker's -events output: it keeps the events and sends
// each on ch.
type eventLog struct {
	mu     gosync.Mutex
	events []fleetrun.Event
	ch     chan fleetrun.Event
}

// Write takes one line (events.emit writes each in one call).
func (l *eventLog) Write(p []byte) (int, error) {
	var e fleetrun.Event
	if err := json.Unmarshal(p, &e); err != nil {
		return 0, err
	}
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
	l.ch <- e
	return len(p), nil
}

func (l *eventLog) all() []fleetrun.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]fleetrun.Event(nil), l.events...)
}

// TestSignalLetsSlicesFinish: "Stop a worker with SIGINT or SIGTERM: it
// finishes its slices first." A slice whose batch is with LinkedIn when
// the signal arrives is not cancelled: LinkedIn's answer comes, the slice
// ends done, its job completed, its customer's lease released, and run
// returns nil (exit status 0).
func TestSignalLetsSlicesFinish(t *testing.T) {
	t.Parallel()
	w := startWorking(t)
	slice := receive(t, w.held, "no batch sent")
	w.signal()
	w.stopping(t)
	w.release()
	if err := w.wait(t); err != nil {
		t.Errorf("run after the signal: %v, want nil", err)
	}
	want := fleetrun.Event{Worker: "w1", Event: "end", Customer: "cust-0001", Slice: slice, Result: "done"}
	if d := cmp.Diff(want, w.end(t, slice)); d != "" {
		t.Errorf("the slice under way at the signal (-want +got):\n%s", d)
	}
	if d := cmp.Diff(sliceAfter{State: "completed", Attempt: 1}, w.after(t, slice, "cust-0001")); d != "" {
		t.Errorf("the slice's job and lease (-want +got):\n%s", d)
	}
	if len(w.cancelled) != 0 {
		t.Errorf("the requests of %d batches were cancelled, want none", len(w.cancelled))
	}
}

// TestStopCancelsSlicesAtLast: a slice still running when -stop-grace has
// passed since the signal, or at a second signal, is cancelled: the
// request of its batch is, the slice releases its customer's lease, its
// job is available again at once, its attempt not counted (River's
// handling of jobs cancelled by a stop), and run returns nil.
func TestStopCancelsSlicesAtLast(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		args  []string
		again bool // a second signal; else the grace passes
	}{
		{"grace", []string{"-stop-grace", "1ms"}, false},
		{"second signal", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := startWorking(t, tc.args...) // the batch is never released
			slice := receive(t, w.held, "no batch sent")
			w.signal()
			w.stopping(t)
			if tc.again {
				if len(w.cancelled) != 0 {
					t.Fatal("the first signal cancelled the slice")
				}
				w.again()
			}
			if got := receive(t, w.cancelled, "the batch's request was not cancelled"); got != slice {
				t.Errorf("cancelled the batch of slice %s, want %s", got, slice)
			}
			if err := w.wait(t); err != nil {
				t.Errorf("run after the signal: %v, want nil", err)
			}
			if e := w.end(t, slice); e.Result != "failed" || !strings.Contains(e.Error, "context canceled") {
				t.Errorf("the slice's end: %+v, want failed, its context cancelled", e)
			}
			if d := cmp.Diff(sliceAfter{State: "available"}, w.after(t, slice, "cust-0001")); d != "" {
				t.Errorf("the slice's job and lease (-want +got):\n%s", d)
			}
		})
	}
}

// River's messages reach stderr from -log's level up, and none with -log
// off.
func TestLogger(t *testing.T) {
	for _, tc := range []struct {
		level string
		want  []string // the messages written, of debug, info, warn and error
	}{
		{"warn", []string{"w", "e"}},
		{"debug", []string{"d", "i", "w", "e"}},
		{"ERROR", []string{"e"}},
		{"off", nil},
	} {
		t.Run(tc.level, func(t *testing.T) {
			var b strings.Builder
			l := logger(tc.level, &b)
			l.Debug("d")
			l.Info("i")
			l.Warn("w")
			l.Error("e")
			var got []string
			for line := range strings.Lines(b.String()) {
				_, msg, _ := strings.Cut(line, "msg=")
				got = append(got, strings.TrimSpace(msg))
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("-log %s (-want +got):\n%s", tc.level, d)
			}
		})
	}
}
