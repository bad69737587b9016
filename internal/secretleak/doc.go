// Package secretleak holds the secret-leak suite for the client, the stores and the handlers. It has
// no code of its own: the suite lives in its tests.
//
// TestNoSecretLeaks drives the whole SDK against rsc/rsctest with every
// observer switched on: debug-level slog loggers (text and JSON handlers)
// on the rsc clients, the sync engine, onboarding and inmail; every rsc
// hook (request, response, retry, throttled) capturing fmt.Sprintf("%+v")
// of its payload; and the text and %+v form of every error any layer
// returns. The run covers the partner token, provisioning a customer with
// onboarding, customer tokens, a historical and an incremental sync with
// per-record errors, a revoked token (401, refresh, resend), 5xx retries,
// 429s, a cancelled context, a wrong client secret, seats, InMail polling,
// 1-Click Export pushes, and push handlers fed a bad and a good signature.
// LinkedIn is made to refuse one note with a message quoting the client
// secret (raw, URL- and JSON-encoded) and the bearer token, so that the
// dead letter keeping LinkedIn's message is checked too.
// Every access token the fake issues is recorded by a RoundTripper wrapping
// its token endpoint. The test then asserts that none of the captured text
// contains a token, a client secret (partner, customer, provisioned, or a
// wrong one), or "Bearer <token>", and that it is not empty, so the check
// can fail. The secrets hold characters that URL, JSON, HTML and Go
// quoting change, and every search looks for each of those encodings too
// (a secret quoted by slog's JSON handler is not a substring of the log).
// TestSecretStores checks that onboarding's credentials never print their
// secret and that the file secret store writes 0600 files in a 0700
// directory. TestSecretHoldersPrintNoSecret logs every value of onboarding
// and inmail that holds a secret through slog's text and JSON handlers,
// fmt and encoding/json.
//
// Everything runs in-process inside a testing/synctest bubble, so retries
// and Retry-After waits take no real time:
//
//	go test -race -count=1 -v ./internal/secretleak/
package secretleak
