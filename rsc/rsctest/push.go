package rsctest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Push event types (docs/wire-model.md).
const (
	PushExportCandidateProfile  = "EXPORT_CANDIDATE_PROFILE"
	PushIntegrationStatusChange = "INTEGRATION_STATUS_CHANGE"
)

// Push is one push event LinkedIn sends to a customer's CALLBACK_URL.
type Push struct {
	// ID is the request id to pass to E1 (exportedCandidates) or I3 (atsIntegrations q=request).
	ID string
	// Type is PushExportCandidateProfile or PushIntegrationStatusChange.
	Type string
	// ClientID is the customer's child application client id.
	ClientID string
	// CreatedAt and ExpiresAt are server-clock times.
	CreatedAt, ExpiresAt time.Time
	// Body is the JSON body POSTed: {"id","type","expiresAt"}.
	Body []byte
	// Signature is the X-LI-Signature header value ("hmacsha256=<hex>"), or "" when unsigned.
	Signature string
	// Delivered reports a 2xx answer from the callback URL.
	Delivered bool
	// Attempts counts delivery attempts; LastStatus and LastError describe the last one.
	Attempts   int
	LastStatus int
	LastError  string
	// URL is the callback URL of the last attempt.
	URL string
}

type pushBody struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	ExpiresAt int64  `json:"expiresAt"`
}

type pushItem struct {
	Push
	cust *Customer
}

type pushQueue struct {
	s         *Server
	mu        sync.Mutex
	items     []*pushItem
	deliverMu sync.Mutex // one delivery pass at a time
	wake      chan struct{}
	done      chan struct{}
	stopped   chan struct{}
	closeOnce sync.Once
}

func (q *pushQueue) init(s *Server) {
	q.s = s
	if s.cfg.pushMode == PushBackground {
		q.wake = make(chan struct{}, 1)
		q.done = make(chan struct{})
		q.stopped = make(chan struct{})
		go q.loop()
	}
}

func (q *pushQueue) loop() {
	defer close(q.stopped)
	for {
		select {
		case <-q.done:
			return
		case <-q.wake:
			ctx, cancel := context.WithCancel(context.Background())
			go func() {
				select {
				case <-q.done:
					cancel()
				case <-ctx.Done():
				}
			}()
			_, _ = q.s.DeliverPushes(ctx)
			cancel()
		}
	}
}

func (q *pushQueue) close() {
	q.closeOnce.Do(func() {
		if q.done != nil {
			close(q.done)
			<-q.stopped
		}
	})
}

// Sign returns the X-LI-Signature value for body: "hmacsha256=" + lowercase
// hex HMAC-SHA256(key, body).
func Sign(key, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(body)
	return "hmacsha256=" + hex.EncodeToString(m.Sum(nil))
}

// add queues a push. Safe to call with cu.mu held.
func (q *pushQueue) add(cu *Customer, typ, id string, expires time.Time) {
	body, _ := json.Marshal(pushBody{ID: id, Type: typ, ExpiresAt: expires.UnixMilli()})
	key := []byte(cu.ClientSecret)
	if q.s.cfg.pushSecret != nil {
		key = q.s.cfg.pushSecret(cu)
	}
	sig := ""
	if key != nil {
		sig = Sign(key, body)
	}
	it := &pushItem{Push: Push{ID: id, Type: typ, ClientID: cu.ClientID, CreatedAt: q.s.now(), ExpiresAt: expires, Body: body, Signature: sig}, cust: cu}
	q.mu.Lock()
	q.items = append(q.items, it)
	q.mu.Unlock()
	if q.wake != nil {
		select {
		case q.wake <- struct{}{}:
		default:
		}
	}
}

// Pushes returns every push event created so far (delivered or not), oldest first.
func (s *Server) Pushes() []Push {
	s.pushes.mu.Lock()
	defer s.pushes.mu.Unlock()
	out := make([]Push, len(s.pushes.items))
	for i, it := range s.pushes.items {
		out[i] = it.Push
		out[i].Body = bytes.Clone(it.Body)
	}
	return out
}

// PendingPushes returns the push events not yet delivered, oldest first.
func (s *Server) PendingPushes() []Push {
	var out []Push
	for _, p := range s.Pushes() {
		if !p.Delivered {
			out = append(out, p)
		}
	}
	return out
}

// Pushes returns the customer's push events, oldest first.
func (cu *Customer) Pushes() []Push {
	var out []Push
	for _, p := range cu.s.Pushes() {
		if p.ClientID == cu.ClientID {
			out = append(out, p)
		}
	}
	return out
}

// DeliverPushes POSTs every undelivered push to its customer's CALLBACK_URL
// (Content-Type: application/json, X-LI-Signature), in creation order, and
// returns how many were delivered. Pushes whose customer has no CALLBACK_URL,
// or whose callback fails, stay pending; their errors are joined into err.
func (s *Server) DeliverPushes(ctx context.Context) (int, error) {
	q := &s.pushes
	q.deliverMu.Lock()
	defer q.deliverMu.Unlock()
	q.mu.Lock()
	var pending []*pushItem
	for _, it := range q.items {
		if !it.Delivered {
			pending = append(pending, it)
		}
	}
	q.mu.Unlock()
	hc := s.webhookClient()
	var errs []error
	n := 0
	for _, it := range pending {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		it.cust.mu.Lock()
		url := it.cust.configValue("CALLBACK_URL")
		it.cust.mu.Unlock()
		if url == "" {
			errs = append(errs, fmt.Errorf("push %s for %s: %w", it.ID, it.ClientID, ErrNoCallbackURL))
			continue
		}
		status, err := post(ctx, hc, url, it.Body, it.Signature)
		q.mu.Lock()
		it.Attempts++
		it.URL = url
		it.LastStatus = status
		it.LastError = ""
		if err == nil && status/100 != 2 {
			err = fmt.Errorf("callback answered %d", status)
		}
		if err != nil {
			it.LastError = err.Error()
		} else {
			it.Delivered = true
			n++
		}
		q.mu.Unlock()
		if err != nil {
			errs = append(errs, fmt.Errorf("push %s to %s: %w", it.ID, url, err))
		}
	}
	return n, errors.Join(errs...)
}

func post(ctx context.Context, hc *http.Client, url string, body []byte, sig string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if sig != "" {
		req.Header.Set("X-LI-Signature", sig)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}
