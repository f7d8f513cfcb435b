package wheel

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/config"
)

func TestParseWheelName(t *testing.T) {
	tests := map[string]struct {
		in      string
		want    WheelName
		tags    []string
		wantErr string
	}{
		"simple": {
			in:   "greet-1.0-py3-none-any.whl",
			want: WheelName{Distribution: "greet", Version: "1.0", PythonTags: []string{"py3"}, ABITags: []string{"none"}, PlatformTags: []string{"any"}},
			tags: []string{"py3-none-any"},
		},
		"compressed tag set": {
			in:   "six-1.16.0-py2.py3-none-any.whl",
			want: WheelName{Distribution: "six", Version: "1.16.0", PythonTags: []string{"py2", "py3"}, ABITags: []string{"none"}, PlatformTags: []string{"any"}},
			tags: []string{"py2-none-any", "py3-none-any"},
		},
		"build tag and platform set": {
			in: "numpy-1.26.0-1fast-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
			want: WheelName{Distribution: "numpy", Version: "1.26.0", Build: "1fast", PythonTags: []string{"cp311"},
				ABITags: []string{"cp311"}, PlatformTags: []string{"manylinux_2_17_x86_64", "manylinux2014_x86_64"}},
			tags: []string{"cp311-cp311-manylinux_2_17_x86_64", "cp311-cp311-manylinux2014_x86_64"},
		},
		"setuptools keeps case and dots": {
			in:   "My_Project.ext-2.0rc1-py3-none-any.whl",
			want: WheelName{Distribution: "My_Project.ext", Version: "2.0rc1", PythonTags: []string{"py3"}, ABITags: []string{"none"}, PlatformTags: []string{"any"}},
			tags: []string{"py3-none-any"},
		},
		"local version": {
			in:   "greet-1.0+g1234-py3-none-any.whl",
			want: WheelName{Distribution: "greet", Version: "1.0+g1234", PythonTags: []string{"py3"}, ABITags: []string{"none"}, PlatformTags: []string{"any"}},
			tags: []string{"py3-none-any"},
		},
		"not .whl":            {in: "greet-1.0-py3-none-any.zip", wantErr: "ends in .whl"},
		"too few parts":       {in: "greet-1.0-py3-any.whl", wantErr: "found 4 dash-separated parts"},
		"too many parts":      {in: "my-project-1.0-1-py3-none-any.whl", wantErr: "found 7 dash-separated parts"},
		"unescaped dash":      {in: "my-project-1.0-py3-none-any.whl", wantErr: `version "project" is not a valid PEP 440 version`},
		"build tag not digit": {in: "greet-1.0-a1-py3-none-any.whl", wantErr: `build tag "a1": a build tag must start with a digit`},
		"invalid version":     {in: "greet-1.x-py3-none-any.whl", wantErr: `version "1.x" is not a valid PEP 440 version`},
		"empty tag in set":    {in: "greet-1.0-py3.-none-any.whl", wantErr: `python tag "py3.": empty tag in the compressed set`},
		"double underscore":   {in: "my__project-1.0-py3-none-any.whl", wantErr: `must be escaped as a single "_"`},
		"name ends with dot":  {in: "greet.-1.0-py3-none-any.whl", wantErr: `name "greet."`},
		"empty name":          {in: "-1.0-py3-none-any.whl", wantErr: `name ""`},
		"bad platform char":   {in: "greet-1.0-py3-none-any+x.whl", wantErr: `platform tag "any+x"`},
		"non-ascii name":      {in: "grüß-1.0-py3-none-any.whl", wantErr: `name "grüß"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := ParseWheelName(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, ErrName) {
					t.Fatalf("ParseWheelName(%q) error = %v; want one containing %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseWheelName(%q): %v", tc.in, err)
			}
			if !wheelNamesEqual(got, tc.want) {
				t.Errorf("ParseWheelName(%q) = %#v; want %#v", tc.in, got, tc.want)
			}
			if s := got.String(); s != tc.in {
				t.Errorf("String() = %q; want %q", s, tc.in)
			}
			if tags := got.Tags(); !slices.Equal(tags, tc.tags) {
				t.Errorf("Tags() = %v; want %v", tags, tc.tags)
			}
		})
	}
}

func TestParseSdistName(t *testing.T) {
	tests := map[string]struct {
		in      string
		want    SdistName
		wantErr string
	}{
		"simple":           {in: "greet-1.0.tar.gz", want: SdistName{Distribution: "greet", Version: "1.0"}},
		"escaped":          {in: "my_project-2.0.post1.tar.gz", want: SdistName{Distribution: "my_project", Version: "2.0.post1"}},
		"legacy dash name": {in: "my-project-1.0.tar.gz", wantErr: `escaped as "my_project"`},
		"legacy case":      {in: "My_Project-1.0.tar.gz", wantErr: `PEP 625 requires the escaped, lower-case name "my_project"`},
		"legacy dot":       {in: "zope.interface-5.0.tar.gz", wantErr: `"zope_interface"`},
		"zip":              {in: "greet-1.0.zip", wantErr: "ends in .tar.gz"},
		"tgz":              {in: "greet-1.0.tgz", wantErr: "ends in .tar.gz"},
		"no version":       {in: "greet.tar.gz", wantErr: "found no dash"},
		"bad version":      {in: "greet-one.tar.gz", wantErr: `version "one" is not a valid PEP 440 version`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := ParseSdistName(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseSdistName(%q) error = %v; want one containing %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseSdistName(%q): %v", tc.in, err)
			}
			if got != tc.want || got.String() != tc.in {
				t.Errorf("ParseSdistName(%q) = %#v (%q); want %#v", tc.in, got, got.String(), tc.want)
			}
		})
	}
}

func TestEscapeName(t *testing.T) {
	tests := map[string]struct{ in, normal, escaped string }{
		"plain":           {in: "greet", normal: "greet", escaped: "greet"},
		"case":            {in: "Django", normal: "django", escaped: "django"},
		"runs":            {in: "Foo.._-Bar", normal: "foo-bar", escaped: "foo_bar"},
		"dots":            {in: "zope.interface", normal: "zope-interface", escaped: "zope_interface"},
		"underscore kept": {in: "a_b-c", normal: "a-b-c", escaped: "a_b_c"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := config.NormalizeName(tc.in); got != tc.normal {
				t.Errorf("config.NormalizeName(%q) = %q; want %q", tc.in, got, tc.normal)
			}
			if got := EscapeName(tc.in); got != tc.escaped {
				t.Errorf("EscapeName(%q) = %q; want %q", tc.in, got, tc.escaped)
			}
		})
	}
}

func FuzzParseWheelName(f *testing.F) {
	for _, s := range []string{"greet-1.0-py3-none-any.whl", "six-1.16.0-py2.py3-none-any.whl",
		"numpy-1.26.0-1fast-cp311-cp311-manylinux_2_17_x86_64.whl", "x-1-a-b-c.whl", "--.whl", "a-1.0+l-1-p-a-p.whl"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseWheelName(s)
		if err != nil {
			return
		}
		if got := n.String(); got != s {
			t.Fatalf("String() = %q; want %q", got, s)
		}
		again, err := ParseWheelName(n.String())
		if err != nil || !wheelNamesEqual(again, n) {
			t.Fatalf("round trip of %q gave %#v, %v", s, again, err)
		}
		if EscapeName(EscapeName(n.Distribution)) != EscapeName(n.Distribution) {
			t.Fatalf("EscapeName is not idempotent on %q", n.Distribution)
		}
		if len(n.Tags()) != len(n.PythonTags)*len(n.ABITags)*len(n.PlatformTags) {
			t.Fatalf("Tags() of %q has the wrong length", s)
		}
	})
}

func FuzzParseSdistName(f *testing.F) {
	for _, s := range []string{"greet-1.0.tar.gz", "a_b-1!2.0.post1.dev3+x.tar.gz", "-.tar.gz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSdistName(s)
		if err != nil {
			return
		}
		if n.String() != s || EscapeName(n.Distribution) != n.Distribution {
			t.Fatalf("ParseSdistName(%q) = %#v, which does not round-trip", s, n)
		}
	})
}

func wheelNamesEqual(a, b WheelName) bool {
	return a.Distribution == b.Distribution && a.Version == b.Version && a.Build == b.Build &&
		slices.Equal(a.PythonTags, b.PythonTags) && slices.Equal(a.ABITags, b.ABITags) && slices.Equal(a.PlatformTags, b.PlatformTags)
}
