package pep440

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestOrder checks lists that must be strictly increasing: PEP 440's
// summary of permitted suffixes and relative ordering, its epoch example,
// and the local version rules.
func TestOrder(t *testing.T) {
	tests := map[string][]string{
		"pep 440 suffix ordering": {
			"1.dev0", "1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12",
			"1.0b1.dev456", "1.0b2", "1.0b2.post345.dev456", "1.0b2.post345", "1.0rc1.dev456",
			"1.0rc1", "1.0", "1.0+abc.5", "1.0+abc.7", "1.0+5", "1.0.post456.dev34",
			"1.0.post456", "1.0.15", "1.1.dev1",
		},
		"pep 440 epochs":     {"1.0", "1.1", "2.0", "2013.10", "2014.04", "1!1.0", "1!1.1", "1!2.0"},
		"release components": {"0.9", "0.9.1", "0.10", "1", "1.0.1", "1.1", "1.1.0.1", "10"},
		"pre labels":         {"1.0a0", "1.0a9", "1.0a10", "1.0b0", "1.0rc0", "1.0rc1"},
		"dev placement": {
			"1.0.dev0", "1.0.dev1", "1.0a1.dev0", "1.0a1", "1.0a1.post0.dev0", "1.0a1.post0",
			"1.0", "1.0.post0.dev0", "1.0.post0", "1.0.post1",
		},
		"local segments": {
			"1.0", "1.0+a", "1.0+a.a", "1.0+a.z", "1.0+a.0", "1.0+a.9", "1.0+a.10",
			"1.0+abc", "1.0+b", "1.0+z9", "1.0+0", "1.0+0.a", "1.0+0.0", "1.0+2", "1.0+10",
			"1.0+99999999999999999999999", "1.0+100000000000000000000000",
		},
	}
	for name, list := range tests {
		t.Run(name, func(t *testing.T) {
			vs := make([]Version, len(list))
			for i, s := range list {
				vs[i] = MustParse(s)
			}
			for i := range vs {
				for j := range vs {
					if got, want := Compare(vs[i], vs[j]), cmpInt(i, j); got != want {
						t.Errorf("Compare(%s, %s) = %d, want %d", list[i], list[j], got, want)
					}
				}
			}
			shuffled := slices.Clone(vs)
			rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) {
				shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
			})
			slices.SortFunc(shuffled, Compare)
			for i := range shuffled {
				if got := shuffled[i].String(); got != vs[i].String() {
					t.Errorf("sorted[%d] = %s, want %s", i, got, vs[i])
				}
			}
		})
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestEqual(t *testing.T) {
	tests := map[string]struct {
		a, b  string
		equal bool
	}{
		"trailing zeros":         {a: "1.0", b: "1.0.0", equal: true},
		"many trailing zeros":    {a: "1", b: "1.0.0.0.0", equal: true},
		"spellings":              {a: "v1.0-ALPHA.1", b: "1.0a1", equal: true},
		"implicit numbers":       {a: "1.0a.post.dev", b: "1.0a0.post0.dev0", equal: true},
		"epoch zero":             {a: "0!1.0", b: "1.0", equal: true},
		"local case":             {a: "1.0+ABC", b: "1.0+abc", equal: true},
		"local leading zeros":    {a: "1.0+01", b: "1.0+1", equal: true},
		"local separators":       {a: "1.0+a-b_c", b: "1.0+a.b.c", equal: true},
		"local differs":          {a: "1.0+abc", b: "1.0"},
		"post zero is not final": {a: "1.0.post0", b: "1.0"},
		"pre zero is not final":  {a: "1.0a0", b: "1.0"},
		"zero in the middle":     {a: "1.0.1", b: "1.1"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			a, b := MustParse(tc.a), MustParse(tc.b)
			if got := a.Equal(b); got != tc.equal {
				t.Errorf("%s.Equal(%s) = %v, want %v", tc.a, tc.b, got, tc.equal)
			}
			if got := b.Equal(a); got != tc.equal {
				t.Errorf("%s.Equal(%s) = %v, want %v", tc.b, tc.a, got, tc.equal)
			}
			if got := a.Compare(b) == 0; got != tc.equal {
				t.Errorf("%s.Compare(%s) = %d", tc.a, tc.b, a.Compare(b))
			}
		})
	}
}
