package version

import (
	"bytes"
	"fmt"
	"path"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

func TestWildmatch(t *testing.T) {
	cases := map[string]struct {
		pattern, text string
		want          bool
	}{
		"literal":                 {"v1.0", "v1.0", true},
		"literal mismatch":        {"v1.0", "v1.1", false},
		"star":                    {"v*", "v1.2.3", true},
		"star crosses slash":      {"*", "pkg/v1", true},
		"star in the middle":      {"pkg*v1", "pkg/sub/v1", true},
		"double star":             {"**/v2", "a/b/v2", true},
		"question crosses slash":  {"a?b", "a/b", true},
		"question needs a byte":   {"v?", "v", false},
		"range":                   {"v[0-9]*", "v3.1", true},
		"range miss":              {"v[0-9]*", "vx", false},
		"negated bang":            {"v[!0-9]*", "vx", true},
		"negated caret":           {"v[^0-9]*", "v1", false},
		"bracket first is member": {"[]a]", "]", true},
		"negated bracket first":   {"[!]a]", "b", true},
		"dash at end":             {"[a-]", "-", true},
		"posix alpha":             {"[[:alpha:]]*", "release", true},
		"posix digit":             {"[[:digit:]]*", "9.0", true},
		"posix upper":             {"[[:upper:]]", "a", false},
		"posix two classes":       {"[[:alpha:][:digit:]]x", "7x", true},
		"unknown posix class":     {"[[:bogus:]]", "b", false},
		"unterminated class":      {"[a-z", "a", false},
		"escaped star":            {`v\*`, "v*", true},
		"escaped star is literal": {`v\*`, "v1", false},
		"trailing backslash":      {`v\`, "v", false},
		"empty pattern":           {"", "", true},
		"empty text":              {"*", "", true},
		"longer text":             {"v1", "v1.0", false},
		"space class no vtab":     {"[[:space:]]", "\v", false},
		"high byte is one char":   {"?", "\xc3\xbc", false},
		"case sensitive":          {"V*", "v1", false},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got := wildmatch(c.pattern, c.text); got != c.want {
				t.Errorf("wildmatch(%q, %q) = %v, want %v", c.pattern, c.text, got, c.want)
			}
		})
	}
}

// TestWildmatchMatchesGit asks git describe --match itself: every tag
// sits alone on its own root commit, so describing that commit prints the
// tag exactly when the pattern matches it.
func TestWildmatchMatchesGit(t *testing.T) {
	testenv.Require(t, "git")
	tags := []string{"v1.2.3", "1.2.3", "v1.2.3rc1", "V2.0", "release-2.0", "pkg/v1.0.0", "pkg/sub/v2",
		"a", "abc", "a.b", "foo-bar", "x/y", "v10.0.0", "-dash", "\xc3\xbcml", "sp_ace", "]br", "a]b",
		"9", "v", "vv", "a-b-c", "{brace}", "pct%", "plus+1", "at@x", "x!y"}
	patterns := []string{"*", "v*", "*1*", "v?.?.?", "v[0-9]*", "v[!0-9]*", "v[^0-9]*", "[[:alpha:]]*",
		"[[:digit:]]*", "[[:upper:]]*", "[[:lower:]]*", "[[:punct:]]*", "[[:alnum:]]*", "[[:xdigit:]]*",
		"[[:space:]]*", "[[:print:]]*", "[[:graph:]]*", "[[:cntrl:]]*", "*[[:cntrl:]]*", "[a-c]*", "[]a]*",
		"[!]a]*", "[a-]*", "[-a]*", "pkg/*", "*/v*", "**/v2", "**", "*.*.*", `\v*`, `v\*`, `[\]]*`,
		"[[:bogus:]]*", "[z-a]*", "a*b*c", "*-*", "[[:alpha:][:digit:]]*", "v1.2.3?", "?", "??", "[", "[!",
		`\`, `a\`, "[[:alpha:]", "[a-z", "*[!a-z]", "[[]*", "[[:alpha:]-z]*", "[a-[:digit:]]*", "?*?",
		"*\xc3*", "[\xc3]*", "*{*}", "[!-]*", "[--0]*", "[%-+]*", "*[@!]*", "v[[:digit:]].*"}
	dir := t.TempDir()
	testenv.Git(t, dir, "init", "-q")
	var stream bytes.Buffer
	for i, tag := range tags {
		fmt.Fprintf(&stream, "reset refs/heads/b%d\ncommit refs/heads/b%d\nmark :%d\ncommitter T <t@example.com> %d +0000\ndata 1\nx\n\nreset refs/tags/%s\nfrom :%d\n\n", i, i, i+1, 1600000000+i, tag, i+1)
	}
	if _, err := testenvGitStdin(dir, stream.String(), "fast-import", "--quiet"); err != nil {
		t.Fatal(err)
	}
	var commits []string
	for _, tag := range tags {
		commits = append(commits, testenv.Git(t, dir, "rev-parse", "refs/tags/"+tag))
	}
	for _, p := range patterns {
		lines := oracleDescribe(t, dir, []string{p}, commits)
		for i, tag := range tags {
			gitMatch := strings.HasPrefix(lines[i], tag+"-0-g")
			if got := wildmatch(p, tag); got != gitMatch {
				t.Errorf("wildmatch(%q, %q) = %v, git describe --match says %v", p, tag, got, gitMatch)
			}
		}
	}
}

func FuzzWildmatch(f *testing.F) {
	for _, s := range [][2]string{{"v*", "v1.0"}, {"[a-c]?", "b/"}, {"[[:alpha:]]", "x"}, {`\*`, "*"}, {"[!]]", "a"}, {"**/*", "a/b"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, text string) {
		got := wildmatch(pattern, text)
		// Where both matchers define the same thing — ASCII, no '/', no
		// "[!" or "[:" (which path.Match lacks), no NUL — they must agree.
		if !isASCII(pattern) || !isASCII(text) || strings.ContainsAny(pattern+text, "/\x00") ||
			strings.Contains(pattern, "[!") || strings.Contains(pattern, "[:") {
			return
		}
		want, err := path.Match(pattern, text)
		if err != nil {
			return
		}
		// path.Match treats '-' and ']' at the start of a class as errors
		// and a class opened by "[^" like git does.
		if got != want {
			t.Errorf("wildmatch(%q, %q) = %v, path.Match = %v", pattern, text, got, want)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
