package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/rscgo/rscgo/internal/option"
	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// maxResyncBody bounds a job resync notification: LinkedIn's are a few
// hundred bytes, a list of job ids at most some kilobytes.
const maxResyncBody = 256 << 10

// Secrets returns a client secret of the ATS's LinkedIn applications, the
// key of a Developer Portal webhook's challenge and signatures: the parent
// (partner) application's for applicationID "", else the application with
// that id (the applicationId LinkedIn adds to a challenge for an
// integration of parent and child applications, or the id of a
// notification's developerApplicationUrn). An id the ATS does not know
// returns "" and no error.
type Secrets func(ctx context.Context, applicationID string) (string, error)

// JobResyncTarget is where the job resync requests of one customer go.
type JobResyncTarget struct {
	// CustomerID is the customer's id in the stores.
	CustomerID string
	// Checkpoints holds the customer's sync checkpoint, read to find its
	// open jobs when LinkedIn asks for all of them.
	Checkpoints rscsync.Store
	// DeadLetters receives the requests (sync.RequestJobResync).
	DeadLetters rscsync.DeadLetterStore
}

// JobResyncTargets returns the target of the customer whose child
// application is developerApplication (urn:li:developerApplication:{id},
// rsc.ProvisionedApplication.Key), or ok false for an application the ATS
// does not know.
type JobResyncTargets func(ctx context.Context, developerApplication string) (t JobResyncTarget, ok bool, err error)

// JobResyncHandler serves LinkedIn's job resync notifications
// (docs/linkedin-api.md §7.9): the webhook the partner registers in the
// Developer Portal for them, one for all its customers. LinkedIn asks
// there for a customer's jobs, some or all of its open ones, to be sent
// again with an UPDATE within 30 minutes.
//
// It answers, in order:
//   - GET, LinkedIn's validation of the webhook: a challengeCode, a UUID
//     (400 for anything else: the answer signs the code as a
//     notification's signature signs its body), is answered 200 with {"challengeCode",
//     "challengeResponse"}, the challenge signed with the secret of the
//     application named by applicationId, or of the parent application
//     (rsc.WebhookChallengeResponse); 503 while the secret cannot be read
//     or the parent's is unknown. An applicationId the ATS does not know
//     is answered 200 too, keyed by a secret derived from the parent's,
//     so that the answers do not tell a stranger which ids exist.
//   - POST, a notification: at most 256 KiB (413); one X-LI-Signature
//     header that verifies (rsc.VerifyPush) with the parent application's
//     secret or with that of the child application the body names (401,
//     the same answer for an unknown application, before anything else is
//     read; 503 while a secret cannot be read); a valid RESYNC_JOBS body
//     (rsc.ParseJobResync; 400); the customer's target (200, and nothing
//     stored, for an application the ATS does not know, which LinkedIn's
//     redelivery would not change; 503 while it cannot be looked up). The
//     requests are stored (sync.RequestJobResync; 503 when that fails, so
//     that LinkedIn may redeliver), the WithResyncNotify func is told, and
//     the answer is 200.
//   - any other method: 405.
//
// Storing the requests before answering is what makes the notification
// safe: a process that dies after the answer still sends the jobs with
// the customer's next run or retry of dead letters. Start that retry soon
// (WithResyncNotify): LinkedIn gives 30 minutes.
type JobResyncHandler struct {
	secrets Secrets
	targets JobResyncTargets
	notify  func(ctx context.Context, customerID string, keys []string)
	clock   rsc.Clock
	log     *slog.Logger
}

// JobResyncOption configures a JobResyncHandler.
type JobResyncOption func(*JobResyncHandler) error

// WithResyncNotify sets a func told, after a notification's requests are
// stored, which customer has jobs to send and the dead-letter keys of
// those jobs: it should start the retry of those keys
// (Engine.RetryDeadLetters(ctx, keys...), or riverrun.Runner.Retry(ctx,
// customerID, keys) in a fleet) and return at once; the notification is
// answered after it returns. ctx outlives the request. By default nothing
// is told, and the requests wait for the customer's next run (or slice),
// which sends them before its phases, or retry of dead letters.
func WithResyncNotify(f func(ctx context.Context, customerID string, keys []string)) JobResyncOption {
	return func(h *JobResyncHandler) error {
		if f == nil {
			return errors.New("webhook: WithResyncNotify: nil func")
		}
		h.notify = f
		return nil
	}
}

// WithResyncClock sets the clock that dates the requests (the real clock
// by default).
func WithResyncClock(c rsc.Clock) JobResyncOption {
	return func(h *JobResyncHandler) error {
		if err := option.NonNil("webhook", "WithResyncClock", c); err != nil {
			return err
		}
		h.clock = c
		return nil
	}
}

// WithResyncLogger sets the logger of refused and unknown notifications
// (nothing is logged by default). Records never hold a secret or a body.
func WithResyncLogger(l *slog.Logger) JobResyncOption {
	return func(h *JobResyncHandler) error {
		if l == nil {
			return errors.New("webhook: WithResyncLogger: nil logger")
		}
		h.log = l
		return nil
	}
}

// NewJobResync returns the handler of job resync notifications. secrets
// and targets are required.
func NewJobResync(secrets Secrets, targets JobResyncTargets, opts ...JobResyncOption) (*JobResyncHandler, error) {
	if secrets == nil || targets == nil {
		return nil, errors.New("webhook: NewJobResync needs a Secrets and a JobResyncTargets func")
	}
	h := &JobResyncHandler{secrets: secrets, targets: targets, clock: rsc.SystemClock(),
		log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(h); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// ServeHTTP implements http.Handler.
func (h *JobResyncHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		h.challenge(w, r)
	case http.MethodPost:
		h.notification(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// challenge answers LinkedIn's validation of the webhook.
func (h *JobResyncHandler) challenge(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	code := q.Get("challengeCode")
	if !isUUID(code) {
		// The answer is the HMAC-SHA256 of the code keyed by a secret,
		// which is what signs a notification (rsc.VerifyPush) and the
		// pushes to the customers' callback URLs: answered for any code,
		// it would sign any body a stranger chose. LinkedIn's code is a
		// UUID (docs/linkedin-api.md §7.9), which no JSON body is.
		http.Error(w, "challengeCode must be a UUID", http.StatusBadRequest)
		return
	}
	id := q.Get("applicationId")
	secret, err := h.secrets(r.Context(), id)
	if err == nil && secret == "" && id != "" {
		// An application the ATS does not know is answered as a known one
		// would be, with a key no application has: an answer that differed
		// (503, say) would tell a stranger which application ids exist.
		h.log.WarnContext(r.Context(), "webhook: challenge for an unknown application", "applicationId", id)
		secret, err = h.unknownKey(r.Context(), id)
	}
	if err != nil || secret == "" {
		h.log.WarnContext(r.Context(), "webhook: no secret for a challenge", "applicationId", id, "error", err)
		http.Error(w, "secret unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"challengeCode": code, "challengeResponse": rsc.WebhookChallengeResponse(code, secret)})
}

// unknownKey returns the key that answers a challenge for an application
// the ATS does not know: derived from the parent's secret and the id, so
// that the answer is the same at every try and differs from id to id as
// real applications' answers do, yet signs nothing any application
// verifies. It returns "" while the parent's secret is unknown.
func (h *JobResyncHandler) unknownKey(ctx context.Context, applicationID string) (string, error) {
	parent, err := h.secrets(ctx, "")
	if err != nil || parent == "" {
		return "", err
	}
	return rsc.WebhookChallengeResponse("rscgo webhook: no application "+applicationID, parent), nil
}

// isUUID reports whether s is a UUID in its text form, 8-4-4-4-12 hex
// digits.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := range len(s) {
		switch c := s[i]; {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
		default:
			return false
		}
	}
	return true
}

// notification stores the requests of a job resync notification.
func (h *JobResyncHandler) notification(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxResyncBody))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	if status := h.verify(ctx, r.Header.Values(rsc.SignatureHeader), body); status != http.StatusOK {
		http.Error(w, http.StatusText(status), status)
		return
	}
	req, err := rsc.ParseJobResync(body)
	if err != nil {
		h.log.WarnContext(ctx, "webhook: job resync notification refused", "error", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	t, ok, err := h.targets(ctx, req.DeveloperApplication)
	switch {
	case err != nil:
		h.log.WarnContext(ctx, "webhook: job resync target unavailable", "application", req.DeveloperApplication, "error", err)
		http.Error(w, "customer unavailable", http.StatusServiceUnavailable)
		return
	case !ok:
		h.log.WarnContext(ctx, "webhook: job resync for an unknown application", "application", req.DeveloperApplication)
		w.WriteHeader(http.StatusOK)
		return
	}
	held, err := rscsync.RequestJobResync(ctx, t.Checkpoints, t.DeadLetters, t.CustomerID, h.clock.Now(),
		req.ExternalJobPostingIDs, req.SyncAllOpenJobs)
	if err != nil {
		h.log.WarnContext(ctx, "webhook: storing job resync requests", "customer", t.CustomerID, "error", err)
		http.Error(w, "requests not stored", http.StatusServiceUnavailable)
		return
	}
	if h.notify != nil && len(held) > 0 {
		keys := make([]string, len(held))
		for i, d := range held {
			keys[i] = d.Key()
		}
		h.notify(context.WithoutCancel(ctx), t.CustomerID, keys)
	}
	w.WriteHeader(http.StatusOK)
}

// verify checks the notification's one X-LI-Signature against the parent
// application's secret, then the child's the body names. It returns 200,
// 401 or 503.
func (h *JobResyncHandler) verify(ctx context.Context, sigs []string, body []byte) int {
	if len(sigs) != 1 || sigs[0] == "" {
		return http.StatusUnauthorized
	}
	parent, err := h.secrets(ctx, "")
	if err != nil {
		return http.StatusServiceUnavailable
	}
	if parent != "" && rsc.VerifyPush(body, sigs[0], parent) == nil {
		return http.StatusOK
	}
	var named struct {
		App string `json:"developerApplicationUrn"`
	}
	id, ok := "", json.Unmarshal(body, &named) == nil
	if ok {
		id, ok = strings.CutPrefix(named.App, "urn:li:developerApplication:")
	}
	if !ok || id == "" {
		return http.StatusUnauthorized
	}
	child, err := h.secrets(ctx, id)
	if err != nil {
		return http.StatusServiceUnavailable
	}
	if child == "" || rsc.VerifyPush(body, sigs[0], child) != nil {
		return http.StatusUnauthorized
	}
	return http.StatusOK
}
