package targets_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/archive"
	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// TestBdistPyInstaller runs mage bdist with a real PyInstaller on
// testdata/freeze/twotools, a project with a dependency from the index
// (click), two tools in one archive (one named like its package), a hooks
// directory, a data file and an excluded module, as a user would: from a
// clean clone, with pip pointed at a local index. Two runs share the
// assertions, since each freezes for about half a minute.
func TestBdistPyInstaller(t *testing.T) {
	testenv.Require(t, "git")
	index := testenv.StartIndex(t)
	python := testenv.Python(t)
	mage := compileExample(t)
	fixture, err := filepath.Abs(filepath.Join("testdata", "freeze", "twotools"))
	if err != nil {
		t.Fatal(err)
	}
	proj := filepath.Join(t.TempDir(), "tally")
	if err := gitProject(fixture, proj); err != nil {
		t.Fatal(err)
	}
	testenv.Git(t, proj, "tag", "v0.1.0")
	cache := t.TempDir()
	env := index.Env(os.Environ())
	env = append(env, "XDG_CACHE_HOME="+cache, "HOME="+t.TempDir(), "PYRELEASE_PYTHON="+python)
	bdist := func() (stdout, stderr string) {
		t.Helper()
		cmd := exec.Command(mage, "bdist")
		cmd.Dir, cmd.Env = proj, env
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		start := time.Now()
		if err := cmd.Run(); err != nil {
			t.Fatalf("mage bdist: %v\n%s\n%s", err, out.String(), errb.String())
		}
		t.Logf("mage bdist took %s:\n%s%s", time.Since(start).Round(time.Second), out.String(), errb.String())
		return out.String(), errb.String()
	}
	platform := archive.Platform(runtime.GOOS, runtime.GOARCH)
	rel := "dist/.pyrelease/tally-0.1.0-" + platform + ".tar.gz"

	stdout, stderr := bdist()
	if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(rel) + ` [0-9]+ [0-9a-f]{64}$`).MatchString(stdout) {
		t.Fatalf("stdout lacks the archive %s", rel)
	}
	if !strings.Contains(stderr, "created the freeze environment") {
		t.Errorf("the first bdist did not say it created the freeze environment")
	}
	envs, _ := filepath.Glob(filepath.Join(cache, "pyrelease", "freeze", "tally-*", ".complete"))
	if len(envs) != 1 {
		t.Fatalf("freeze environments in the cache: %q, want one complete", envs)
	}
	freezeEnv := filepath.Dir(envs[0])
	markBefore, err := os.Stat(envs[0])
	if err != nil {
		t.Fatal(err)
	}
	first, err := os.ReadFile(filepath.Join(proj, rel))
	if err != nil {
		t.Fatal(err)
	}

	// The archive holds the two tools under their own names (tally was
	// built as tally_main), with the commit's time and no owner.
	commit := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	entries := tarEntries(t, first)
	if got := slices.Sorted(func(yield func(string) bool) {
		for _, h := range entries {
			if !yield(h.Name) {
				return
			}
		}
	}); !slices.Equal(got, []string{"tally", "tally-info"}) {
		t.Fatalf("archive entries %q, want tally and tally-info", got)
	}
	for _, h := range entries {
		if !h.ModTime.Equal(commit) || h.Uid != 0 || h.Gid != 0 || h.Mode&0o111 == 0 {
			t.Errorf("%s: time %s, uid %d, gid %d, mode %o; want the commit's time, root, executable", h.Name, h.ModTime, h.Uid, h.Gid, h.Mode)
		}
	}

	// Every binary runs where Python is not: no PATH to find one on, no
	// PYTHON* variable, an empty HOME, and none of the project's files.
	bin := t.TempDir()
	if _, err := archive.Extract(context.Background(), filepath.Join(proj, rel), bin); err != nil {
		t.Fatal(err)
	}
	runs := []struct {
		args []string
		want string
	}{
		{[]string{"tally", "--version"}, "tally, version 0.1.0\n"},
		// The plugin is imported by name: only the tool's hooks-dir bundles it.
		{[]string{"tally", "--plugin", "upper", "two", "words"}, "TWO WORDS\n2 words (extra loaded)\n"},
		{[]string{"tally-info", "--version"}, "tally-info, version 0.1.0\n"},
		{[]string{"tally-info"}, "frozen\nextra: missing\n"},
		{[]string{"tally-info", "--motd"}, "tally: frozen with its message of the day\n"},
	}
	for _, r := range runs {
		cmd := exec.Command(filepath.Join(bin, r.args[0]), r.args[1:]...)
		cmd.Dir = t.TempDir()
		cmd.Env = []string{"HOME=" + cmd.Dir, "PATH=" + t.TempDir(), "LANG=C.UTF-8"}
		out, err := cmd.CombinedOutput()
		if err != nil || string(out) != r.want {
			t.Errorf("%s with an empty environment = %q, %v; want %q", strings.Join(r.args, " "), out, err, r.want)
		}
	}

	// What PyInstaller embedded, as its archive viewer lists it: the
	// excluded module and the hidden import of the other tool's hook are
	// absent from tally-info, present in tally.
	modules := func(tool string) []string {
		out, err := exec.Command(filepath.Join(freezeEnv, "bin", "python"), "-m", "PyInstaller.utils.cliutils.archive_viewer", "-r", "-b", filepath.Join(bin, tool)).CombinedOutput()
		if err != nil {
			t.Fatalf("archive viewer on %s: %v\n%s", tool, err, out)
		}
		var names []string
		for _, l := range strings.Split(string(out), "\n") {
			names = append(names, strings.TrimSpace(l))
		}
		return names
	}
	tally, info := modules("tally"), modules("tally-info")
	for _, m := range []string{"tally.extra", "tally.plugins.upper", "click.core", "tally.cli"} {
		if !slices.Contains(tally, m) {
			t.Errorf("tally lacks %s", m)
		}
	}
	for _, m := range []string{"tally.extra", "tally.plugins.upper"} {
		if slices.Contains(info, m) {
			t.Errorf("tally-info holds %s", m)
		}
	}
	for _, m := range []string{"tally.info", "click.core", "tally_share/motd.txt"} {
		if !slices.Contains(info, m) {
			t.Errorf("tally-info lacks %s", m)
		}
	}

	// The source tree is as the clone left it, but for dist/.
	if out := testenv.Git(t, proj, "status", "--porcelain", "--untracked-files=no"); out != "" {
		t.Errorf("bdist changed tracked files:\n%s", out)
	}

	// A second bdist reuses the freeze environment (PyInstaller is not
	// installed again) and, from the same wheel in the same environment
	// with the commit's SOURCE_DATE_EPOCH and a fixed hash seed, makes the
	// same bytes: binaries and archive alike.
	_, stderr = bdist()
	if !strings.Contains(stderr, "reusing the freeze environment") || strings.Contains(stderr, "created the freeze environment") {
		t.Errorf("the second bdist did not reuse the freeze environment")
	}
	markAfter, err := os.Stat(envs[0])
	if err != nil || !markAfter.ModTime().Equal(markBefore.ModTime()) {
		t.Errorf("the freeze environment was made again: mark %v, %v; was %v", markAfter.ModTime(), err, markBefore.ModTime())
	}
	second, err := os.ReadFile(filepath.Join(proj, rel))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Errorf("two bdists of one commit made different archives (%d and %d bytes)", len(first), len(second))
		for _, h := range tarEntries(t, second) {
			t.Logf("second: %s %d bytes", h.Name, h.Size)
		}
	}
}

// tarEntries lists the headers of a .tar.gz held in data.
func tarEntries(t *testing.T, data []byte) []*tar.Header {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var hs []*tar.Header
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return hs
		}
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, h)
	}
}
