package readme

import (
	"context"
	"log"

	"github.com/rscgo/rscgo/rsc"
)

// usingTheClient is README.md's "Using the client".
func usingTheClient(ctx context.Context, parentClientID, parentSecret, childClientID, childSecret string, candidates []rsc.Candidate) error {
	partner, err := rsc.NewClient(rsc.WithCredentials(parentClientID, parentSecret))
	if err != nil {
		return err
	}
	acme, err := partner.ForCustomer(childClientID, childSecret) // own token and quota, shared connection pool
	if err != nil {
		return err
	}
	res, err := acme.Candidates.Upsert(ctx, candidates) // any number; sent in order, 100 per call
	if err != nil {
		return err // the call failed as a whole: res says what was acknowledged before it
	}
	for _, it := range res.Failed() {
		// *rsc.ValidationError (refused before sending) or *rsc.EntityError (LinkedIn said no)
		log.Printf("candidate %s: %v", it.Key.CandidateID, it.Err)
	}
	return nil
}

var _ = usingTheClient // compiled, not run: it talks to LinkedIn
