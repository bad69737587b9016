package demo

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	rscsync "github.com/rscgo/rscgo/sync"
)

// IsTerminal reports whether f is a terminal (a character device), where
// the demo draws live progress bars instead of printing log lines.
func IsTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// console writes the demo's output. Lines may come from the flow and from
// the sync's progress callback at the same time: in a terminal the current
// phase's progress bar stays on the last line, redrawn in place with \r,
// and other lines are printed above it.
type console struct {
	mu       sync.Mutex
	w        io.Writer
	terminal bool
	now      func() time.Time
	onLine   func(string) // copies lines to the admin page

	bar      string // the bar currently drawn (terminal), "" if none
	drawnAt  time.Time
	lastStep map[rscsync.Phase]int64 // plain mode: last quarter logged per phase
}

func newConsole(w io.Writer, terminal bool, onLine func(string)) *console {
	if w == nil {
		w = io.Discard
	}
	return &console{w: w, terminal: terminal, now: time.Now, onLine: onLine, lastStep: map[rscsync.Phase]int64{}}
}

// printf prints one or more lines.
func (c *console) printf(format string, args ...any) {
	s := strings.TrimRight(fmt.Sprintf(format, args...), "\n")
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clearBar()
	fmt.Fprintln(c.w, s)
	c.redrawBar()
	if c.onLine != nil {
		for _, l := range strings.Split(s, "\n") {
			c.onLine(l)
		}
	}
}

func (c *console) clearBar() {
	if c.bar != "" {
		fmt.Fprint(c.w, "\r"+strings.Repeat(" ", len([]rune(c.bar)))+"\r")
	}
}

func (c *console) redrawBar() {
	if c.bar != "" {
		fmt.Fprint(c.w, c.bar)
	}
}

// progress shows one sync progress event: a bar redrawn in place in a
// terminal (at most ten times a second), otherwise a log line per quarter
// of the phase and one when it completes.
func (c *console) progress(p rscsync.Progress) {
	if p.Phase == rscsync.PhaseDeletions && p.Total == 0 && p.Incremental == 0 {
		return // nothing was deleted in Tracker: no bar
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.terminal {
		q := int64(0) // the quarter reached: 0-3, then 4 once completed
		if p.Total > 0 {
			q = min(4*p.Done/p.Total, 3)
		}
		if p.Completed {
			q = 4
		}
		last, seen := c.lastStep[p.Phase]
		if seen && q <= last {
			return
		}
		c.lastStep[p.Phase] = q
		fmt.Fprintln(c.w, "  "+progressText(p))
		return
	}
	now := c.now()
	line := "  " + bar(p) + " " + progressText(p)
	if p.Completed {
		c.clearBar()
		fmt.Fprintln(c.w, line)
		c.bar = ""
		return
	}
	if now.Sub(c.drawnAt) < 100*time.Millisecond && c.bar != "" {
		return
	}
	c.clearBar()
	c.bar, c.drawnAt = line, now
	c.redrawBar()
}

// finish ends a bar left drawn (an interrupted phase) with a newline.
func (c *console) finish() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.bar != "" {
		fmt.Fprintln(c.w)
		c.bar = ""
	}
}

// bar draws [#########-----------] for the phase's completion.
func bar(p rscsync.Progress) string {
	const width = 24
	n := 0
	if p.Total > 0 {
		n = int(int64(width) * p.Done / p.Total)
	}
	if p.Completed {
		n = width
	}
	return "[" + strings.Repeat("#", n) + strings.Repeat("-", width-n) + "]"
}

// shown is what a progress event shows: the records done, the phase's
// total and the percentage. A phase shows 100% only once it is done, and
// then its total is what it did (the total was counted when it started;
// records changed since). Until then the percentage stops at 99.
func shown(p rscsync.Progress) (done, total int64, pct int) {
	if p.Completed {
		return p.Done, p.Done, 100
	}
	if p.Total > 0 {
		pct = min(int(100*p.Done/p.Total), 99)
	}
	return p.Done, p.Total, pct
}

// progressText is "Candidate Sync  1,200/3,000  40%  52,000 rec/min  ETA 3s".
func progressText(p rscsync.Progress) string {
	done, total, pct := shown(p)
	s := fmt.Sprintf("%-15s %s/%s %3d%%", p.Phase.String(), thousands(done), thousands(total), pct)
	if p.RecordsPerMinute > 0 {
		s += fmt.Sprintf("  %s rec/min", thousands(int64(p.RecordsPerMinute)))
	}
	switch {
	case p.Completed:
		s += "  done"
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
