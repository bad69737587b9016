package ctl

import (
	"context"
	"errors"
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

	rscsync "github.com/rscgo/rscgo/sync"
)

var (
	csrfRE  = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	errorRE = regexp.MustCompile(`id="error">([^<]*)</p>`)
)

// consoleTitle ends the title of every page of the ops console.
const consoleTitle = " · rscgo console</title>"

// retry sends the customer's dead letters with the keys (all when none)
// again: through the engine when the program has one, else through the
// ops console.
func (x *command) retry(ctx context.Context) error {
	id := x.args[0]
	keys, err := x.deadKeys(ctx, "dead retry", id, x.args[1:])
	if err != nil {
		return err
	}
	if x.c.Engine == nil {
		if err := x.viaConsole(ctx, "dead retry", id, keys); err != nil {
			return err
		}
		return x.retried(ctx, id, keys)
	}
	eng, err := x.c.Engine(ctx, id)
	if err != nil {
		return err
	}
	if _, err := eng.RetryDeadLetters(ctx, keys...); err != nil {
		var nf *rscsync.DeadLetterNotFoundError
		if errors.As(err, &nf) {
			return &notFoundError{fmt.Sprintf("customer %s has no dead letter %s", shown(id), quoted(nf.Keys))}
		}
		return err
	}
	return x.retried(ctx, id, keys)
}

// deadKeys turns the KEYs of dead retry or dismiss (name) into keys as the dead-letter
// stores hold them (storedKeys): a bare id (no "/") names the dead letter
// of the customer's job, candidate or application of that id, a usage
// error when it names several (give the full key) and not found when none.
func (x *command) deadKeys(ctx context.Context, name, id string, keys []string) ([]string, error) {
	out := storedKeys(keys)
	var dls []deadLine
	for i, k := range keys {
		if strings.Contains(k, "/") {
			continue
		}
		if dls == nil {
			var err error
			if dls, err = x.s.deadLetters(ctx, id); err != nil {
				return nil, err
			}
		}
		var match []string
		for _, d := range dls {
			if !d.Delete && d.ID == k && bareIDKinds[d.Kind.Phase()] == d.Kind {
				match = append(match, d.Key)
			}
		}
		switch len(match) {
		case 0:
			return nil, &notFoundError{fmt.Sprintf("customer %s has no dead letter of a job, candidate or application %s", shown(id), shown(k))}
		case 1:
			out[i] = match[0]
		default:
			return nil, &usageError{fmt.Sprintf("%s: %s names %s: give the KEY whole", name, shown(k), strings.Join(match, " and "))}
		}
	}
	return out, nil
}

// storedKeys is keys as the dead-letter stores hold them: a key typed with
// an id that is not valid UTF-8 or holds NUL is escaped (DeadLetter.Escape),
// as dead list prints it; a key that is not one is kept, to be reported.
func storedKeys(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k
		if d, err := rscsync.ParseDeadLetterKey(k); err == nil {
			out[i] = d.Escape().Key()
		}
	}
	return out
}

func quoted(keys []string) string {
	q := make([]string, len(keys))
	for i, k := range keys {
		q[i] = shown(k)
	}
	return strings.Join(q, ", ")
}

// retried prints what a retry left: the dead letters remaining, and exits
// 4 when some of the keys retried (all when none) are among them.
func (x *command) retried(ctx context.Context, id string, keys []string) error {
	left, err := x.s.deadLetters(ctx, id)
	if err != nil {
		return err
	}
	refused := 0
	for _, d := range left {
		if len(keys) == 0 || slices.Contains(keys, d.Key) {
			refused++
		}
	}
	if x.o.json {
		err = jsonLines(x.c.Stdout, []map[string]any{{"customer": id, "retried": true, "refused": refused, "deadLetters": len(left)}})
	} else {
		fmt.Fprintf(x.c.Stdout, "retry of customer %s done: %d refused again, %d dead letters remain\n", id, refused, len(left))
	}
	if err == nil && refused > 0 {
		err = &notExactError{fmt.Sprintf("%d records of customer %s refused again (dead list %s)", refused, shown(id), id)}
	}
	return err
}

// viaConsole asks the ops console to retry the customer's dead letters with
// the keys (all when none): it opens the customer's page for a session and
// its anti-CSRF token, then posts the page's retry form.
func (x *command) viaConsole(ctx context.Context, what, id string, keys []string) error {
	dls, err := x.s.deadLetters(ctx, id)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if !slices.ContainsFunc(dls, func(d deadLine) bool { return d.Key == k }) {
			return &notFoundError{fmt.Sprintf("customer %s has no dead letter %s", shown(id), shown(k))}
		}
	}
	if _, err := x.consoleURL(what); err != nil {
		return err
	}
	if len(dls) == 0 {
		// Nothing to retry (and no keys, which would not be found): the
		// console's page offers no retry form then.
		return nil
	}
	cs, err := x.openConsole(ctx, what, id, "retry", "WithRetry")
	if err != nil {
		return err
	}
	_, err = cs.post(ctx, "retry", url.Values{"key": keys})
	return err
}

// session is an operator's session on the ops console, on a customer's
// page.
type session struct {
	o        options
	c        *http.Client
	base     *url.URL
	customer string
	csrf     string
}

// openConsole opens the customer's page on the console (-console) for a
// session and its anti-CSRF token; the page must offer the form posting to
// action (which the console's option named opt enables).
func (x *command) openConsole(ctx context.Context, what, id, action, opt string) (*session, error) {
	o := x.o
	base, err := x.consoleURL(what)
	if err != nil {
		return nil, err
	}
	jar, _ := cookiejar.New(nil) // never fails without options
	cs := &session{o: o, base: base, customer: id, c: &http.Client{Jar: jar, Timeout: 10 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	page, err := cs.page(ctx)
	if err != nil {
		return nil, err
	}
	m := csrfRE.FindStringSubmatch(page)
	// The console's forms post to action, with the customer in the URL's
	// query (older consoles: without a query).
	if m == nil || !strings.Contains(page, `action="`+action+`"`) && !strings.Contains(page, `action="`+action+`?`) {
		return nil, fmt.Errorf("the console's page of %s offers no %s (is %s set?)", shown(id), action, opt)
	}
	cs.csrf = html.UnescapeString(m[1])
	return cs, nil
}

// consoleURL is the console's URL (-console), ending with "/", or a
// *usageError when there is none or it is not an http(s) URL.
func (x *command) consoleURL(what string) (*url.URL, error) {
	o := x.o
	if o.console == "" {
		return nil, &usageError{what + " needs -console URL (or $RSCCTL_CONSOLE): it reads records from the ATS, which only the service that runs the sync can do"}
	}
	base, err := url.Parse(o.console)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, &usageError{fmt.Sprintf("-console %s is not an http(s) URL", shown(o.console))}
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	return base, nil
}

// page returns the customer's page.
func (cs *session) page(ctx context.Context) (string, error) {
	return call(ctx, cs.c, cs.o, http.MethodGet, cs.base.ResolveReference(&url.URL{Path: "customer", RawQuery: url.Values{"id": {cs.customer}}.Encode()}), nil)
}

// post posts a form of the customer's page to action.
func (cs *session) post(ctx context.Context, action string, form url.Values) (string, error) {
	form.Set("csrf", cs.csrf)
	form.Set("customer", cs.customer)
	return call(ctx, cs.c, cs.o, http.MethodPost, cs.base.ResolveReference(&url.URL{Path: action}), form)
}

// call sends one request to the console with the operator's token and
// returns the page; a POST must be answered by a redirect. A 404 is a
// *notFoundError only when it is the console's own error page: any other
// (a wrong -console URL) is a failure.
func call(ctx context.Context, c *http.Client, o options, method string, u *url.URL, form url.Values) (string, error) {
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
	m := errorRE.FindStringSubmatch(page)
	if m != nil {
		why = html.UnescapeString(m[1])
	}
	if res.StatusCode == http.StatusNotFound {
		if m != nil && strings.Contains(page, consoleTitle) { // the console's own page: no such customer
			return "", &notFoundError{fmt.Sprintf("the console: %s %s: %s", method, u.Path, why)}
		}
		// Another server's answer, or a mux's: the URL is wrong, which says
		// nothing of the customer.
		return "", fmt.Errorf("the console answered %s to %s %s: %s (not a page of the ops console: check -console)", res.Status, method, u.Path, why)
	}
	return "", fmt.Errorf("the console answered %s to %s %s: %s", res.Status, method, u.Path, why)
}
