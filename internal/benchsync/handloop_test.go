package benchsync

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
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
	bodyKeys := make([]string, len(b.keys))
	ents := make(map[string]handCandidate, len(b.keys))
	for i, k := range b.keys {
		bodyKeys[i] = restli.EncodeKeyBody(restli.Protocol1, k)
		ents[bodyKeys[i]] = b.recs[i]
	}
	body, err := json.Marshal(struct {
		Entities map[string]handCandidate `json:"entities"`
	}{ents})
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
	var br batchResponse
	if err := json.NewDecoder(resp.Body).Decode(&br); err != nil {
		return fmt.Errorf("batch_update: decoding the response: %w", err)
	}
	for _, k := range b.keys {
		// LinkedIn answers with the key's fields query-escaped.
		rk := "atsCandidateId=" + url.QueryEscape(k[0].Value) + "&dataProvider=ATS&integrationContext=" + url.QueryEscape(k[2].Value)
		if r, ok := br.Results[rk]; ok && r.Status >= 200 && r.Status < 300 {
			counts.stored.Add(1)
		} else {
			counts.refused.Add(1)
		}
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
