package restli

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestKeyGet(t *testing.T) {
	t.Parallel()
	k := Key{{"a", "1"}, {"b", ""}, {"a", "2"}}
	for _, tt := range []struct {
		name, want string
		ok         bool
	}{{"a", "1", true}, {"b", "", true}, {"c", "", false}} {
		if got, ok := k.Get(tt.name); got != tt.want || ok != tt.ok {
			t.Errorf("Get(%q) = %q, %v", tt.name, got, ok)
		}
	}
}

func TestKeyEqual(t *testing.T) {
	t.Parallel()
	big := func(rev bool) Key {
		var k Key
		for i := range 20 {
			f := Field{Name: string(rune('a' + i)), Value: "v"}
			if rev {
				k = append(Key{f}, k...)
			} else {
				k = append(k, f)
			}
		}
		return k
	}
	tests := []struct {
		a, b Key
		want bool
	}{
		{nil, nil, true},
		{nil, Key{}, true},
		{Key{{"a", "1"}, {"b", "2"}}, Key{{"b", "2"}, {"a", "1"}}, true},
		{Key{{"a", "1"}, {"b", "2"}}, Key{{"a", "1"}, {"b", "3"}}, false},
		{Key{{"a", "1"}}, Key{{"a", "1"}, {"b", "2"}}, false},
		{Key{{"a", "1"}, {"a", "1"}}, Key{{"a", "1"}, {"a", "2"}}, false},
		{Key{{"a", "1"}, {"a", "2"}}, Key{{"a", "2"}, {"a", "1"}}, true},
		{big(false), big(true), true},
		{candidateKey("C1", "1"), candidateKey("C1", "2"), false},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			got := []bool{tt.a.Equal(tt.b), tt.b.Equal(tt.a)}
			if d := cmp.Diff([]bool{tt.want, tt.want}, got); d != "" {
				t.Errorf("%v.Equal(%v) and reversed (-want +got):\n%s", tt.a, tt.b, d)
			}
		})
	}
}

func TestKeyWithoutSorted(t *testing.T) {
	t.Parallel()
	k := Key{{ParamsField, "()"}, {"z", "1"}, {"a", "2"}, {"a", "1"}}
	if got, want := k.Without(ParamsField), (Key{{"z", "1"}, {"a", "2"}, {"a", "1"}}); !reflect.DeepEqual(got, want) {
		t.Errorf("Without = %v", got)
	}
	if got, want := k.Sorted(), (Key{{ParamsField, "()"}, {"a", "1"}, {"a", "2"}, {"z", "1"}}); !reflect.DeepEqual(got, want) {
		t.Errorf("Sorted = %v", got)
	}
	if k[1].Name != "z" {
		t.Error("Sorted modified its receiver")
	}
}
