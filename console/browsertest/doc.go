// Package browsertest tests package console in a real browser: headless
// Chromium (Debian's chromium package, /usr/bin/chromium; else Google
// Chrome, /usr/bin/google-chrome; RSCGO_CHROME names another) driven through
// chromedp shows the console served by httptest, and the test asserts what
// the page shows, retries a dead letter by clicking its button (a plain
// form POST) and writes a screenshot.
//
// It is a module of its own so that the root module does not depend on
// chromedp. Run it with `go -C console/browsertest test ./...`; without
// Chromium the test is skipped, except under CI=true where that is a
// failure. RSCGO_ARTIFACTS names the directory the screenshot is written to
// (default: the test's temporary directory); the test logs its path.
package browsertest
