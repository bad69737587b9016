package textenum

import "testing"

func TestRoundTrip(t *testing.T) {
	keys := []string{"none", "one", "two"}
	for i := range keys {
		b, err := Marshal("p", "thing", keys, i)
		if err != nil {
			t.Fatal(err)
		}
		if j, err := Unmarshal("p", "thing", keys, b); err != nil || j != i {
			t.Errorf("Unmarshal(%q) = %d, %v", b, j, err)
		}
	}
	if _, err := Marshal("p", "thing", keys, 3); err == nil || err.Error() != "p: invalid thing 3" {
		t.Errorf("Marshal(3) error = %v", err)
	}
	if _, err := Unmarshal("p", "thing", keys, []byte("three")); err == nil || err.Error() != `p: unknown thing "three"` {
		t.Errorf("Unmarshal(three) error = %v", err)
	}
}
