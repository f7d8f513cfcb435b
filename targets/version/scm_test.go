package version

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/gitgen"
	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// scmOracle prints, for each commit read from stdin, what setuptools-scm
// gives after checking the commit out: "OK <version>" or "ERR <message>".
// The public version only (no-local-version): local parts are compared by
// the describe tests.
const scmOracle = `
import subprocess, sys, warnings
warnings.simplefilter("ignore")
from setuptools_scm import get_version
root = sys.argv[1]
for line in sys.stdin:
    c = line.strip()
    subprocess.run(["git", "-C", root, "checkout", "-q", "--detach", c], check=True)
    try:
        v = get_version(root=root, version_scheme="guess-next-dev", local_scheme="no-local-version")
        print("OK", v, flush=True)
    except Exception as e:
        print("ERR", type(e).__name__, str(e).replace("\n", " "), flush=True)
`

// realTagShapes are histories tagged as real projects tag them (see
// gitgen.Options.VersionStyles), with release branches main does not
// descend from.
var realTagShapes = map[string]gitgen.Options{
	"styles-linear":     {Seed: 21, Commits: 150, TagEvery: 4, AnnotatedRate: 0.5, VersionStyles: true, ReleaseBranches: 2},
	"styles-merges":     {Seed: 22, Commits: 200, MergeRate: 0.15, BranchRate: 0.1, TagEvery: 3, AnnotatedRate: 0.5, VersionStyles: true, ReleaseBranches: 3, SkewDates: true},
	"styles-packed":     {Seed: 23, Commits: 200, MergeRate: 0.1, BranchRate: 0.1, TagEvery: 3, AnnotatedRate: 0.3, VersionStyles: true, ReleaseBranches: 2, Pack: true},
	"styles-random":     {Seed: 25, Commits: 120, MergeRate: 0.25, BranchRate: 0.2, CrissCross: 0.5, TagEvery: 2, AnnotatedRate: 0.5, VersionStyles: true, ReleaseBranches: 2, RandomDates: true, Pack: true},
	"styles-loose":      {Seed: 26, Commits: 150, MergeRate: 0.1, BranchRate: 0.1, TagEvery: 3, AnnotatedRate: 0.7, VersionStyles: true, ReleaseBranches: 2, Loose: true},
	"styles-crisscross": {Seed: 24, Commits: 150, MergeRate: 0.2, BranchRate: 0.15, CrissCross: 0.6, TagEvery: 2, AnnotatedRate: 0.5, VersionStyles: true, ReleaseBranches: 1, Pack: true, CommitGraph: true},
}

// packedTagsToBreak picks every fifth tag that is only in packed-refs.
func packedTagsToBreak(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for i, tag := range gitLines(t, dir, "for-each-ref", "--format=%(refname:lstrip=2)", "refs/tags/") {
		if _, err := os.Stat(filepath.Join(dir, ".git", "refs", "tags", filepath.FromSlash(tag))); i%5 == 2 && err != nil {
			out = append(out, tag)
		}
	}
	return out
}

// breakLooseRefs writes an empty loose ref over each named tag: git then
// no longer sees those tags, and neither must Describe.
func breakLooseRefs(t *testing.T, dir string, tags []string) {
	t.Helper()
	for _, tag := range tags {
		p := filepath.Join(dir, ".git", "refs", "tags", filepath.FromSlash(tag))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// versionCandidate is the filter versions are computed with: tags that
// look like a version and read as one.
func versionCandidate(tag string) bool {
	if !LooksLikeVersion(tag, "") {
		return false
	}
	v, err := TagVersion(tag, "", FormatPEP440)
	return err == nil && v.Local == nil
}

// TestVersionsMatchSetuptoolsSCM generates histories tagged in every style
// real projects use and checks two oracles on them: git describe (every
// tag, broken loose refs included) on every commit, and setuptools-scm's
// version (guess-next-dev) on a sample. setuptools-scm fails on a
// non-version tag git picks (8.1.10-foo beside 8.1.9) where pyrelease takes
// the version beside it, so setuptools-scm runs on a clone without those
// tags: the answer pyrelease must give with them.
func TestVersionsMatchSetuptoolsSCM(t *testing.T) {
	t.Parallel()
	testenv.Require(t, "git")
	python := testenv.SetuptoolsSCMPython(t)
	histories, gitCommits, scmCommits, scmErrors := 0, 0, 0, 0
	for name, opts := range realTagShapes {
		dir := filepath.Join(t.TempDir(), name)
		opts.Env = testenv.GitEnv()
		opts.Checkout = true
		if err := gitgen.Repo(context.Background(), dir, opts); err != nil {
			t.Fatal(err)
		}
		commits := gitLines(t, dir, "rev-list", "--all")

		// The clone setuptools-scm runs in: the same history and the same
		// visible tags, without the tags that are no version.
		clone := filepath.Join(t.TempDir(), name+"-scm")
		testenv.Git(t, dir, "clone", "-q", "--no-local", dir, clone)
		for _, tag := range gitLines(t, clone, "tag") {
			if strings.HasSuffix(tag, "-foo") {
				testenv.Git(t, clone, "tag", "-d", tag)
			}
		}
		var broken []string
		if opts.Pack {
			broken = packedTagsToBreak(t, dir)
			breakLooseRefs(t, dir, broken)
			breakLooseRefs(t, clone, slices.DeleteFunc(slices.Clone(broken), func(tag string) bool { return strings.HasSuffix(tag, "-foo") }))
		}
		gitCommits += compareWithGit(t, dir, nil, commits)
		sampled := sample(commits, 60, opts.Seed)
		cmd := exec.Command(python, "-c", scmOracle, clone)
		cmd.Env = append(testenv.GitEnv(), "PYTHONDONTWRITEBYTECODE=1")
		cmd.Stdin = strings.NewReader(strings.Join(sampled, "\n") + "\n")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: setuptools-scm: %v\n%s", name, err, stderr.String())
		}
		var answers []string
		sc := bufio.NewScanner(strings.NewReader(string(out)))
		for sc.Scan() {
			answers = append(answers, sc.Text())
		}
		if len(answers) != len(sampled) {
			t.Fatalf("%s: setuptools-scm answered %d of %d commits\n%s", name, len(answers), len(sampled), stderr.String())
		}
		bad := 0
		for i, c := range sampled {
			want := answers[i]
			got := ours(dir, c)
			if strings.HasPrefix(want, "ERR") {
				scmErrors++
			}
			if !agree(got, want) {
				t.Errorf("%s: commit %s: pyrelease %q, setuptools-scm %q", name, c, got, want)
				if bad++; bad > 10 {
					t.Fatal("too many differences")
				}
			}
		}
		histories++
		scmCommits += len(sampled)
		t.Logf("%s: %d commits against git (%d broken loose refs), %d against setuptools-scm", name, len(commits), len(broken), len(sampled))
	}
	t.Logf("compared %d histories: %d commits against git describe, %d against setuptools-scm (%d where both refuse a .devN tag)", histories, gitCommits, scmCommits, scmErrors)
}

// ours is pyrelease's answer for commit c, in the oracle's form.
func ours(dir, c string) string {
	d, err := Describe(context.Background(), Options{Dir: dir, Rev: c, Candidate: versionCandidate})
	if err != nil {
		return "ERR " + err.Error()
	}
	v, err := Compute(d, SchemeOptions{})
	if err != nil {
		return "ERR " + err.Error()
	}
	return "OK " + v.Version
}

// agree compares answers: the same version, or both refusing a .devN tag
// that carries a distance.
func agree(got, want string) bool {
	if strings.HasPrefix(want, "ERR") {
		return strings.HasPrefix(got, "ERR") && strings.Contains(want, "can't be bumped") && strings.Contains(got, "other than .dev0")
	}
	return got == want
}
