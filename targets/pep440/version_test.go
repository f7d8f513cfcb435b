package pep440

import (
	"reflect"
	"testing"
)

func TestAccessors(t *testing.T) {
	tests := map[string]struct {
		in             string
		public, base   string
		pre, dev, post bool
	}{
		"final":        {in: "1.2.0", public: "1.2.0", base: "1.2.0"},
		"pre":          {in: "1!1.2rc1+x", public: "1!1.2rc1", base: "1!1.2", pre: true},
		"dev":          {in: "1.2.dev3", public: "1.2.dev3", base: "1.2", pre: true, dev: true},
		"post":         {in: "1.2.post1+ubuntu.1", public: "1.2.post1", base: "1.2", post: true},
		"post dev":     {in: "1.2.post1.dev2", public: "1.2.post1.dev2", base: "1.2", pre: true, dev: true, post: true},
		"pre post dev": {in: "1.2b1.post1.dev2+a", public: "1.2b1.post1.dev2", base: "1.2", pre: true, dev: true, post: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			v := MustParse(tc.in)
			if got := v.Public().String(); got != tc.public {
				t.Errorf("Public() = %s, want %s", got, tc.public)
			}
			if got := v.Base().String(); got != tc.base {
				t.Errorf("Base() = %s, want %s", got, tc.base)
			}
			if got := v.IsPrerelease(); got != tc.pre {
				t.Errorf("IsPrerelease() = %v, want %v", got, tc.pre)
			}
			if got := v.IsDevrelease(); got != tc.dev {
				t.Errorf("IsDevrelease() = %v, want %v", got, tc.dev)
			}
			if got := v.IsPostrelease(); got != tc.post {
				t.Errorf("IsPostrelease() = %v, want %v", got, tc.post)
			}
			if v.String() != MustParse(tc.in).String() {
				t.Errorf("accessors changed %s to %s", tc.in, v)
			}
		})
	}
}

// TestCloneIsDeep edits every shared part of a clone, and of Public and
// Base results, and checks the original does not change.
func TestCloneIsDeep(t *testing.T) {
	const in = "1!1.2.3rc4.post5.dev6+ubuntu.7"
	v := MustParse(in)
	c := v.Clone()
	if !reflect.DeepEqual(c, v) {
		t.Fatalf("Clone() = %#v, want %#v", c, v)
	}
	c.Release[0] = 9
	c.Pre.N = 9
	*c.Post = 9
	*c.Dev = 9
	c.Local[0] = "x"
	p := v.Public()
	p.Release[1] = 9
	p.Pre.Label = "a"
	b := v.Base()
	b.Release[2] = 9
	if got := v.String(); got != in {
		t.Errorf("editing copies changed the original to %s", got)
	}
	if got := c.String(); got != "1!9.2.3rc9.post9.dev9+x.7" {
		t.Errorf("edited clone = %s", got)
	}
}

func TestZeroValue(t *testing.T) {
	var v Version
	if _, err := Bump(v, "patch"); err == nil {
		t.Error("Bump of the zero Version succeeded")
	}
	if _, err := NextDev(v, 1); err == nil {
		t.Error("NextDev of the zero Version succeeded")
	}
	if got := v.Clone(); !reflect.DeepEqual(got, v) {
		t.Errorf("Clone of zero = %#v", got)
	}
}
