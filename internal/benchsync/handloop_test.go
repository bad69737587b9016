package benchsync

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
// with net/http and encoding/json. It reads the source, groups 100
// records a batch, keeps inFlight batch_update calls going at once (as
// the engine does), tunnels the query as LinkedIn requires above 4,000
// bytes, and reads every record's status from the response. It does not
// validate, checkpoint, retry or pace: the engine's extra work is what the
// comparison prices.
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

// handBatch is one batch call's records and keys.
type handBatch struct {
	keys []restli.Key
	recs []handCandidate
}

// handCounts is what the responses said: records stored and refused.
type handCounts struct{ stored, refused atomic.Int64 }

func (h *handLoop) run(ctx context.Context, src rscsync.Source) (stored, refused int64, err error) {
	work := make(chan handBatch)
	var counts handCounts
	var errOnce gosync.Once
	var firstErr error
	var wg gosync.WaitGroup
	for range h.inFlight {
		wg.Go(func() {
			for b := range work {
				if err := h.send(ctx, b, &counts); err != nil {
					errOnce.Do(func() { firstErr = err })
				}
			}
		})
	}
	b := handBatch{keys: make([]restli.Key, 0, batchSize), recs: make([]handCandidate, 0, batchSize)}
	for c, err := range src.Candidates(ctx, rscsync.Cursor{}) {
		if err != nil {
			errOnce.Do(func() { firstErr = err })
			break
		}
		k := c.Record.Key
		b.keys = append(b.keys, restli.Key{{Name: "atsCandidateId", Value: k.CandidateID}, {Name: "dataProvider", Value: "ATS"},
			{Name: "integrationContext", Value: k.IntegrationContext}})
		b.recs = append(b.recs, toHand(&c.Record))
		if len(b.keys) == batchSize {
			work <- b
			b = handBatch{keys: make([]restli.Key, 0, batchSize), recs: make([]handCandidate, 0, batchSize)}
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

func (h *handLoop) send(ctx context.Context, b handBatch, counts *handCounts) error {
	body, err := h.encode(b)
	if err != nil {
		return err
	}
	query := restli.EncodeBatchIDs(restli.Protocol1, b.keys)
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, h.base+"/v2/atsCandidates?"+query, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if t, ok := restli.Tunnel(http.MethodPut, query, body, "application/json"); ok {
		if req, err = http.NewRequestWithContext(ctx, t.Method, h.base+"/v2/atsCandidates", bytes.NewReader(t.Body)); err != nil {
			return err
		}
		for k, v := range t.Header {
			req.Header[k] = v
		}
	}
	req.Header.Set("X-RestLi-Method", "batch_update")
	req.Header.Set("Authorization", "Bearer "+h.token)
	resp, err := h.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("batch_update: HTTP %d", resp.StatusCode)
	}
	if h.floor {
		return scanStatuses(resp.Body, b.keys, counts)
	}
	var br batchResponse
	if err := json.NewDecoder(resp.Body).Decode(&br); err != nil {
		return fmt.Errorf("batch_update: decoding the response: %w", err)
	}
	for _, k := range b.keys {
		if r, ok := br.Results[responseKey(k)]; ok && r.Status >= 200 && r.Status < 300 {
			counts.stored.Add(1)
		} else {
			counts.refused.Add(1)
		}
	}
	return nil
}

// responseKey is how LinkedIn names a candidate key in a batch answer: its
// fields query-escaped.
func responseKey(k restli.Key) string {
	return "atsCandidateId=" + url.QueryEscape(k[0].Value) + "&dataProvider=ATS&integrationContext=" + url.QueryEscape(k[2].Value)
}

// encode returns the batch body {"entities":{key: record, ...}}.
func (h *handLoop) encode(b handBatch) ([]byte, error) {
	if h.floor {
		out := make([]byte, 0, 256*len(b.keys))
		out = append(out, `{"entities":{`...)
		for i, k := range b.keys {
			if i > 0 {
				out = append(out, ',')
			}
			out = appendString(out, restli.EncodeKeyBody(restli.Protocol1, k))
			out = append(out, ':')
			out = b.recs[i].appendJSON(out)
		}
		return append(out, "}}"...), nil
	}
	ents := make(map[string]handCandidate, len(b.keys))
	for i, k := range b.keys {
		ents[restli.EncodeKeyBody(restli.Protocol1, k)] = b.recs[i]
	}
	return json.Marshal(struct {
		Entities map[string]handCandidate `json:"entities"`
	}{ents})
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
// as refused.
func scanStatuses(r io.Reader, keys []restli.Key, counts *handCounts) error {
	body, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	at := 0
	for _, k := range keys {
		rk := `"` + responseKey(k) + `":{"status":2`
		i := bytes.Index(body[at:], []byte(rk))
		if i < 0 {
			counts.refused.Add(1)
			continue
		}
		at += i + len(rk)
		counts.stored.Add(1)
	}
	return nil
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
