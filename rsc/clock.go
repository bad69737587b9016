package rsc

import (
	"context"
	"time"
)

// Clock is the time source for pacing, daily-quota resets, retry waits and
// polling. The default uses the time package, so tests may also run the
// client inside a testing/synctest bubble without injecting anything.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep waits for d or until ctx is done, returning ctx.Err() in that case.
	Sleep(ctx context.Context, d time.Duration) error
}

// SystemClock returns the Clock that uses the time package: Now is
// time.Now and Sleep waits on a timer or the context. Packages that take a
// Clock default to it.
func SystemClock() Clock { return realClock{} }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
