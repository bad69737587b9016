package fuzzseed

import "testing"

func TestMarshal(t *testing.T) {
	got := string(Marshal("a\"b", []byte{0xff, 'x'}, true, 7, int64(-2)))
	want := "go test fuzz v1\nstring(\"a\\\"b\")\n[]byte(\"\\xffx\")\nbool(true)\nint(7)\nint64(-2)\n"
	if got != want {
		t.Errorf("Marshal = %q, want %q", got, want)
	}
}

func TestHeaderValue(t *testing.T) {
	if got := HeaderValue(" a\x00b\tc\x7f\r\n "); got != "ab\tc" {
		t.Errorf("HeaderValue = %q", got)
	}
}
