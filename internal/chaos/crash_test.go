package chaos

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rscgo/rscgo/internal/mustopen"
	"github.com/rscgo/rscgo/internal/reqtag"
	"github.com/rscgo/rscgo/internal/restli"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

// Environment of the crash child (TestCrashChild).
const (
	envChild  = "RSCGO_CRASH_CHILD"
	envURL    = "RSCGO_CRASH_URL"
	envID     = "RSCGO_CRASH_CLIENT_ID"
	envSecret = "RSCGO_CRASH_CLIENT_SECRET"
	envOrg    = "RSCGO_CRASH_ORG"
	envDir    = "RSCGO_CRASH_DIR"
	envSeed   = "RSCGO_CRASH_SEED"
	envEnd    = "RSCGO_CRASH_END"
	envScale  = "RSCGO_CRASH_SCALE"
	envRun    = "RSCGO_CRASH_RUN"
)

// runHeader carries the number of the run whose child sent a request. A
// killed child's last request can reach the fake after the next runs have
// started: the fake answers a batch in full before its slow delay ends, the
// child sends its next batch on the same connection, and that request waits
// in the socket until the fake reads it. Its writes belong to the run that
// sent them, not to the run during which they arrive.
const runHeader = "X-Rscgo-Crash-Run"

// crashInFlight is the child's WithInFlight.
const crashInFlight = 2

// Lines the child prints on stdout.
const (
	commitLine = "crash-commit "
	doneLine   = "crash-done"
)

// crashSize is the crash dataset: about 3,600 records (some 46 committed
// batches), times scale.
func crashSize(scale int) size {
	return size{jobs: 40, cands: 1600, places: 800, acts: 1200}.scaled(scale)
}

// crashParams are the knobs of one crash-resume campaign.
type crashParams struct {
	seed  uint64
	scale int // dataset multiplier
	kills int // SIGKILLs to deliver
}

// crashSeeds are the seeds of TestCrashResume: three, eight in the long run.
func crashSeeds() []uint64 {
	if long() {
		return []uint64{1, 2, 3, 4, 5, 6, 7, 8}
	}
	return []uint64{1, 2, 3}
}

func defaultCrashParams() crashParams {
	if long() {
		return crashParams{seed: 1, scale: 3, kills: 30}
	}
	return crashParams{seed: 1, scale: 1, kills: 10}
}

// crashResult is what a campaign observed.
type crashResult struct {
	kills, runs           int
	records, sent, resent int
	maxInflightRecords    int
	// perKill[i] counts the records the run after the i-th kill sent again
	// (written by an earlier run); phase[i] is the phase the kill aimed at.
	perKill     []int
	killPhases  []rscsync.Phase
	verdict     verdict
	resentKeys  []string
	childOutput string // output of the last child, for failures
	childFailed bool
	childErr    error
}

func (r crashResult) summary() string {
	perKill := 0.0
	if r.kills > 0 {
		perKill = float64(r.resent) / float64(r.kills)
	}
	return fmt.Sprintf("crash-resume: kills=%d phases=%v records=%d sent=%d resent=%d resent_per_kill=%.1f max_resent_after_a_kill=%d bound=%d",
		r.kills, r.killPhases, r.records, r.sent, r.resent, perKill, slices.Max(append([]int{0}, r.perKill...)), r.maxInflightRecords)
}

// TestCrashResume SIGKILLs a syncing child process many times, at random
// writes of randomly chosen unfinished phases (jobs included), with network
// latency and a slow first batch in every run, and restarts it on the same
// data directory until a run completes; then LinkedIn must equal the
// Source, no job may have been created twice, and after each kill the next
// run may send again only the batches that were uncommitted: at most
// WithInFlight batches (the bound package sync documents).
func TestCrashResume(t *testing.T) {
	skipWithoutSIGKILL(t)
	for _, seed := range crashSeeds() {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			p := defaultCrashParams()
			p.seed = seed
			res := crashCampaign(t, p)
			t.Log(res.summary())
			if res.childFailed {
				t.Fatalf("the child failed: %v\n%s", res.childErr, res.childOutput)
			}
			if !res.verdict.ok() {
				t.Fatalf("after %d kills: %v", res.kills, res.verdict)
			}
			if res.kills < p.kills/2 {
				t.Errorf("only %d of %d kills happened before the sync completed: the dataset is too small", res.kills, p.kills)
			}
			for i, n := range res.perKill {
				if n > res.maxInflightRecords {
					t.Errorf("kill %d (in %v): the next run sent %d records again, more than the %d that %d uncommitted batches allow",
						i+1, res.killPhases[i], n, res.maxInflightRecords, crashInFlight)
				}
			}
		})
	}
}

func skipWithoutSIGKILL(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("needs SIGKILL semantics")
	}
	if testing.Short() {
		t.Skip("-short: the crash suite starts a dozen processes")
	}
}

// crashCampaign serves a fake LinkedIn on loopback and runs, kills and
// restarts child syncs until one completes.
func crashCampaign(t *testing.T, p crashParams) crashResult {
	t.Helper()
	srv := rsctest.NewServer(rsctest.WithoutListener(), rsctest.WithSeed(int64(p.seed)), rsctest.WithJobTaskLatency(1),
		rsctest.WithLimits(rsctest.Limits{Disabled: true}), rsctest.WithRequestLogLimit(-1))
	defer srv.Close()
	cust := srv.AddCustomer(rsctest.CustomerSpec{})
	rng := rand.New(rand.NewPCG(p.seed, 0xdead))
	wc := &writeCounter{n: map[string]int{}, writers: map[string]map[int]bool{}, rng: rand.New(rand.NewPCG(p.seed, 0xbeef))}
	ts := httptest.NewServer(wc.wrap(srv.Handler()))
	defer ts.Close()

	dir := t.TempDir()
	end := time.Now().Add(-time.Minute).Truncate(time.Second)
	env := append(os.Environ(),
		envChild+"=1", envURL+"="+ts.URL, envID+"="+cust.ClientID, envSecret+"="+cust.ClientSecret,
		envOrg+"="+cust.Organization, envDir+"="+dir, envSeed+"="+strconv.FormatUint(p.seed, 10),
		envEnd+"="+strconv.FormatInt(end.UnixMilli(), 10), envScale+"="+strconv.Itoa(p.scale))

	var res crashResult
	for {
		res.runs++
		if res.runs > p.kills+5 {
			res.childFailed, res.childErr = true, fmt.Errorf("no run completed after %d starts", res.runs-1)
			break
		}
		var k kill
		if res.kills < p.kills {
			k = aimKill(t, rng, filepath.Join(dir, "checkpoints"), res.kills == 0)
		}
		wc.startRun(res.runs)
		killed, done, out, err := runChild(t, slices.Concat(env, []string{envRun + "=" + strconv.Itoa(res.runs)}), wc, k)
		if killed {
			res.kills++
			res.killPhases = append(res.killPhases, wc.firedPhase())
			continue
		}
		res.childOutput = out
		if !done || err != nil {
			res.childFailed, res.childErr = true, fmt.Errorf("child exited without completing: %v", err)
		}
		break
	}

	ds := newDataset(cust.Organization, end, crashSize(p.scale), p.seed)
	dead, err := rscsync.NewFileDeadLetters(filepath.Join(dir, "dead"))
	if err != nil {
		t.Fatal(err)
	}
	if res.verdict, err = compare(t.Context(), ds.src, cust, dead, custID, ds.invalid); err != nil {
		t.Fatal(err)
	}
	want, _, err := sourceState(t.Context(), ds.src)
	if err != nil {
		t.Fatal(err)
	}
	for k := range want {
		if !strings.HasPrefix(k, string(rscsync.KindStage)+"/") {
			res.records++ // stages travel with their application
		}
	}
	// Every run but the last was killed: the run after kill i+1 is run
	// i+2. Counted now, so that the late requests of killed children count
	// for the run that sent them.
	for i := range res.kills {
		res.perKill = append(res.perKill, wc.resentInRun(i+2))
	}
	res.sent, res.resent, res.resentKeys = wc.totals()
	res.maxInflightRecords = crashInFlight * rsc.MaxBatchSize
	return res
}

// kill says when runChild kills the child: before the fake serves the
// writes-th write request of the phase the kill aims at or of a later one
// (counted from the run's start, so that a phase with fewer writes left
// does not spare the run), with batches in flight. writes 0 means never.
type kill struct {
	phase  rscsync.Phase
	writes int
}

// aimKill picks a phase the checkpoint in dir does not have complete (the
// earliest for the first kill, and for two in three of the others) and a
// write of it to kill at: the first write of jobs is their batch_create,
// the second the CLOSEs of the closed ones; for the other phases the 2nd to
// 10th write, so that batches can pile up behind the slow first one.
func aimKill(t *testing.T, rng *rand.Rand, dir string, first bool) kill {
	t.Helper()
	var open []rscsync.Phase
	if store, err := rscsync.NewFileStore(dir); err == nil {
		st, err := rscsync.PhaseStatus(t.Context(), store, custID)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range rscsync.Phases() {
			if !st[p].Completed {
				open = append(open, p)
			}
		}
	}
	if len(open) == 0 {
		open = rscsync.Phases()
	}
	p := open[0] // two kills in three aim at the earliest unfinished phase
	if !first && rng.IntN(3) == 0 {
		p = open[rng.IntN(len(open))]
	}
	if p == rscsync.PhaseJobs {
		return kill{phase: p, writes: 1 + rng.IntN(2)}
	}
	return kill{phase: p, writes: 2 + rng.IntN(9)}
}

// writePhase says which phase a write request belongs to.
func writePhase(path string) (rscsync.Phase, bool) {
	switch {
	case strings.HasSuffix(path, "/simpleJobPostings"):
		return rscsync.PhaseJobs, true
	case strings.Contains(path, "/notes") || strings.Contains(path, "/interviewFeedback"):
		return rscsync.PhaseActivities, true
	case strings.Contains(path, "/atsCandidates"):
		return rscsync.PhaseCandidates, true
	case strings.Contains(path, "/atsApplications"):
		return rscsync.PhaseApplications, true
	}
	return 0, false
}

// runChild starts the child and SIGKILLs it as k says. It returns whether it
// killed the child, whether the child reported a completed run, and its
// output.
func runChild(t *testing.T, env []string, wc *writeCounter, k kill) (killed, done bool, output string, err error) {
	t.Helper()
	// A safety net only: a healthy child finishes in seconds.
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1", "-test.v")
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var (
		mu     sync.Mutex
		sigErr error
	)
	defer wc.arm(0, 0, nil)
	if k.writes > 0 {
		wc.arm(k.phase, k.writes, func() {
			mu.Lock()
			defer mu.Unlock()
			killed = true
			sigErr = cmd.Process.Kill() // SIGKILL
		})
	}
	var out strings.Builder
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		out.WriteString(line + "\n")
		if line == doneLine {
			done = true
		}
	}
	_, _ = io.Copy(io.Discard, stdout)
	err = cmd.Wait()
	wc.arm(0, 0, nil)
	out.WriteString(stderr.String())
	mu.Lock()
	defer mu.Unlock()
	if sigErr != nil {
		t.Fatalf("SIGKILL: %v", sigErr)
	}
	if killed && done {
		killed = false // the kill came after the run had completed
	}
	return killed, done, out.String(), err
}

// TestCrashChild is the child process of TestCrashResume; run alone it
// skips. It syncs the deterministic dataset with the file stores of the data
// directory and prints a line per committed batch.
func TestCrashChild(t *testing.T) {
	if os.Getenv(envChild) != "1" {
		t.Skip("helper process of TestCrashResume")
	}
	seed, _ := strconv.ParseUint(os.Getenv(envSeed), 10, 64)
	endMs, _ := strconv.ParseInt(os.Getenv(envEnd), 10, 64)
	scale, _ := strconv.Atoi(os.Getenv(envScale))
	dir := os.Getenv(envDir)
	ds := newDataset(os.Getenv(envOrg), time.UnixMilli(endMs), crashSize(max(scale, 1)), seed)

	url, run := os.Getenv(envURL), os.Getenv(envRun)
	client, err := rsc.NewClient(rsc.WithBaseURL(url), rsc.WithTokenURL(url+"/oauth/v2/accessToken"),
		rsc.WithTransport(reqtag.Transport{Tag: func(r *http.Request) { r.Header.Set(runHeader, run) }}),
		rsc.WithCredentials(os.Getenv(envID), os.Getenv(envSecret)),
		rsc.WithLimits(rsc.Limits{Disabled: true}),
		rsc.WithRetryPolicy(rsc.RetryPolicy{MaxAttempts: 3, MinWait: 10 * time.Millisecond, MaxWait: 100 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	store := mustopen.Dir(t, rscsync.NewFileStore, filepath.Join(dir, "checkpoints"))
	dead := mustopen.Dir(t, rscsync.NewFileDeadLetters, filepath.Join(dir, "dead"))
	st, err := rscsync.PhaseStatus(t.Context(), store, custID)
	if err != nil {
		t.Fatal(err)
	}
	done := map[rscsync.Phase]int64{}
	for p, s := range st {
		done[p] = s.Done + s.Incremental
	}
	eng, err := rscsync.NewEngine(client, custID, ds.src, rscsync.WithStore(store), rscsync.WithDeadLetters(dead),
		rscsync.WithInFlight(crashInFlight), rscsync.WithTaskPollInterval(10*time.Millisecond),
		rscsync.WithProgress(func(p rscsync.Progress) {
			// Called after the checkpoint of an acknowledged batch is saved.
			if n := p.Done + p.Incremental; n > done[p.Phase] {
				done[p.Phase] = n
				fmt.Printf("%sphase=%q done=%d\n", commitLine, p.Phase.String(), n)
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	fmt.Println(doneLine)
}

// writeCounter counts, per record, the write requests that reached the
// fake: job elements of batch_create (by externalJobPostingId, CLOSE
// counted apart) and the keys of batch_update upserts, each for the run
// whose child sent it (runHeader). Stages are not counted: they travel with
// their application. It also slows answers down (the writes are applied at
// once): up to 3 ms per write, and 300 ms for the first record write of the
// phase a kill aims at (in every run), so that later batches are
// acknowledged while an earlier one is out.
type writeCounter struct {
	mu       sync.Mutex
	n        map[string]int
	writers  map[string]map[int]bool // per key, the runs that wrote it
	run      int
	slowDone bool // the run's slow first write happened
	rng      *rand.Rand

	// When armed, onWrite runs before the countdown-th next write request
	// of phase is served.
	phase     rscsync.Phase
	countdown int
	onWrite   func()
	fired     rscsync.Phase // the phase of the write the kill came before
}

// startRun starts counting the writes of run.
func (wc *writeCounter) startRun(run int) {
	wc.mu.Lock()
	defer wc.mu.Unlock()
	wc.run, wc.slowDone = run, false
}

func (wc *writeCounter) firedPhase() rscsync.Phase {
	wc.mu.Lock()
	defer wc.mu.Unlock()
	return wc.fired
}

// resentInRun returns how many records run wrote that an earlier run
// wrote too (each once, however many writes: a batch LinkedIn refuses whole
// is split and its records written again).
func (wc *writeCounter) resentInRun(run int) int {
	wc.mu.Lock()
	defer wc.mu.Unlock()
	n := 0
	for _, runs := range wc.writers {
		if runs[run] && slices.Min(slices.Collect(maps.Keys(runs))) < run {
			n++
		}
	}
	return n
}

// arm makes f run before the n-th next write request of phase is served
// (n 0 disarms).
func (wc *writeCounter) arm(phase rscsync.Phase, n int, f func()) {
	wc.mu.Lock()
	wc.phase, wc.countdown, wc.onWrite = phase, n, f
	wc.mu.Unlock()
}

func (wc *writeCounter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r2 := r.Clone(r.Context())
		r2.Body = io.NopCloser(bytes.NewReader(body))
		var delay time.Duration
		if method, rawQuery, b, err := restli.Untunnel(r2); err == nil {
			run, _ := strconv.Atoi(r.Header.Get(runHeader))
			delay = wc.count(run, r.URL.EscapedPath(), method, rawQuery, b)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
		time.Sleep(delay) // the answer is slow, the write is applied at once
	})
}

// count records a request that run's child sent and returns how long to
// delay it. Only the current run's requests arm its kill and its slow
// write.
func (wc *writeCounter) count(run int, path, method, rawQuery string, body []byte) time.Duration {
	keys := writeKeys(path, method, rawQuery, body)
	phase, isPhase := writePhase(path)
	if len(keys) == 0 && !(isPhase && method != http.MethodGet) {
		return 0 // not a write
	}
	wc.mu.Lock()
	var fire func()
	current := run == wc.run
	if current && wc.countdown > 0 && isPhase && phase >= wc.phase {
		if wc.countdown--; wc.countdown == 0 {
			fire, wc.onWrite, wc.fired = wc.onWrite, nil, phase
		}
	}
	for _, k := range keys {
		wc.n[k]++
		if wc.writers[k] == nil {
			wc.writers[k] = map[int]bool{}
		}
		wc.writers[k][run] = true
	}
	delay := time.Duration(wc.rng.IntN(3000)) * time.Microsecond
	if current && len(keys) > 0 && !wc.slowDone && isPhase && phase >= wc.phase {
		wc.slowDone, delay = true, 300*time.Millisecond
	}
	wc.mu.Unlock()
	if fire != nil {
		fire()
	}
	return delay
}

// writeKeys returns the record keys a write request carries.
func writeKeys(path, method, rawQuery string, body []byte) []string {
	var keys []string
	switch {
	case method == http.MethodPost && strings.HasSuffix(path, "/simpleJobPostings"):
		var b struct {
			Elements []struct {
				ID string `json:"externalJobPostingId"`
				Op string `json:"jobPostingOperationType"`
			} `json:"elements"`
		}
		if json.Unmarshal(body, &b) != nil {
			return nil
		}
		for _, e := range b.Elements {
			k := "job/" + e.ID
			if e.Op == "CLOSE" {
				k += "/CLOSE"
			}
			keys = append(keys, k)
		}
	case method == http.MethodPut && !strings.HasSuffix(path, "/stages"):
		q, err := restli.ParseQuery(rawQuery)
		if err != nil {
			return nil
		}
		for _, k := range q.Keys {
			keys = append(keys, path+"|"+fmt.Sprint(k))
		}
		for _, id := range q.SimpleIDs {
			keys = append(keys, path+"|"+id)
		}
	}
	return keys
}

// totals returns the records written, those written more than once (each
// extra write counts), and the keys resent.
func (wc *writeCounter) totals() (sent, resent int, keys []string) {
	wc.mu.Lock()
	defer wc.mu.Unlock()
	for k, n := range wc.n {
		sent += n
		if n > 1 {
			resent += n - 1
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return sent, resent, keys
}
