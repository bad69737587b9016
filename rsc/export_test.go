package rsc

import "context"

// SleepBudget gives the external tests sleepBudget: clk, whose Sleep
// cancels the test's context through cancel after left sleeps.
func SleepBudget(clk Clock, left int, cancel context.CancelFunc) Clock {
	return &sleepBudget{Clock: clk, left: left, cancel: cancel}
}
