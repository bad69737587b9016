package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rscgo/rscgo/rsc/rsctest"
)

// The standalone fake starts, prints where it is and what to log in with,
// and answers plain net/http requests made with those credentials.
func TestStandalone(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, pw, l, "pid", "psecret", rsctest.CustomerSpec{ClientID: "cid", ClientSecret: "csecret",
			UniqueForeignID: "demo", Organization: "urn:li:organization:1000", Contracts: []string{"urn:li:contract:5000"}},
			1, 30*time.Minute, false)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	var banner []string
	for lines.Scan() && !strings.Contains(lines.Text(), "admin:") {
		banner = append(banner, lines.Text())
	}
	go io.Copy(io.Discard, pr)
	text := strings.Join(banner, "\n")
	base := "http://" + l.Addr().String()
	for _, want := range []string{"serving on " + base, "client_id=cid client_secret=csecret", "urn:li:contract:5000", base + "/oauth/v2/accessToken"} {
		if !strings.Contains(text, want) {
			t.Errorf("banner lacks %q:\n%s", want, text)
		}
	}

	resp, err := http.PostForm(base+"/oauth/v2/accessToken", url.Values{"grant_type": {"client_credentials"},
		"client_id": {"cid"}, "client_secret": {"csecret"}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.AccessToken == "" || tok.ExpiresIn != 1800 {
		t.Fatalf("token: %v %+v (status %d)", err, tok, resp.StatusCode)
	}
	resp, err = http.Get(base + "/_rsctest/state")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "urn:li:organization:1000") {
		t.Errorf("state: %d %s", resp.StatusCode, body)
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
