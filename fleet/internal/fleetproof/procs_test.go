package fleetproof

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	gosync "sync"
	"syscall"
	"testing"
	"time"

	"github.com/rscgo/rscgo/fleet/internal/fleetrun"
)

// build builds the worker and the standalone fake into dir.
func build(t *testing.T, dir string) (worker, fake string) {
	t.Helper()
	worker, fake, err := fleetrun.Build(dir)
	if err != nil {
		t.Fatal(err)
	}
	return worker, fake
}

// startFake starts the standalone fake until the test ends and returns its
// base URL.
func startFake(t *testing.T, bin string) string {
	t.Helper()
	base, stop, err := fleetrun.StartFake(bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return base
}

// proc is one worker process: an incarnation of a slot.
type proc struct {
	id   string
	cmd  *exec.Cmd
	done chan struct{} // closed once the process exited and its output was read
	err  error         // cmd.Wait's
}

// fleet runs the worker processes, restarting them, and collects their
// events.
type fleet struct {
	t    *testing.T
	bin  string
	args []string // every worker's flags but -id

	mu     gosync.Mutex
	slots  []*proc // the running incarnation of each slot
	starts []int   // incarnations started per slot
	paused int     // the slot being paused, -1 for none: not to be killed
	events []fleetrun.Event
}

// start starts the next incarnation of slot i.
func (f *fleet) start(i int) *proc {
	f.t.Helper()
	f.mu.Lock()
	f.starts[i]++
	p := &proc{id: fmt.Sprintf("w%d.%d", i+1, f.starts[i]), done: make(chan struct{})}
	f.slots[i] = p
	f.mu.Unlock()
	p.cmd = exec.Command(f.bin, append([]string{"-id", p.id, "-events"}, f.args...)...)
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		f.t.Fatal(err)
	}
	p.cmd.Stderr = prefixed{p.id}
	if err := p.cmd.Start(); err != nil {
		f.t.Fatalf("starting worker %s: %v", p.id, err)
	}
	go func() {
		lines := bufio.NewScanner(out)
		for lines.Scan() {
			var e fleetrun.Event
			if json.Unmarshal(lines.Bytes(), &e) == nil {
				f.mu.Lock()
				f.events = append(f.events, e)
				f.mu.Unlock()
			}
		}
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	return p
}

// prefixed writes a worker's standard error to the test's, line-prefixed.
type prefixed struct{ id string }

func (p prefixed) Write(b []byte) (int, error) {
	fmt.Fprintf(os.Stderr, "%s: %s", p.id, b)
	return len(b), nil
}

// signal sends sig to p.
func signal(p *proc, sig syscall.Signal) error {
	if err := p.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("%v to worker %s: %w", sig, p.id, err)
	}
	return nil
}

// kill SIGKILLs slot i's process, waits for it to die and starts the
// next incarnation. It returns the killed process.
func (f *fleet) kill(i int) *proc {
	f.t.Helper()
	f.mu.Lock()
	p := f.slots[i]
	f.mu.Unlock()
	if err := signal(p, syscall.SIGKILL); err != nil {
		f.t.Fatal(err)
	}
	wait(f.t, p)
	if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		f.t.Fatalf("worker %s ended by %v, not by the SIGKILL", p.id, p.err)
	}
	f.start(i)
	return p
}

// stopAll SIGTERMs every running process and waits for them to exit.
func (f *fleet) stopAll() {
	f.t.Helper()
	f.mu.Lock()
	slots := append([]*proc(nil), f.slots...)
	f.mu.Unlock()
	for _, p := range slots {
		if err := signal(p, syscall.SIGTERM); err != nil {
			f.t.Error(err)
		}
	}
	for _, p := range slots {
		wait(f.t, p)
		if p.err != nil {
			f.t.Errorf("worker %s stopped by SIGTERM: %v, want exit status 0", p.id, p.err)
		}
	}
}

// wait waits for p to exit, for at most two minutes.
func wait(t *testing.T, p *proc) {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(2 * time.Minute): // a deadline, not a sleep
		t.Fatalf("worker %s did not exit", p.id)
	}
}

// eventsOf returns a copy of the events collected so far that match.
func (f *fleet) eventsOf(match func(fleetrun.Event) bool) []fleetrun.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fleetrun.Event
	for _, e := range f.events {
		if match(e) {
			out = append(out, e)
		}
	}
	return out
}
