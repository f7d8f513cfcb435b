package pep440

import (
	"errors"
	"reflect"
	"testing"
)

// FuzzParse checks that Parse never panics, that it either succeeds or
// returns a ParseError, and that the normalised form is a fixed point: it
// parses back to an identical version with the same String.
func FuzzParse(f *testing.F) {
	for _, s := range oracleExtras {
		f.Add(s)
	}
	g := newGen(1)
	for _, s := range g.corpus(200) {
		f.Add(s)
	}
	f.Add("1.0.po\u017ft1")
	f.Add("1!99999999999999999999")
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s)
		if err != nil {
			var perr *ParseError
			if !errors.As(err, &perr) || !errors.Is(err, ErrInvalid) || perr.Input != s {
				t.Fatalf("Parse(%q) error %#v is not a ParseError for the input", s, err)
			}
			return
		}
		if len(v.Release) == 0 {
			t.Fatalf("Parse(%q) has no release", s)
		}
		norm := v.String()
		back, err := Parse(norm)
		if err != nil {
			t.Fatalf("Parse(%q) = %s, which does not parse: %v", s, norm, err)
		}
		if !reflect.DeepEqual(back, v) {
			t.Fatalf("Parse(%q) = %#v, but its String %s parses to %#v", s, v, norm, back)
		}
		if back.String() != norm || v.String() != norm {
			t.Fatalf("String of %q is not stable: %s, %s", s, norm, back)
		}
		if Compare(v, back) != 0 || !v.Equal(back) {
			t.Fatalf("%q and its normalised form %s are not equal", s, norm)
		}
		if got := Compare(v, v.Public()); (v.Local == nil) != (got == 0) || got < 0 {
			t.Fatalf("Compare(%s, its public part) = %d", norm, got)
		}
	})
}
