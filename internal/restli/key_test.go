package restli

import (
	"reflect"
	"testing"
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
	for _, tt := range tests {
		if got := tt.a.Equal(tt.b); got != tt.want {
			t.Errorf("%v.Equal(%v) = %v", tt.a, tt.b, got)
		}
		if got := tt.b.Equal(tt.a); got != tt.want {
			t.Errorf("%v.Equal(%v) = %v (reversed)", tt.b, tt.a, got)
		}
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
