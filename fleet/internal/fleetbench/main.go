// Command fleetbench measures the fleet module and prints a Markdown
// section, "## Fleet", for docs/benchmarks.md: the per-commit cost of each
// checkpoint store (memory, file, PostgreSQL), the River runner's records
// per minute as a share of its customers' combined quota, and the scaling
// of a generated fleet from 1 to 3 worker processes (cmd/rscworker).
//
//	RSCGO_POSTGRES_URL='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable' go -C fleet run ./internal/fleetbench [-quick]
//
// Each run uses new databases on the server, dropped afterwards. Without a
// reachable PostgreSQL it measures what needs none and says what it
// skipped and why; it exits 0 unless a measurement fails.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rscgo/rscgo/fleet/internal/pgtest"
	"github.com/rscgo/rscgo/fleet/pgstore"
	"github.com/rscgo/rscgo/fleet/riverrun"
)

func main() {
	quick := flag.Bool("quick", false, "a short run: fewer rounds, customers and records")
	pgURL := flag.String("postgres", os.Getenv("RSCGO_POSTGRES_URL"), "PostgreSQL server URL (default $RSCGO_POSTGRES_URL)")
	flag.Parse()
	var out bytes.Buffer
	err := run(context.Background(), &out, *pgURL, *quick)
	os.Stdout.Write(out.Bytes())
	if err != nil {
		fmt.Fprintln(os.Stderr, "fleetbench:", err)
		os.Exit(1)
	}
}

// bench is one run's settings and where it writes.
type bench struct {
	out   io.Writer
	quick bool
	pg    string // the server's URL; "" when unreachable
	cmd   string // the command that reproduces the run
}

// run measures everything and writes the section to out.
func run(ctx context.Context, out io.Writer, pgURL string, quick bool) error {
	b := &bench{out: out, quick: quick, cmd: "RSCGO_POSTGRES_URL=postgres://… go -C fleet run ./internal/fleetbench"}
	if quick {
		b.cmd += " -quick"
	}
	fmt.Fprintf(out, "## Fleet\n\nMachine: %s/%s, %d CPUs, %s. Command (from the repository root): `%s`.\n\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), b.cmd)
	if why := reachable(ctx, pgURL); why != "" {
		fmt.Fprintf(out, "Skipped: every PostgreSQL figure (the stores' PostgreSQL rows, the River quota share, the worker scaling): %s.\n\n", why)
	} else {
		b.pg = pgURL
	}
	for _, f := range []func(context.Context) error{b.commits, b.quotaShare, b.scaling} {
		if err := f(ctx); err != nil {
			return err
		}
	}
	return nil
}

// reachable says why the server at u cannot be used, "" when it can.
func reachable(ctx context.Context, u string) string {
	if u == "" {
		return "RSCGO_POSTGRES_URL is not set"
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return "PostgreSQL at RSCGO_POSTGRES_URL does not answer (" + oneLine(err.Error()) + ")"
	}
	conn.Close(ctx)
	return ""
}

func numCPU() int { return runtime.NumCPU() }

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// database creates a new database on the server and returns its URL and
// a function dropping it.
func (b *bench) database(ctx context.Context) (string, func(), error) {
	u, drop, err := pgtest.Create(ctx, b.pg, "rscgo_bench_")
	if err != nil {
		return "", nil, err
	}
	return u, func() { _ = drop(context.WithoutCancel(ctx)) }, nil
}

// section writes a section's heading, its description (a format and its
// arguments) and the command reproducing it.
func (b *bench) section(title, format string, a ...any) {
	fmt.Fprintf(b.out, "### %s\n\n%s\n\nCommand: `%s`\n\n", title, fmt.Sprintf(format, a...), b.cmd)
}

// riverDB creates a new database with the stores' and River's schemas and
// returns it and a function closing and dropping it.
func (b *bench) riverDB(ctx context.Context) (*pgstore.DB, string, func(), error) {
	u, drop, err := b.database(ctx)
	if err != nil {
		return nil, "", nil, err
	}
	db, err := pgstore.Open(ctx, u)
	if err == nil {
		err = riverrun.Migrate(ctx, db.Pool())
		if err != nil {
			db.Close()
		}
	}
	if err != nil {
		drop()
		return nil, "", nil, err
	}
	return db, u, func() { db.Close(); drop() }, nil
}
