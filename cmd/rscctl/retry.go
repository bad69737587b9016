package main

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// stamp formats a time for the text output ("" for the zero time).
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

var (
	csrfRE  = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	errorRE = regexp.MustCompile(`id="error">([^<]*)</p>`)
)

// retry asks the ops console to retry the customer's dead letters with the
// keys (all when none): it opens the customer's page for a session and its
// anti-CSRF token, then posts the page's retry form.
func (s *stores) retry(ctx context.Context, o options, id string, keys []string, w io.Writer) error {
	if o.console == "" {
		return &usageError{"dead retry needs -console URL (or $RSCCTL_CONSOLE): a retry reads the records again from the ATS, which only the service that runs the sync can do"}
	}
	base, err := url.Parse(o.console)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return &usageError{fmt.Sprintf("-console %q is not an http(s) URL", o.console)}
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	dls, err := s.deadLetters(ctx, id)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if !slices.ContainsFunc(dls, func(d deadLine) bool { return d.Key == k }) {
			return &notFoundError{fmt.Sprintf("customer %q has no dead letter %q", id, k)}
		}
	}
	jar, _ := cookiejar.New(nil) // never fails without options
	c := &http.Client{Jar: jar, Timeout: 10 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page, err := s.call(ctx, c, o, http.MethodGet, base.ResolveReference(&url.URL{Path: "customer", RawQuery: url.Values{"id": {id}}.Encode()}), nil)
	if err != nil {
		return err
	}
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		return fmt.Errorf("the console's page of %q offers no retry (is WithRetry set?)", id)
	}
	form := url.Values{"csrf": {html.UnescapeString(m[1])}, "customer": {id}, "key": keys}
	if _, err := s.call(ctx, c, o, http.MethodPost, base.ResolveReference(&url.URL{Path: "retry"}), form); err != nil {
		return err
	}
	left, err := s.deadLetters(ctx, id)
	if err != nil {
		return err
	}
	if o.json {
		return jsonLines(w, []map[string]any{{"customer": id, "retried": true, "deadLetters": len(left)}})
	}
	fmt.Fprintf(w, "retry of customer %s done: %d dead letters remain\n", id, len(left))
	return nil
}

// call sends one request to the console with the operator's token and
// returns the page; a POST must be answered by a redirect.
func (s *stores) call(ctx context.Context, c *http.Client, o options, method string, u *url.URL, form url.Values) (string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return "", err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if o.token != "" {
		req.Header.Set("Authorization", "Bearer "+o.token)
	}
	res, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("the console: %w", err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
	if err != nil {
		return "", fmt.Errorf("the console: %w", err)
	}
	page := string(b)
	ok := res.StatusCode == http.StatusOK
	if method == http.MethodPost {
		ok = res.StatusCode == http.StatusSeeOther
	}
	if ok {
		return page, nil
	}
	why := strings.TrimSpace(page)
	if m := errorRE.FindStringSubmatch(page); m != nil {
		why = html.UnescapeString(m[1])
	}
	if res.StatusCode == http.StatusNotFound {
		return "", &notFoundError{fmt.Sprintf("the console: %s %s: %s", method, u.Path, why)}
	}
	return "", fmt.Errorf("the console answered %s to %s %s: %s", res.Status, method, u.Path, why)
}
