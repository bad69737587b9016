package benchsync

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	gosync "sync"
	"sync/atomic"

	"github.com/rscgo/rscgo/internal/restli"
	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// handCandidate is the hand loop's own JSON shape of a candidate, as a
// vendor would write it from LinkedIn's documentation: phoneNumbers and
// addresses are sent as [] (LinkedIn refuses null).
type handCandidate struct {
	FirstName      string   `json:"firstName"`
	LastName       string   `json:"lastName,omitempty"`
	EmailAddresses []string `json:"emailAddresses"`
	// LinkedIn refuses null lists; the generated candidates have no phone
	// numbers or addresses, so these go as [].
	PhoneNumbers []string `json:"phoneNumbers"`
	Addresses    []string `json:"addresses"`
	// The profile in the ATS.
	ExternalProfileURL string `json:"externalProfileUrl"`
	// Epoch milliseconds.
	CreatedAt      int64 `json:"atsCreatedAt"`
	LastModifiedAt int64 `json:"atsLastModifiedAt"`
}

func toHand(c *rsc.Candidate) handCandidate {
	return handCandidate{FirstName: c.FirstName, LastName: c.LastName, EmailAddresses: c.EmailAddresses,
		PhoneNumbers: []string{}, Addresses: []string{}, ExternalProfileURL: c.ExternalProfileURL,
		CreatedAt: int64(c.CreatedAt), LastModifiedAt: int64(c.LastModifiedAt)}
}

// handLoop is the baseline: a competent hand-written sync of candidates
// with net/http and encoding/json, doing the same work as the engine's
// client side. It reads the source, groups 100 records a batch, keeps
// inFlight batch_update calls going at once (as the engine does), tunnels
// the query as LinkedIn requires above 4,000 bytes (deciding so before it
// builds the one request of each call), and reads every record's status
// from the response. It is written as a careful engineer would: each of
// the inFlight senders reuses its buffers from call to call (the query,
// the body, the tunnelled body, the answer, the decoded answer's maps),
// the body is encoded record by record by one json.Encoder (no map, no
// sort), and the batches are reused. It does not validate, checkpoint,
// retry or pace: the engine's extra work is what the comparison prices.
type handLoop struct {
	hc       *http.Client
	base     string // API base URL, e.g. https://api.linkedin.com
	token    string
	inFlight int
	// floor makes it the cheapest loop we know, for reference: the body is
	// appended by hand instead of encoding/json, and each record's status
	// is found in the answer in key order instead of decoding it.
	floor bool
}

// handBatch is one batch call's records and keys, reused from batch to
// batch.
type handBatch struct {
	fields []restli.Field // the keys' fields, one key after the other
	keys   []restli.Key
	recs   []handCandidate
}

func newHandBatch() *handBatch {
	return &handBatch{fields: make([]restli.Field, 0, 3*batchSize), keys: make([]restli.Key, 0, batchSize),
		recs: make([]handCandidate, 0, batchSize)}
}

// add appends the candidate to the batch.
func (b *handBatch) add(c *rsc.Candidate) {
	n := len(b.fields)
	b.fields = append(b.fields, restli.Field{Name: "atsCandidateId", Value: c.Key.CandidateID},
		restli.Field{Name: "dataProvider", Value: "ATS"}, restli.Field{Name: "integrationContext", Value: c.Key.IntegrationContext})
	b.keys = append(b.keys, b.fields[n:len(b.fields):len(b.fields)])
	b.recs = append(b.recs, toHand(c))
}

// reset empties the batch for reuse, keeping nothing of its records.
func (b *handBatch) reset() {
	clear(b.fields)
	clear(b.keys)
	clear(b.recs)
	b.fields, b.keys, b.recs = b.fields[:0], b.keys[:0], b.recs[:0]
}

// handSender is what one of the inFlight senders reuses from call to call.
type handSender struct {
	query  []byte       // the ids query
	body   bytes.Buffer // the batch body
	enc    *json.Encoder
	tunnel []byte       // the tunnelled body
	answer bytes.Buffer // the response body
	br     batchResponse
	rk     []byte // a key as the response spells it
	auth   string
	url    string // the resource's URL, without a query
}

// handCounts is what the responses said: records stored and refused.
type handCounts struct{ stored, refused atomic.Int64 }

func (h *handLoop) run(ctx context.Context, src rscsync.Source) (stored, refused int64, err error) {
	work := make(chan *handBatch)
	free := make(chan *handBatch, h.inFlight+2) // sent batches, for reuse
	var counts handCounts
	var errOnce gosync.Once
	var firstErr error
	var wg gosync.WaitGroup
	for range h.inFlight {
		s := &handSender{auth: "Bearer " + h.token, url: h.base + "/v2/atsCandidates"}
		s.enc = json.NewEncoder(&s.body)
		wg.Go(func() {
			for b := range work {
				if err := h.send(ctx, s, b, &counts); err != nil {
					errOnce.Do(func() { firstErr = err })
				}
				b.reset()
				select {
				case free <- b:
				default:
				}
			}
		})
	}
	next := func() *handBatch {
		select {
		case b := <-free:
			return b
		default:
			return newHandBatch()
		}
	}
	b := next()
	for c, err := range src.Candidates(ctx, rscsync.Cursor{}) {
		if err != nil {
			errOnce.Do(func() { firstErr = err })
			break
		}
		b.add(&c.Record)
		if len(b.keys) == batchSize {
			work <- b
			b = next()
		}
	}
	if len(b.keys) > 0 {
		work <- b
	}
	close(work)
	wg.Wait()
	return counts.stored.Load(), counts.refused.Load(), firstErr
}

// batchResponse is LinkedIn's answer to a batch write: a status per key.
type batchResponse struct {
	Results map[string]struct {
		Status int `json:"status"`
	} `json:"results"`
	Errors map[string]struct {
		Status  int    `json:"status"`
		Message string `json:"message"`
	} `json:"errors"`
}

func (h *handLoop) send(ctx context.Context, s *handSender, b *handBatch, counts *handCounts) error {
	body, err := h.encode(s, b)
	if err != nil {
		return err
	}
	s.query = restli.AppendBatchIDs(s.query[:0], restli.Protocol1, b.keys)
	var req *http.Request
	if t, ok := restli.AppendTunnel(s.tunnel[:0], http.MethodPut, s.query, body, "application/json"); ok {
		s.tunnel = t.Body
		if req, err = http.NewRequestWithContext(ctx, t.Method, s.url, bytes.NewReader(t.Body)); err != nil {
			return err
		}
		for k, v := range t.Header {
			req.Header[k] = v
		}
	} else {
		if req, err = http.NewRequestWithContext(ctx, http.MethodPut, s.url+"?"+string(s.query), bytes.NewReader(body)); err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("X-RestLi-Method", "batch_update")
	req.Header.Set("Authorization", s.auth)
	resp, err := h.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("batch_update: HTTP %d", resp.StatusCode)
	}
	s.answer.Reset()
	if _, err := s.answer.ReadFrom(resp.Body); err != nil {
		return err
	}
	if h.floor {
		s.rk = scanStatuses(s.answer.Bytes(), b.keys, s.rk, counts)
		return nil
	}
	clear(s.br.Results)
	clear(s.br.Errors)
	if err := json.Unmarshal(s.answer.Bytes(), &s.br); err != nil {
		return fmt.Errorf("batch_update: decoding the response: %w", err)
	}
	for _, k := range b.keys {
		s.rk = appendResponseKey(s.rk[:0], k)
		if r, ok := s.br.Results[string(s.rk)]; ok && r.Status >= 200 && r.Status < 300 {
			counts.stored.Add(1)
		} else {
			counts.refused.Add(1)
		}
	}
	return nil
}

// appendResponseKey appends how LinkedIn names a candidate key in a batch
// answer: its fields query-escaped.
func appendResponseKey(b []byte, k restli.Key) []byte {
	b = append(b, "atsCandidateId="...)
	b = append(b, url.QueryEscape(k[0].Value)...)
	b = append(b, "&dataProvider=ATS&integrationContext="...)
	return append(b, url.QueryEscape(k[2].Value)...)
}

// encode writes the batch body {"entities":{key: record, ...}} into s.body
// and returns it.
func (h *handLoop) encode(s *handSender, b *handBatch) ([]byte, error) {
	s.body.Reset()
	if h.floor {
		out := append(s.body.AvailableBuffer(), `{"entities":{`...)
		for i, k := range b.keys {
			if i > 0 {
				out = append(out, ',')
			}
			out = appendString(out, restli.EncodeKeyBody(restli.Protocol1, k))
			out = append(out, ':')
			out = b.recs[i].appendJSON(out)
		}
		s.body.Write(append(out, "}}"...)) // keeps the grown buffer for the next call
		return s.body.Bytes(), nil
	}
	s.body.WriteString(`{"entities":{`)
	for i, k := range b.keys {
		if i > 0 {
			s.body.WriteByte(',')
		}
		if err := s.enc.Encode(restli.EncodeKeyBody(restli.Protocol1, k)); err != nil {
			return nil, err
		}
		s.body.WriteByte(':')
		if err := s.enc.Encode(&b.recs[i]); err != nil {
			return nil, err
		}
	}
	s.body.WriteString("}}")
	return s.body.Bytes(), nil
}

// appendJSON appends c as encoding/json would (the harness test checks that
// the fake stores it).
func (c *handCandidate) appendJSON(b []byte) []byte {
	b = append(b, `{"firstName":`...)
	b = appendString(b, c.FirstName)
	if c.LastName != "" {
		b = append(b, `,"lastName":`...)
		b = appendString(b, c.LastName)
	}
	b = append(b, `,"emailAddresses":[`...)
	for i, e := range c.EmailAddresses {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, e)
	}
	b = append(b, `],"phoneNumbers":[],"addresses":[],"externalProfileUrl":`...)
	b = appendString(b, c.ExternalProfileURL)
	b = append(b, `,"atsCreatedAt":`...)
	b = strconv.AppendInt(b, c.CreatedAt, 10)
	b = append(b, `,"atsLastModifiedAt":`...)
	return append(strconv.AppendInt(b, c.LastModifiedAt, 10), '}')
}

// appendString appends s as a JSON string: quotes, backslashes and control
// characters escaped, everything else (UTF-8 included) as it is.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// scanStatuses finds each key's status in the answer, in key order, as the
// fake and LinkedIn answer; a key not found after the previous one counts
// as refused. rk is a buffer to reuse, returned grown.
func scanStatuses(body []byte, keys []restli.Key, rk []byte, counts *handCounts) []byte {
	at := 0
	for _, k := range keys {
		rk = append(appendResponseKey(append(rk[:0], '"'), k), `":{"status":2`...)
		i := bytes.Index(body[at:], rk)
		if i < 0 {
			counts.refused.Add(1)
			continue
		}
		at += i + len(rk)
		counts.stored.Add(1)
	}
	return rk
}

// fetchToken gets an access token by client credentials, as the hand loop
// would at start.
func fetchToken(ctx context.Context, hc *http.Client, tokenURL, id, secret string) (string, error) {
	form := "grant_type=client_credentials&client_id=" + id + "&client_secret=" + secret
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, bytes.NewReader([]byte(form)))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var t struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&t); err != nil {
		return "", err
	}
	if t.AccessToken == "" {
		return "", errors.New("token endpoint returned no access_token")
	}
	return t.AccessToken, nil
}
