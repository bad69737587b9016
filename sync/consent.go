package sync

import "context"

// ConsentGuard tells the engine whether a customer agreed to the sync (for
// example the LinkedIn integration is enabled and the admin accepted the
// historical sync). Run, RetryDeadLetters and Resync refuse to start when
// it returns an error, and stop between batches as soon as it starts
// failing (revoked consent). It is called before every batch sent (a
// retry's, and the operations jobs are owed after their tasks, included),
// so it must be cheap: cache what it reads.
type ConsentGuard interface {
	CheckConsent(ctx context.Context, customerID string) error
}

// ConsentFunc adapts a function to ConsentGuard.
type ConsentFunc func(ctx context.Context, customerID string) error

// CheckConsent calls f.
func (f ConsentFunc) CheckConsent(ctx context.Context, customerID string) error {
	if ctx == nil {
		return errNilContext
	}
	return f(ctx, customerID)
}
