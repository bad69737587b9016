package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/rsc"
)

// Invalid flags are usage errors naming the flag; a database that does
// not answer is an error naming the cause, without the URL's password.
func TestFlags(t *testing.T) {
	ok := []string{"-postgres", "postgres://u:pw@127.0.0.1:1/db", "-rsc", "http://127.0.0.1:8080"}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-rsc", "http://127.0.0.1:8080"}, "-postgres"},
		{ok[:2], "-rsc"},
		{append(ok[:2:2], "-rsc", "ftp://x"), "-rsc"},
		{append(ok, "-customers", "0"), "customers"},
		{append(ok, "-big", "201"), "big"},
		{append(ok, "-in-flight", "65"), "-in-flight"},
		{append(ok, "-lease-ttl", "30s"), "-lease-ttl"},
		{append(ok, "-rescue-after", "1m"), "-rescue-after"},
		{append(ok, "-max-backoff", "-1s"), "-max-backoff"},
		{append(ok, "-epoch", "yesterday"), "-epoch"},
		{append(ok, "-epoch", "2999-01-01T00:00:00Z"), "-epoch"},
		{append(ok, "-nope"), "nope"},
	} {
		_, err := parseFlags(flag.NewFlagSet("rscworker", flag.ContinueOnError), tc.args)
		if _, usage := errors.AsType[*usageError](err); !usage || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want a usage error naming %s", tc.args, err, tc.want)
		}
	}
	cfg, err := parseFlags(flag.NewFlagSet("rscworker", flag.ContinueOnError), ok)
	if err != nil {
		t.Fatal(err)
	}
	err = run(context.Background(), cfg, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "-postgres") || !strings.Contains(err.Error(), "cannot reach") || strings.Contains(err.Error(), "pw") {
		t.Errorf("unreachable database: %v, want an error naming -postgres and the cause, without the password", err)
	}
}

// The command says why it refuses its flags, on stderr with status 2, and
// -help prints the usage on stdout with status 0.
func TestCommandLine(t *testing.T) {
	type result struct {
		Code           int
		Stdout, Stderr string
	}
	for _, tc := range []struct {
		args []string
		want result
	}{
		{[]string{"-nope"}, result{2, "", "rscworker: flag provided but not defined: -nope (rscworker -help lists the flags)\n"}},
		{[]string{"-customers", "x"}, result{2, "", "rscworker: invalid value \"x\" for flag -customers: parse error (rscworker -help lists the flags)\n"}},
		{[]string{"-postgres", "postgres://127.0.0.1:1/db"}, result{2, "", "rscworker: -rsc: the RSC base URL is required\n"}},
		{[]string{"-help"}, result{0, "USAGE", ""}},
		{[]string{"-h"}, result{0, "USAGE", ""}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var stdout, stderr strings.Builder
			got := result{cli(tc.args, &stdout, &stderr), stdout.String(), stderr.String()}
			if tc.want.Stdout == "USAGE" && strings.HasPrefix(got.Stdout, "usage: rscworker -postgres URL -rsc URL [flag...]\n") &&
				strings.Contains(got.Stdout, "\n  -postgres string\n") && strings.Contains(got.Stdout, "\n  -rsc string\n") {
				got.Stdout = "USAGE"
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("rscworker %q (-want +got):\n%s", tc.args, d)
			}
		})
	}
}

// The clients' retries end well within River's JobTimeout: the default
// policy's with a minute (rscworker's default), capped below it.
func TestRetryWithin(t *testing.T) {
	for _, tc := range []struct {
		jobTimeout time.Duration
		want       rsc.RetryPolicy
	}{
		{time.Minute, rsc.RetryPolicy{MaxAttempts: 4, MinWait: 500 * time.Millisecond, MaxWait: 10 * time.Second, MaxElapsed: 20 * time.Second}},
		{10 * time.Minute, rsc.DefaultRetryPolicy()},
		{time.Second, rsc.RetryPolicy{MaxAttempts: 4, MinWait: time.Second / 6, MaxWait: time.Second / 6, MaxElapsed: time.Second / 3}},
	} {
		if d := cmp.Diff(tc.want, retryWithin(tc.jobTimeout)); d != "" {
			t.Errorf("JobTimeout %v (-want +got):\n%s", tc.jobTimeout, d)
		}
	}
}
