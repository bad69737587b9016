// Package fleetrun starts the processes of a fleet run for the fleet proof
// (internal/fleetproof) and benchmarks (internal/fleetbench): it builds
// the worker (cmd/rscworker) and the standalone fake
// (rsc/rsctest/cmd/rscfake), starts the fake, adds a generated fleet's
// customers to it and waits until every customer is caught up. It also
// defines what the worker writes and the proof reads: the headers naming
// the sender of each request and the lines of the worker's -events output.
package fleetrun

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/rscgo/rscgo/fleet/internal/fleetgen"
	"github.com/rscgo/rscgo/fleet/riverrun"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// The headers the worker sets on every request to RSC: the worker, and
// within a slice its customer and the slice (worker/job id/attempt), so
// that a recording proxy in front of the fake knows who sent what.
const (
	HeaderWorker   = "X-Rscgo-Worker"
	HeaderCustomer = "X-Rscgo-Customer"
	HeaderSlice    = "X-Rscgo-Slice"
)

// Event is one line of the worker's -events output, a JSON object.
type Event struct {
	Time     time.Time `json:"time"`
	Worker   string    `json:"worker"`
	Event    string    `json:"event"` // start, end, commit, refused, stop (the worker stops River)
	Customer string    `json:"customer"`
	Slice    string    `json:"slice"`
	// Result of an end: done, snoozed, fenced (a write refused because the
	// lease was lost) or failed.
	Result string `json:"result,omitempty"`
	Error  string `json:"error,omitempty"`
	// Began is when the commit of a commit or refused event began.
	Began time.Time `json:"began,omitzero"`
}

// Build builds the worker and the standalone fake into dir, without -race,
// and returns their paths.
func Build(dir string) (worker, fake string, err error) {
	worker, fake = filepath.Join(dir, "rscworker"), filepath.Join(dir, "rscfake")
	for out, pkg := range map[string]string{worker: "github.com/rscgo/rscgo/fleet/cmd/rscworker", fake: "github.com/rscgo/rscgo/rsc/rsctest/cmd/rscfake"} {
		if b, err := exec.Command("go", "build", "-o", out, pkg).CombinedOutput(); err != nil {
			return "", "", fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
		}
	}
	return worker, fake, nil
}

// StartFake starts the standalone fake bin with its throttles off on a
// free loopback port, and returns its base URL and a function stopping it.
func StartFake(bin string) (string, func(), error) {
	c := exec.Command(bin, "-addr", "127.0.0.1:0", "-no-throttle")
	out, err := c.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := c.Start(); err != nil {
		return "", nil, err
	}
	stop := func() { _ = c.Process.Kill(); _ = c.Wait() }
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if base, ok := strings.CutPrefix(lines.Text(), "rscfake serving on "); ok {
			go func() {
				for lines.Scan() { // drain the rest
				}
			}()
			return base, stop, nil
		}
	}
	stop()
	return "", nil, fmt.Errorf("the fake printed no address: %v", lines.Err())
}

// Provision adds the customers to the fake at base through its admin API;
// a customer the fake already holds (409 Conflict) is left as it is.
func Provision(ctx context.Context, base string, custs []fleetgen.Customer) error {
	for _, c := range custs {
		body, _ := json.Marshal(rsctest.CustomerSpec{ClientID: c.ClientID, ClientSecret: c.ClientSecret,
			UniqueForeignID: c.ID, Organization: c.Organization})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(base, "/")+"/_rsctest/customers", bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return fmt.Errorf("the fake's admin API does not answer: %w", err)
		}
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusConflict {
			return fmt.Errorf("adding customer %s to the fake: HTTP %d: %s", c.ID, resp.StatusCode, bytes.TrimSpace(msg))
		}
	}
	return nil
}

// CaughtUp waits until each of n customers is caught up: no slice waits
// or runs but every customer's next incremental one, half an hour ahead
// or more (give the workers an incremental interval longer than that).
func CaughtUp(ctx context.Context, pool *pgxpool.Pool, n int, within time.Duration) error {
	deadline := time.Now().Add(within)
	var busy, done int
	for time.Now().Before(deadline) {
		err := pool.QueryRow(ctx, `select
			count(*) filter (where state in ('available', 'running', 'retryable', 'pending')),
			count(distinct args->>'customer_id') filter (where state = 'scheduled' and scheduled_at > now() + interval '30 minutes')
			from river_job where kind = $1`, riverrun.SliceArgs{}.Kind()).Scan(&busy, &done)
		if err != nil {
			return err
		}
		if busy == 0 && done == n {
			return nil
		}
		time.Sleep(20 * time.Millisecond) // polling for the condition
	}
	return fmt.Errorf("after %v, %d slices still wait or run and %d of %d customers are caught up", within, busy, done, n)
}
