package demo

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	rscsync "github.com/rscgo/rscgo/sync"
)

// IsTerminal reports whether f is a terminal (a character device), where
// the demo draws live progress bars instead of printing log lines.
func IsTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// console writes the demo's output. Lines may come from the flow and from
// the sync's progress callback at the same time. In a terminal the current
// phase's progress bar (drawn by github.com/vbauerster/mpb) stays on the
// last line and other lines are printed above it; once the phase is done
// the bar gives way to one line. Otherwise progress is a log line per
// quarter of a phase and one when it is done.
type console struct {
	mu       sync.Mutex
	w        io.Writer
	terminal bool
	onLine   func(string)          // copies lines to the admin page
	barOpts  []mpb.ContainerOption // for tests: how the bars are refreshed

	prog  *mpb.Progress // the bar's container, nil when no bar is drawn
	bar   *mpb.Bar
	phase rscsync.Phase
	text  atomic.Pointer[rscsync.Progress] // what the bar shows; read by mpb's goroutine

	step map[rscsync.Phase]int64 // the quarter last shown per phase, 4 once done
}

func newConsole(w io.Writer, terminal bool, onLine func(string)) *console {
	if w == nil {
		w = io.Discard
	}
	return &console{w: w, terminal: terminal, onLine: onLine, step: map[rscsync.Phase]int64{},
		barOpts: []mpb.ContainerOption{mpb.WithAutoRefresh()}}
}

// printf prints one or more lines, above the bar if one is drawn.
func (c *console) printf(format string, args ...any) {
	s := strings.TrimRight(fmt.Sprintf(format, args...), "\n")
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writeLine(s)
	if c.onLine != nil {
		for _, l := range strings.Split(s, "\n") {
			c.onLine(l)
		}
	}
}

// writeLine writes s and a newline, through the bar's container while a
// bar is drawn so that the line lands above it.
func (c *console) writeLine(s string) {
	if c.prog != nil {
		if _, err := c.prog.Write([]byte(s + "\n")); err == nil {
			return
		}
	}
	fmt.Fprintln(c.w, s)
}

// progress shows one sync progress event: the phase's bar in a terminal,
// otherwise a log line per quarter of the phase; then one line when the
// phase is done. A phase completed in an earlier run shows its line once.
func (c *console) progress(p rscsync.Progress) {
	if p.Phase == rscsync.PhaseDeletions && p.Total == 0 && p.Incremental == 0 {
		return // nothing was deleted in Tracker: no bar
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	q := int64(0) // the quarter reached: 0-3, then 4 once done
	if p.Total > 0 {
		q = min(4*p.Done/p.Total, 3)
	}
	if p.Completed {
		q = 4
	}
	last, seen := c.step[p.Phase]
	switch {
	case seen && last == 4:
		return
	case q == 4:
		c.text.Store(&p)
		c.endBar(false)
		fmt.Fprintln(c.w, "  "+progressText(p))
	case c.terminal:
		c.drawBar(p)
	case seen && q <= last:
		return
	default:
		fmt.Fprintln(c.w, "  "+progressText(p))
	}
	c.step[p.Phase] = q
}

// drawBar moves the phase's bar, starting it (and ending another phase's)
// when needed.
func (c *console) drawBar(p rscsync.Progress) {
	if c.prog != nil && c.phase != p.Phase {
		c.endBar(true)
	}
	c.text.Store(&p)
	if c.prog == nil {
		c.prog = mpb.New(append([]mpb.ContainerOption{mpb.WithOutput(c.w), mpb.WithWidth(120)}, c.barOpts...)...)
		c.bar = c.prog.New(0, mpb.BarStyle().Lbound("[").Filler("#").Tip("#").Padding("-").Rbound("]"), mpb.BarWidth(26),
			mpb.PrependDecorators(decor.Name(" ")),
			mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return progressText(*c.text.Load()) })),
			mpb.BarRemoveOnComplete())
		c.phase = p.Phase
	}
	done, total, _ := shown(p)
	c.bar.SetTotal(total, false)
	c.bar.SetCurrent(done)
}

// endBar takes the bar away: removed when its phase is done, left drawn
// when interrupted.
func (c *console) endBar(interrupted bool) {
	if c.prog == nil {
		return
	}
	if interrupted {
		c.bar.Abort(false)
	} else {
		c.bar.SetTotal(c.bar.Current(), true)
	}
	c.prog.Wait()
	c.prog, c.bar = nil, nil
}

// finish ends a bar left drawn (an interrupted phase).
func (c *console) finish() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.endBar(true)
}

// shown is what a progress event shows: the records done, the phase's
// total and the percentage, as sync counts them (Progress.Done of
// Progress.Total). The percentage is 100 only for a completed phase that
// did at least its total; otherwise it stops at 99, as a phase is not done
// until it completes. A completed phase keeps its real counts: its total
// was counted when it started, and records may have changed since.
func shown(p rscsync.Progress) (done, total int64, pct int) {
	switch {
	case p.Completed && p.Done >= p.Total:
		pct = 100
	case p.Total > 0:
		pct = min(int(100*p.Done/p.Total), 99)
	}
	return p.Done, p.Total, pct
}

// progressText is "Candidate Sync  1,200/3,000  40%  52,000 rec/min  ETA 3s"
// while a phase runs and "Candidate Sync  2,999/3,000 done  52,000 rec/min"
// once it has completed: its real counts, without a percentage.
func progressText(p rscsync.Progress) string {
	done, total, pct := shown(p)
	s := fmt.Sprintf("%-15s %s/%s ", p.Phase.String(), thousands(done), thousands(total))
	if p.Completed {
		s += "done"
	} else {
		s += fmt.Sprintf("%3d%%", pct)
	}
	if p.RecordsPerMinute > 0 {
		s += fmt.Sprintf("  %s rec/min", thousands(int64(p.RecordsPerMinute)))
	}
	switch {
	case p.Completed: // finished: no ETA
	case p.ETA >= time.Second:
		s += "  ETA " + p.ETA.Round(time.Second).String()
	case p.ETA > 0:
		s += "  ETA <1s"
	}
	if p.DeadLettered > 0 {
		s += fmt.Sprintf("  (%d dead letters)", p.DeadLettered)
	}
	if !p.ParkedUntil.IsZero() {
		s += "  parked until " + p.ParkedUntil.Format(time.RFC3339)
	}
	return s
}

// thousands formats n with comma separators.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
