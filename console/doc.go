// Package console is the operators' console of an rscgo integration: an
// http.Handler listing every customer with its onboarding step, integration
// status, milestones, per-phase sync progress and dead letters (with their
// reasons), from which an operator retries dead letters and checks a
// customer's content against LinkedIn (WithReconcile). When many worker
// processes share one store (the fleet module), WithFleet adds which
// process holds each customer's lease, until when, and the jobs waiting
// and running.
//
// It reads the stores the rest of the library writes (onboarding's
// StateStore, sync's Store and DeadLetterStore, milestones' EventStore) and
// writes nothing itself: a retry goes through a RetryFunc, usually
// EngineRetry over the customers' sync engines. Mount it behind your own
// authentication: the Authorizer names the operator of each request.
//
//	h, err := console.New(
//		console.WithCustomers(listCustomers),
//		console.WithAuthorizer(operatorFromRequest),
//		console.WithAllowedHosts("ops.example.com"),
//		console.WithCheckpoints(checkpoints),
//		console.WithDeadLetters(deadLetters),
//		console.WithRetry(console.EngineRetry(engineOf)),
//	)
//	mux.Handle("/ops/", http.StripPrefix("/ops", h))
package console
