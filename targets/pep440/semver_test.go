package pep440

import (
	"errors"
	"strings"
	"testing"
)

func TestBumpSemver(t *testing.T) {
	tests := map[string]struct {
		tag, part string
		want      string
		err       string
	}{
		"major":                 {tag: "v1.2.3", part: "major", want: "2.0.0"},
		"minor":                 {tag: "v1.2.3", part: "minor", want: "1.3.0"},
		"patch":                 {tag: "1.2.3", part: "patch", want: "1.2.4"},
		"patch of a pre":        {tag: "v1.3.0-rc.1", part: "patch", want: "1.3.0"},
		"rc after rc":           {tag: "v1.3.0-rc.1", part: "rc", want: "1.3.0-rc.2"},
		"pre after rc":          {tag: "v1.3.0-rc.2", part: "pre", want: "1.3.0-rc.3"},
		"beta after alpha":      {tag: "v1.3.0-alpha.4", part: "beta", want: "1.3.0-beta.1"},
		"alpha on a release":    {tag: "v1.2.3", part: "alpha", want: "1.2.4-alpha.1"},
		"release of a pre":      {tag: "v1.3.0-rc.2", part: "release", want: "1.3.0"},
		"no tag starts at zero": {tag: "", part: "minor", want: "0.1.0"},
		"alpha after rc":        {tag: "v1.3.0-rc.1", part: "alpha", err: "would go backwards"},
		"release of a release":  {tag: "v1.3.0", part: "release", err: "is a release already"},
		"pre of a release":      {tag: "v1.3.0", part: "pre", err: "is not a pre-release"},
		"post is PEP 440 only":  {tag: "v1.3.0", part: "post", err: "not a SemVer bump"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := BumpSemver(tt.tag, MustParse("0.0.0"), tt.part)
			if refused(t, err, tt.err) {
				return
			}
			if got != tt.want {
				t.Errorf("BumpSemver(%q, %s) = %s, want %s", tt.tag, tt.part, got, tt.want)
			}
			// What is written to version files is its PEP 440 twin.
			if _, err := Parse(got); err != nil {
				t.Errorf("%s has no PEP 440 form: %v", got, err)
			}
		})
	}
}

func TestNext(t *testing.T) {
	v := func(s string) *Version {
		p := MustParse(s)
		return &p
	}
	tests := map[string]struct {
		opts     NextOptions
		start    string
		want     string
		wantText string
		err      string
	}{
		"no tag, no file starts at zero": {opts: NextOptions{Part: "minor"}, start: "0.0.0", want: "0.1.0"},
		"from the tag":                   {opts: NextOptions{Part: "patch", Tag: v("1.2.3")}, start: "1.2.3", want: "1.2.4"},
		"the tag wins over the file":     {opts: NextOptions{Part: "patch", Tag: v("1.2.3"), File: v("1.2.3")}, start: "1.2.3", want: "1.2.4"},
		"the file without a tag":         {opts: NextOptions{Part: "patch", File: v("0.4.0")}, start: "0.4.0", want: "0.4.1"},
		"the file scheme reads the file": {opts: NextOptions{Part: "minor", Tag: v("1.0.0"), File: v("1.4.2"), FileScheme: true}, start: "1.4.2", want: "1.5.0"},
		"release of the planned release": {
			opts:  NextOptions{Part: "release", Tag: v("1.0.0"), File: v("1.1.0"), FileScheme: true},
			start: "1.1.0", want: "1.1.0",
		},
		"release of a file version that is tagged": {
			opts:  NextOptions{Part: "release", Tag: v("1.1.0"), File: v("1.1.0"), FileScheme: true},
			start: "1.1.0", err: "already a final release",
		},
		"release finalises a pre in the file": {
			opts:  NextOptions{Part: "release", Tag: v("1.0.0"), File: v("1.1.0rc1"), FileScheme: true},
			start: "1.1.0rc1", want: "1.1.0",
		},
		"semver keeps its spelling": {
			opts:  NextOptions{Part: "rc", Tag: v("1.3.0rc1"), TagText: "v1.3.0-rc.1", Semver: true},
			start: "1.3.0rc1", want: "1.3.0rc2", wantText: "1.3.0-rc.2",
		},
		"semver build metadata goes": {
			opts:  NextOptions{Part: "patch", TagText: "v1.3.0-rc.1+build.5", Semver: true},
			start: "0.0.0", want: "1.3.0",
		},
		"semver without a PEP 440 twin": {
			opts:  NextOptions{Part: "pre", TagText: "v1.3.0-foo.1", Semver: true},
			start: "0.0.0", err: "SemVer 1.3.0-foo.2 has no PEP 440 equivalent",
		},
		"semver post":  {opts: NextOptions{Part: "post", Semver: true}, start: "0.0.0", err: "not a SemVer bump"},
		"unknown part": {opts: NextOptions{Part: "huge", Tag: v("1.0.0")}, start: "1.0.0", err: "unknown part"},
		"the file scheme behind the tag goes backwards": {
			opts:  NextOptions{Part: "patch", Tag: v("2.0.0"), File: v("1.0.0"), FileScheme: true},
			start: "1.0.0", err: "1.0.1 would go backwards: the nearest tag is 2.0.0 already",
		},
		"the file ahead of the tag": {
			opts:  NextOptions{Part: "patch", Tag: v("8.4.2"), File: v("8.5.0.dev0")},
			start: "8.4.2", err: "bump patch from 8.4.2 would give 8.4.3, below the files' 8.5.0.dev0: bump minor (to 8.5.0) instead",
		},
		"the file far ahead": {
			opts:  NextOptions{Part: "patch", Tag: v("1.0.0"), File: v("3!1.0")},
			start: "1.0.0", err: "below the files' 3!1.0",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := tt.opts.Start(); got.String() != tt.start {
				t.Errorf("Start() = %s, want %s", got, tt.start)
			}
			next, text, err := Next(tt.opts)
			if refused(t, err, tt.err) {
				return
			}
			wantText := tt.wantText
			if wantText == "" {
				wantText = tt.want
			}
			if next.String() != tt.want || text != wantText {
				t.Errorf("Next = %s, %q; want %s, %q", next, text, tt.want, wantText)
			}
		})
	}
}

// refused checks a bump's error against want, part of the message of an
// ErrBump ("" when the bump must succeed), and says whether the case ends
// there.
func refused(t *testing.T, err error, want string) bool {
	t.Helper()
	switch {
	case want != "":
		if !errors.Is(err, ErrBump) || !strings.Contains(err.Error(), want) {
			t.Fatalf("err = %v, want ErrBump containing %q", err, want)
		}
		return true
	case err != nil:
		t.Fatal(err)
	}
	return false
}
