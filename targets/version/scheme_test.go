package version

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/pep440"
)

func TestCompute(t *testing.T) {
	const sha = "2bbfcfa1234567890abcdef1234567890abcdef0"
	day := time.Date(2026, 11, 20, 23, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		desc Description
		opts SchemeOptions
		want Versions
	}{
		"pep440 on a tag": {
			desc: Description{Tag: "v1.2.0", Commit: sha},
			want: Versions{Version: "1.2.0", Release: "1.2.0", Dev: "1.2.0", Build: "1.2.0", Local: "1.2.0", Tagged: true, TagVersion: "1.2.0"},
		},
		"pep440 after a tag": {
			desc: Description{Tag: "v1.2.0", Distance: 5, Commit: sha},
			want: Versions{Version: "1.2.1.dev5", Release: "1.2.1", Dev: "1.2.1.dev5", Build: "1.2.1.dev5", Local: "1.2.1.dev5+g2bbfcfa", TagVersion: "1.2.0"},
		},
		"pep440 after a SemVer-style pre-release tag": {
			desc: Description{Tag: "v1.2.0-rc.1", Distance: 5, Commit: sha},
			want: Versions{Version: "1.2.0rc2.dev5", Release: "1.2.0rc2", Dev: "1.2.0rc2.dev5", Build: "1.2.0rc2.dev5", Local: "1.2.0rc2.dev5+g2bbfcfa", TagVersion: "1.2.0rc1"},
		},
		"pep440 pre-release tag itself": {
			desc: Description{Tag: "v1.2.0-rc.1", Commit: sha},
			want: Versions{Version: "1.2.0rc1", Release: "1.2.0rc1", Dev: "1.2.0rc1", Build: "1.2.0rc1", Local: "1.2.0rc1", Tagged: true, TagVersion: "1.2.0rc1"},
		},
		"pep440 dirty on a tag is the next dev0 with a date": {
			desc: Description{Tag: "1.2.0", Commit: sha, Dirty: true},
			opts: SchemeOptions{Now: day},
			want: Versions{Version: "1.2.1.dev0+g2bbfcfa.d20261120", Release: "1.2.1", Dev: "1.2.1.dev0", Build: "1.2.1.dev0+g2bbfcfa.d20261120", Local: "1.2.1.dev0+g2bbfcfa.d20261120", TagVersion: "1.2.0"},
		},
		"pep440 without tags counts from 0.0": {
			desc: Description{Distance: 12, Commit: sha},
			want: Versions{Version: "0.1.dev12", Release: "0.1", Dev: "0.1.dev12", Build: "0.1.dev12", Local: "0.1.dev12+g2bbfcfa"},
		},
		"pep440 prefixed tag": {
			desc: Description{Tag: "release-2.0.1", Distance: 1, Commit: sha},
			opts: SchemeOptions{TagPattern: "release-*"},
			want: Versions{Version: "2.0.2.dev1", Release: "2.0.2", Dev: "2.0.2.dev1", Build: "2.0.2.dev1", Local: "2.0.2.dev1+g2bbfcfa", TagVersion: "2.0.1"},
		},
		"file scheme: mitmproxy's example": {
			desc: Description{Tag: "v4.0.0", Distance: 4, Commit: sha},
			opts: SchemeOptions{Scheme: SchemeFile, FileVersion: "5.0.0"},
			want: Versions{Version: "5.0.0.dev0004", Release: "5.0.0", Dev: "5.0.0.dev0004", Build: "5.0.0.dev0004-0x2bbfcfa", Local: "5.0.0.dev0004+g2bbfcfa", TagVersion: "4.0.0"},
		},
		"file scheme on the tag": {
			desc: Description{Tag: "v5.0.0", Commit: sha},
			opts: SchemeOptions{Scheme: SchemeFile, FileVersion: "5.0.0"},
			want: Versions{Version: "5.0.0", Release: "5.0.0", Dev: "5.0.0", Build: "5.0.0", Local: "5.0.0", Tagged: true, TagVersion: "5.0.0"},
		},
		"file scheme strips a dev part from the file": {
			desc: Description{Tag: "v4.0.0", Distance: 12345, Commit: sha},
			opts: SchemeOptions{Scheme: SchemeFile, FileVersion: "5.0.0.dev0"},
			want: Versions{Version: "5.0.0.dev12345", Release: "5.0.0", Dev: "5.0.0.dev12345", Build: "5.0.0.dev12345-0x2bbfcfa", Local: "5.0.0.dev12345+g2bbfcfa", TagVersion: "4.0.0"},
		},
		"semver tag": {
			desc: Description{Tag: "v1.2.0-beta.2", Distance: 3, Commit: sha},
			opts: SchemeOptions{Format: FormatSemver},
			want: Versions{Version: "1.2.0b3.dev3", Release: "1.2.0b3", Dev: "1.2.0b3.dev3", Build: "1.2.0b3.dev3", Local: "1.2.0b3.dev3+g2bbfcfa", TagVersion: "1.2.0b2"},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := Compute(tt.desc, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Compute:\n got %+v\nwant %+v", got, tt.want)
			}
			// Every form but Build is a valid PEP 440 version.
			for _, s := range []string{got.Version, got.Release, got.Dev, got.Local} {
				if _, err := pep440.Parse(s); err != nil {
					t.Errorf("%q is not PEP 440: %v", s, err)
				}
			}
		})
	}
}

func TestComputeErrors(t *testing.T) {
	tests := map[string]struct {
		desc Description
		opts SchemeOptions
		want string
	}{
		"not a version":            {desc: Description{Tag: "v1.2.x", Commit: "abc"}, want: `version: tag "v1.2.x": not a PEP 440 version`},
		"local segment in tag":     {desc: Description{Tag: "1.0+local", Commit: "abc"}, want: `version: tag "1.0+local": a tag cannot carry a local version segment`},
		"dev tag with distance":    {desc: Description{Tag: "1.0.dev3", Distance: 2, Commit: "abc"}, want: `version: tag "1.0.dev3":`},
		"not semver":               {desc: Description{Tag: "v1.2", Commit: "abc"}, opts: SchemeOptions{Format: FormatSemver}, want: `version: tag "v1.2": not a SemVer version`},
		"semver without pep440":    {desc: Description{Tag: "v1.2.0-foo.1", Commit: "abc"}, opts: SchemeOptions{Format: FormatSemver}, want: "has no PEP 440 equivalent"},
		"file scheme needs a file": {desc: Description{Tag: "v1.0", Commit: "abc"}, opts: SchemeOptions{Scheme: SchemeFile}, want: "needs a version file"},
		"bad file version":         {desc: Description{Tag: "v1.0", Commit: "abc"}, opts: SchemeOptions{Scheme: SchemeFile, FileVersion: "five", FileName: "pkg/version.py"}, want: "version: pkg/version.py: pep440:"},
		"unknown scheme":           {desc: Description{Tag: "v1.0", Distance: 1, Commit: "abc"}, opts: SchemeOptions{Scheme: "calver"}, want: `unknown version-scheme "calver"`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Compute(tt.desc, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Compute error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	var te *TagError
	if _, err := Compute(Description{Tag: "v1.x"}, SchemeOptions{}); !errors.As(err, &te) || te.Tag != "v1.x" {
		t.Errorf("want a *TagError naming the tag, got %v", err)
	}
}

func TestLooksLikeVersion(t *testing.T) {
	tests := map[string]struct {
		tag, pattern string
		want         bool
	}{
		"plain":             {tag: "1.2.0", want: true},
		"v prefix":          {tag: "v1.2.0", want: true},
		"upper V":           {tag: "V2", want: true},
		"word":              {tag: "nightly", want: false},
		"v alone":           {tag: "v", want: false},
		"prefixed no glob":  {tag: "release-1.0", want: false},
		"prefixed by glob":  {tag: "release-1.0", pattern: "release-*", want: true},
		"monorepo":          {tag: "pkg/v1.0.0", pattern: "pkg/v*", want: true},
		"monorepo not ours": {tag: "other/v1.0.0", pattern: "pkg/v*", want: false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := LooksLikeVersion(tt.tag, tt.pattern); got != tt.want {
				t.Errorf("LooksLikeVersion(%q, %q) = %v, want %v", tt.tag, tt.pattern, got, tt.want)
			}
		})
	}
}

func TestTagName(t *testing.T) {
	tests := map[string]struct {
		format, previous, pattern, version string
		want                               string
	}{
		"default v":             {version: "1.0.0", want: "v1.0.0"},
		"keeps no prefix":       {previous: "1.2.0", version: "1.3.0", want: "1.3.0"},
		"keeps v prefix":        {previous: "v1.2.0", version: "1.3.0", want: "v1.3.0"},
		"keeps release- prefix": {previous: "release-1.2.0", pattern: "release-*", version: "1.3.0", want: "release-1.3.0"},
		"monorepo first tag":    {pattern: "pkg/*", version: "0.1.0", want: "pkg/v0.1.0"},
		"explicit format":       {format: "greet-{version}", previous: "v1.0", version: "1.1", want: "greet-1.1"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := TagName(tt.format, tt.previous, tt.pattern, tt.version); got != tt.want {
				t.Errorf("TagName = %q, want %q", got, tt.want)
			}
		})
	}
}
