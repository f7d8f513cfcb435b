package version

import (
	"context"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/gitgen"
	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// abbrevBase is small enough to describe every commit several times, and
// has enough objects (about 2000) for 4-digit prefixes to collide.
var abbrevBase = gitgen.Options{Seed: 11, Commits: 600, MergeRate: 0.1, BranchRate: 0.1, TagEvery: 8, AnnotatedRate: 0.5}

// TestAbbreviationMatchesGit compares the abbreviated names on object
// stores of every kind: loose objects only (git then counts no objects
// and starts at 7), one pack, a pack plus loose objects, and packs under
// a multi-pack-index. core.abbrev=4 makes prefixes collide all the time,
// so the uniqueness extension is exercised on every commit.
func TestAbbreviationMatchesGit(t *testing.T) {
	t.Parallel()
	testenv.Require(t, "git")
	base := abbrevBase
	stores := map[string]func(gitgen.Options) gitgen.Options{
		"loose":  func(o gitgen.Options) gitgen.Options { o.Loose = true; return o },
		"packed": func(o gitgen.Options) gitgen.Options { o.Pack = true; return o },
		"mixed":  func(o gitgen.Options) gitgen.Options { o.Pack, o.ExtraLoose = true, 40; return o },
		"midx": func(o gitgen.Options) gitgen.Options {
			o.Pack, o.ExtraLoose, o.MultiPackIndex = true, 40, true
			return o
		},
	}
	// Setting -> how many commits to compare (0: all of them).
	settings := map[string]int{"": 0, "4": 0, "5": 100, "12": 50, "40": 20, "false": 20, "auto": 50}
	total := 0
	for name, v := range stores {
		t.Run(name, func(t *testing.T) {
			dir := repoFixture(t, "abbrev-"+name, v(base))
			commits := gitLines(t, dir, "rev-list", "--all")
			t.Cleanup(func() { testenv.GitE(dir, nil, "config", "--unset", "core.abbrev") })
			for s, n := range settings {
				if s == "" {
					testenv.GitE(dir, nil, "config", "--unset", "core.abbrev")
				} else {
					testenv.Git(t, dir, "config", "core.abbrev", s)
				}
				cs := commits
				if n > 0 {
					cs = sample(commits, n, 5)
				}
				total += compareWithGit(t, dir, nil, cs)
				if s == "4" {
					requireLengthened(t, dir, commits)
				}
			}
		})
	}
	t.Logf("compared %d abbreviated descriptions", total)
}

func TestAbbrevConfigErrors(t *testing.T) {
	testenv.Require(t, "git")
	cases := map[string]string{
		"too short":  "3",
		"too long":   "41",
		"not number": "seven",
		"true":       "true",
	}
	for name, v := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			testenv.Git(t, dir, "init", "-q")
			testenv.Git(t, dir, "commit", "-q", "--allow-empty", "-m", "x")
			testenv.Git(t, dir, "config", "core.abbrev", v)
			_, err := Describe(context.Background(), Options{Dir: dir})
			if err == nil || !strings.Contains(err.Error(), "core.abbrev") {
				t.Fatalf("Describe with core.abbrev=%s: err = %v, want a core.abbrev error", v, err)
			}
		})
	}
}

// requireLengthened checks that with core.abbrev=4 some name really
// needed more digits, so the comparison is not vacuous.
func requireLengthened(t *testing.T, dir string, commits []string) {
	t.Helper()
	longer := 0
	for _, c := range commits {
		d, err := Describe(context.Background(), Options{Dir: dir, Rev: c})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(c, d.Short) {
			t.Fatalf("Short %q does not abbreviate %s", d.Short, c)
		}
		if len(d.Short) > 4 {
			longer++
		}
	}
	if longer == 0 {
		t.Fatal("no abbreviation was lengthened; the fixture has no prefix collisions")
	}
	t.Logf("%d of %d names needed more than 4 digits", longer, len(commits))
}
