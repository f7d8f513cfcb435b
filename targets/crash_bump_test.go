//go:build linux

package targets_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

var (
	crashBumpSeed   = flag.Uint64("crashbump.seed", 20261201, "TestCrashBump: the seed the random fault points are drawn from")
	crashBumpRandom = flag.Int("crashbump.random", 24, "TestCrashBump: random fault points besides the fixed ones")
	crashBumpPoint  = flag.String("crashbump.point", "", "TestCrashBump: run only the fault point of this name (a failure names it)")
)

// The syscall classes faults are injected into. The '?' spares strace an
// error on architectures without the legacy call.
var bumpSyscalls = map[string]string{
	"openat": "?open,openat",
	"write":  "write",
	"fsync":  "fsync,?fdatasync",
	"rename": "?rename,renameat,?renameat2",
	"unlink": "?unlink,unlinkat",
}

// bumpPoint is one fault injected into `mage bump patch -devafter`: the
// when-th call of a syscall class (on path, when set) is killed with
// SIGKILL, or fails with errno.
type bumpPoint struct {
	name   string
	class  string
	path   string // relative to the project; "" means any call of the class
	when   int
	errno  string // "" kills
	packed bool   // the branch and tags live in packed-refs only
	// then kills the run at a later call, counted over path and
	// then.path: an error first, then a kill while the run undoes it.
	then *bumpPoint
}

func (pt bumpPoint) killed() bool { return pt.errno == "" || pt.then != nil }

// TestCrashBump kills `mage bump patch -devafter` at system calls chosen
// by strace's fault injection, and makes others fail with EIO or ENOSPC:
// inside every ref write and index write (creating the lock, writing it,
// syncing it, renaming it into place), at the journal and the files, and
// at random calls anywhere in the run. After each, git fsck must pass and
// the branch must name a commit; a rerun of the same command, as a user
// would, must end in exactly one release commit with its annotated tag
// and the back-to-development commit on top. A run that fails on an
// injected error must leave the repository as it was.
//
// The random points are drawn from -crashbump.seed (logged); a failing
// point is rerun alone with -crashbump.point NAME and that seed.
func TestCrashBump(t *testing.T) {
	testenv.Require(t, "git")
	strace := testenv.Require(t, "strace")
	bin := compileCrashBump(t)
	start := time.Now()
	work := t.TempDir()
	loose := newBumpTemplate(t, filepath.Join(work, "loose"), false)
	packed := newBumpTemplate(t, filepath.Join(work, "packed"), true)
	counts := bumpSyscallCounts(t, strace, bin, loose, filepath.Join(work, "count"))
	points := bumpPoints(*crashBumpSeed, *crashBumpRandom, counts)
	t.Logf("seed %d (-crashbump.seed): %d fault points, %d kills and %d errors; an uninterrupted bump makes %v",
		*crashBumpSeed, len(points), countKills(points), len(points)-countKills(points), counts)
	ran := 0
	t.Run("points", func(t *testing.T) {
		for _, pt := range points {
			if *crashBumpPoint != "" && pt.name != *crashBumpPoint {
				continue
			}
			ran++
			t.Run(pt.name, func(t *testing.T) {
				t.Parallel()
				tmpl := loose
				if pt.packed {
					tmpl = packed
				}
				runBumpPoint(t, strace, bin, tmpl, pt)
			})
		}
	})
	t.Logf("%d fault points in %s", ran, time.Since(start).Round(time.Millisecond))
}

func countKills(points []bumpPoint) int {
	n := 0
	for _, pt := range points {
		if pt.killed() {
			n++
		}
	}
	return n
}

// compileCrashBump compiles testdata/crashbump: `mage bumppatch` is
// `mage bump patch -devafter` on one OS thread, so that strace's per-thread
// count of calls names the same call in every run.
func compileCrashBump(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mage")
	cmd := exec.Command("go", "tool", "mage", "-compile", bin)
	cmd.Dir = filepath.Join("testdata", "crashbump")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("compiling testdata/crashbump: %v\n%s", err, out)
	}
	return bin
}

// bumpPoints lists the fixed points, then n random ones drawn from seed
// among the calls an uninterrupted run makes.
func bumpPoints(seed uint64, n int, counts map[string]int) []bumpPoint {
	var points []bumpPoint
	add := func(pt bumpPoint) {
		pt.packed = len(points)%3 == 2
		points = append(points, pt)
	}
	// Each ref and index write: the branch twice (release, then back to
	// development), the tag once, the index twice.
	locks := []struct {
		path  string
		times int
	}{
		{".git/refs/heads/main.lock", 2},
		{".git/refs/tags/v0.1.1.lock", 1},
		{".git/index.lock", 2},
	}
	for _, l := range locks {
		for when := 1; when <= l.times; when++ {
			for _, class := range []string{"openat", "write", "fsync", "rename"} {
				add(bumpPoint{name: fmt.Sprintf("kill-%s-%s-%d", class, filepath.Base(l.path), when), class: class, path: l.path, when: when})
			}
		}
	}
	for _, pt := range []bumpPoint{
		{class: "rename", path: ".git/pyrelease/bump/manifest.json", when: 1},
		{class: "rename", path: "src/greet/version.py", when: 1},
		{class: "rename", path: "src/greet/version.py", when: 2},
		{class: "rename", path: "CHANGELOG.md", when: 1},
		// The first two unlinks of the manifest are os.Remove's unlink and
		// rmdir clearing a stale journal at the start; the third removes
		// the journal at the end.
		{class: "unlink", path: ".git/pyrelease/bump/manifest.json", when: 1},
		{class: "unlink", path: ".git/pyrelease/bump/manifest.json", when: 3},
	} {
		pt.name = fmt.Sprintf("kill-%s-%s-%d", pt.class, filepath.Base(pt.path), pt.when)
		add(pt)
	}
	for _, pt := range []bumpPoint{
		{class: "fsync", path: ".git/refs/heads/main.lock", when: 1, errno: "EIO"},
		{class: "write", path: ".git/index.lock", when: 1, errno: "ENOSPC"},
		{class: "rename", path: ".git/refs/tags/v0.1.1.lock", when: 1, errno: "EIO"},
		{class: "openat", path: ".git/refs/heads/main.lock", when: 2, errno: "EACCES"},
		{class: "rename", path: "src/greet/version.py", when: 2, errno: "ENOSPC"},
		{class: "rename", path: ".git/pyrelease/bump/manifest.json", when: 1, errno: "EIO"},
		{class: "unlink", path: ".git/pyrelease/bump/manifest.json", when: 3, errno: "EIO"},
	} {
		pt.name = fmt.Sprintf("%s-%s-%s-%d", strings.ToLower(pt.errno), pt.class, filepath.Base(pt.path), pt.when)
		add(pt)
	}
	// An error, then a kill inside the undo: the index rewrite of an undo
	// that moved no ref; the branch moving back (so it still holds the
	// release, which recovery finishes); the tag's deletion after the
	// branch moved back (recovery undoes).
	for _, pt := range []bumpPoint{
		{name: "eio-fsync-main.lock-1-then-kill-rename-index.lock-1", class: "fsync", path: ".git/refs/heads/main.lock", when: 1, errno: "EIO",
			then: &bumpPoint{class: "rename", path: ".git/index.lock", when: 1}},
		{name: "enospc-write-index.lock-1-then-kill-rename-main.lock-2", class: "write", path: ".git/index.lock", when: 2, errno: "ENOSPC",
			then: &bumpPoint{class: "rename", path: ".git/refs/heads/main.lock", when: 2}},
		// The failed lock is removed (the first unlink), then the tag.
		{name: "eio-fsync-main.lock-2-then-kill-unlink-v0.1.1-2", class: "fsync", path: ".git/refs/heads/main.lock", when: 2, errno: "EIO",
			then: &bumpPoint{class: "unlink", path: ".git/refs/tags/v0.1.1", when: 2}},
	} {
		add(pt)
	}
	classes := slices.Sorted(func(yield func(string) bool) {
		for c, n := range counts {
			if n > 0 && !yield(c) {
				return
			}
		}
	})
	r := rand.New(rand.NewPCG(seed, 0x62756d70))
	for i := range n {
		c := classes[r.IntN(len(classes))]
		pt := bumpPoint{class: c, when: 1 + r.IntN(counts[c])}
		if i%4 == 3 {
			pt.errno = []string{"EIO", "ENOSPC"}[r.IntN(2)]
		}
		verb := "kill"
		if pt.errno != "" {
			verb = strings.ToLower(pt.errno)
		}
		pt.name = fmt.Sprintf("%s-%s-%d-of-%d", verb, c, pt.when, counts[c])
		if slices.ContainsFunc(points, func(o bumpPoint) bool { return o.name == pt.name }) {
			pt.name += fmt.Sprintf("-%d", i)
		}
		add(pt)
	}
	return points
}

// newBumpTemplate makes the repository every point starts from: the
// example project, released as v0.1.0, with a commit after the tag.
func newBumpTemplate(t *testing.T, dir string, packed bool) string {
	t.Helper()
	if err := copyProject(filepath.Join("..", "examples"), dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".gitignore"), []byte("/dist/\n/build/\n*.egg-info/\n__pycache__/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git := func(args ...string) {
		t.Helper()
		if out, err := testenv.GitE(dir, []string{"GIT_AUTHOR_DATE=" + crashDate, "GIT_COMMITTER_DATE=" + crashDate}, args...); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "-m", "Initial commit")
	git("tag", "-a", "v0.1.0", "-m", "Release 0.1.0")
	git("commit", "-q", "--allow-empty", "-m", "Add --shout")
	if packed {
		git("pack-refs", "--all", "--prune")
	}
	return dir
}

// bumpEnv is what mage runs with: a git identity and nothing of the
// machine's git or CI configuration.
func bumpEnv(home string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "LANG=C.UTF-8"}
	for _, kv := range testenv.GitEnv() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "GIT_") {
			env = append(env, kv)
		}
	}
	return env
}

// bumpRun is one run of mage, under strace or not.
type bumpRun struct {
	killed         bool
	err            error
	stdout, stderr string
}

func runMage(t *testing.T, dir string, argv []string) bumpRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = bumpEnv(filepath.Join(filepath.Dir(dir), "home"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	killSession(t, cmd.Process.Pid)
	r := bumpRun{err: err, stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok {
			// strace ends itself with the signal that killed the tracee.
			r.killed = ws.Signaled() && ws.Signal() == syscall.SIGKILL || ws.ExitStatus() == 128+int(syscall.SIGKILL)
		}
	}
	if ctx.Err() != nil {
		t.Fatalf("%s did not finish within a minute:\n%s%s", strings.Join(argv, " "), r.stdout, r.stderr)
	}
	return r
}

var straceLine = regexp.MustCompile(`^(\d+)\s+([a-z0-9_]+)\(`)

// bumpSyscallCounts runs an uninterrupted bump under strace and counts
// the calls of each class, so random points land inside the run.
func bumpSyscallCounts(t *testing.T, strace, bin, tmpl, dir string) map[string]int {
	t.Helper()
	if err := os.CopyFS(dir, os.DirFS(tmpl)); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(filepath.Dir(dir), "count.strace")
	var all []string
	for _, c := range bumpSyscalls {
		all = append(all, c)
	}
	r := runMage(t, dir, []string{strace, "-f", "-o", out, "-e", "trace=" + strings.Join(all, ","), bin, "bumppatch"})
	if r.err != nil {
		t.Fatalf("uninterrupted bump under strace: %v\n%s", r.err, r.stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	class := map[string]string{}
	for c, set := range bumpSyscalls {
		for _, name := range strings.Split(set, ",") {
			class[strings.TrimPrefix(name, "?")] = c
		}
	}
	// strace counts per thread: the points are drawn from the thread
	// that runs the target, the one making most of the calls.
	byThread := map[string]map[string]int{}
	total := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		m := straceLine.FindStringSubmatch(sc.Text())
		if m == nil || class[m[2]] == "" {
			continue
		}
		if byThread[m[1]] == nil {
			byThread[m[1]] = map[string]int{}
		}
		byThread[m[1]][class[m[2]]]++
		total[m[1]]++
	}
	var busiest string
	for tid, n := range total {
		if n > total[busiest] {
			busiest = tid
		}
	}
	if busiest == "" {
		t.Fatalf("strace saw no calls:\n%s", data)
	}
	return byThread[busiest]
}

// bumpSnapshot is what a failed bump must leave as it found.
type bumpSnapshot struct {
	refs, index string
	files       map[string][]byte
}

func takeBumpSnapshot(t *testing.T, dir string) bumpSnapshot {
	t.Helper()
	s := bumpSnapshot{
		refs:  testenv.Git(t, dir, "for-each-ref", "--format=%(refname) %(objectname)") + "\nHEAD " + testenv.Git(t, dir, "rev-parse", "HEAD"),
		index: testenv.Git(t, dir, "ls-files", "--stage"),
		files: map[string][]byte{},
	}
	for _, f := range []string{"src/greet/version.py", "CHANGELOG.md"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		s.files[f] = data
	}
	return s
}

func runBumpPoint(t *testing.T, strace, bin, tmpl string, pt bumpPoint) {
	dir := filepath.Join(t.TempDir(), "proj")
	if err := os.CopyFS(dir, os.DirFS(tmpl)); err != nil {
		t.Fatal(err)
	}
	// The copy has new inodes and times: refresh the index's stat data,
	// as the first git status in a fresh copy would.
	testenv.Git(t, dir, "update-index", "-q", "--refresh")
	before := takeBumpSnapshot(t, dir)
	// One trace set (a second -e trace= replaces the first), one
	// injection per class, and the paths of all.
	var traced, injects, paths []string
	for q := &pt; q != nil; q = q.then {
		action := "signal=KILL"
		if q.errno != "" {
			action = "error=" + q.errno
		}
		traced = append(traced, bumpSyscalls[q.class])
		injects = append(injects, "-e", fmt.Sprintf("inject=%s:%s:when=%d", bumpSyscalls[q.class], action, q.when))
		if q.path != "" {
			paths = append(paths, "-P", filepath.Join(dir, filepath.FromSlash(q.path)))
		}
	}
	argv := []string{strace, "-f", "-o", "/dev/null", "-e", "trace=" + strings.Join(traced, ",")}
	argv = append(append(argv, injects...), paths...)
	argv = append(argv, bin, "bumppatch")
	first := runMage(t, dir, argv)
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s: %s\nfirst run (killed %v, err %v):\n%s%s\n-crashbump.seed %d -crashbump.point %s to reproduce",
			pt.name, fmt.Sprintf(format, args...), first.killed, first.err, first.stdout, first.stderr, *crashBumpSeed, pt.name)
	}
	if pt.killed() && first.err != nil && !first.killed {
		fail("the run failed instead of being killed")
	}
	if err := checkAfterCrash(dir); err != nil {
		fail("%v", err)
	}
	pending := fileExists(filepath.Join(dir, ".git", "pyrelease", "bump", "manifest.json"))
	released := gitOK(dir, "rev-parse", "-q", "--verify", "refs/tags/v0.1.1")
	switch {
	case first.err == nil:
		t.Logf("%s: the run finished (the fault hit a call it tolerates, or the point lies past the run)", pt.name)
	case pending && len(pt.name)%2 == 0:
		// Another target only reports the interrupted bump and changes
		// nothing; restore finishes or undoes it, and a bump follows an
		// undo as a user would.
		before := takeBumpSnapshot(t, dir)
		v := runMage(t, dir, []string{bin, "version"})
		if !strings.Contains(v.stderr, "was interrupted (or is still running)") {
			fail("version did not report the interrupted bump:\n%s", v.stderr)
		}
		if after := takeBumpSnapshot(t, dir); !equalSnapshots(before, after) {
			fail("version changed the repository of an interrupted bump")
		}
		r := runMage(t, dir, []string{bin, "restore"})
		if r.err != nil {
			fail("restore failed: %v\n%s%s", r.err, r.stdout, r.stderr)
		}
		line := recoveryLine(r.stderr)
		switch {
		case strings.Contains(line, "undid"):
			second := runMage(t, dir, []string{bin, "bumppatch"})
			if second.err != nil || strings.TrimSpace(second.stdout) != "0.1.1" {
				fail("the bump after restore undid the interrupted one: %v %q\n%s", second.err, second.stdout, second.stderr)
			}
		case !strings.Contains(line, "finished"):
			fail("restore did not say what it did with the interrupted bump:\n%s", r.stderr)
		}
		t.Logf("%s: killed %v, journal %v; restore: %s", pt.name, first.killed, pending, line)
	case !pt.killed() && !pending:
		// A clean failure: nothing may have changed.
		if after := takeBumpSnapshot(t, dir); !equalSnapshots(before, after) {
			fail("the failed run left the repository changed:\nrefs before:\n%s\nafter:\n%s\nindex before:\n%s\nafter:\n%s", before.refs, after.refs, before.index, after.index)
		}
		if err := checkNoLeftovers(dir); err != nil {
			fail("%v", err)
		}
		fallthrough
	case pending || !released:
		second := runMage(t, dir, []string{bin, "bumppatch"})
		if second.err != nil {
			fail("the rerun failed: %v\n%s%s", second.err, second.stdout, second.stderr)
		}
		if strings.TrimSpace(second.stdout) != "0.1.1" {
			fail("the rerun printed %q, want 0.1.1", second.stdout)
		}
		if pending && !strings.Contains(second.stderr, "finished an interrupted bump") && !strings.Contains(second.stderr, "undid an interrupted bump") {
			fail("the rerun did not say what it did with the interrupted bump:\n%s", second.stderr)
		}
		t.Logf("%s: killed %v, journal %v; rerun: %s", pt.name, first.killed, pending, recoveryLine(second.stderr))
	default:
		// Killed while removing its journal, after the manifest: a journal
		// without one holds nothing pending, and the next bump removes it.
		jdir := filepath.Join(dir, ".git", "pyrelease", "bump")
		if fileExists(jdir) {
			if err := os.RemoveAll(jdir); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("%s: the run had completed the release when it died", pt.name)
	}
	if err := checkOneRelease(dir); err != nil {
		fail("%v", err)
	}
}

func recoveryLine(stderr string) string {
	for line := range strings.Lines(stderr) {
		if strings.Contains(line, "finished an interrupted bump") || strings.Contains(line, "undid an interrupted bump") {
			return strings.TrimSpace(line)
		}
	}
	return "a normal bump"
}

func equalSnapshots(a, b bumpSnapshot) bool {
	if a.refs != b.refs || a.index != b.index {
		return false
	}
	for f, data := range a.files {
		if !bytes.Equal(data, b.files[f]) {
			return false
		}
	}
	return true
}

func fileExists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

func gitOK(dir string, args ...string) bool {
	_, err := testenv.GitE(dir, nil, args...)
	return err == nil
}

// checkAfterCrash is what any kill must leave: a repository git fsck
// accepts, and a branch that names a commit (never an empty ref file).
func checkAfterCrash(dir string) error {
	var errs []error
	if out, err := testenv.GitE(dir, nil, "fsck", "--full"); err != nil {
		errs = append(errs, fmt.Errorf("git fsck --full: %v\n%s", err, out))
	}
	ref := filepath.Join(dir, ".git", "refs", "heads", "main")
	data, err := os.ReadFile(ref)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		packed, _ := os.ReadFile(filepath.Join(dir, ".git", "packed-refs"))
		if !bytes.Contains(packed, []byte(" refs/heads/main\n")) {
			errs = append(errs, errors.New("refs/heads/main is neither loose nor packed"))
		}
	case err != nil:
		errs = append(errs, err)
	case len(data) != 41 || data[40] != '\n':
		errs = append(errs, fmt.Errorf("refs/heads/main holds %q, want a commit id and a newline", data))
	}
	if !gitOK(dir, "rev-parse", "-q", "--verify", "refs/heads/main^{commit}") {
		errs = append(errs, errors.New("refs/heads/main names no commit"))
	}
	return errors.Join(errs...)
}

// checkNoLeftovers: no journal and no lock file of git's.
func checkNoLeftovers(dir string) error {
	var errs []error
	for _, f := range []string{".git/pyrelease/bump", ".git/index.lock", ".git/refs/heads/main.lock", ".git/refs/tags/v0.1.1.lock"} {
		if fileExists(filepath.Join(dir, f)) {
			errs = append(errs, fmt.Errorf("%s is left behind", f))
		}
	}
	return errors.Join(errs...)
}

// checkOneRelease: exactly one release commit with its annotated tag, the
// back-to-development commit on top, files and index as committed.
func checkOneRelease(dir string) error {
	var errs []error
	check := func(what, want string, args ...string) {
		got, err := testenv.GitE(dir, nil, args...)
		if err != nil || got != want {
			errs = append(errs, fmt.Errorf("%s: git %s = %q (err %v), want %q", what, strings.Join(args, " "), got, err, want))
		}
	}
	// diff-files does not refresh the index: stale stat data shows here.
	check("index stat data", "", "diff-files", "--name-only")
	check("working tree", "", "status", "--porcelain", "--untracked-files=all")
	check("history", "Back to development: 0.1.2.dev0\nRelease 0.1.1\nAdd --shout\nInitial commit", "log", "--format=%s")
	check("tags", "v0.1.0\nv0.1.1", "tag", "--list")
	check("tag kind", "tag", "cat-file", "-t", "v0.1.1")
	if head, err := testenv.GitE(dir, nil, "rev-parse", "HEAD~1"); err == nil {
		check("tagged commit", head, "rev-parse", "v0.1.1^{commit}")
	}
	for rev, want := range map[string]string{"v0.1.1": `VERSION = "0.1.1"`, "HEAD": `VERSION = "0.1.2.dev0"`} {
		got, err := testenv.GitE(dir, nil, "show", rev+":src/greet/version.py")
		if err != nil || !slices.Contains(strings.Split(got, "\n"), want) {
			errs = append(errs, fmt.Errorf("version file at %s: %q (err %v), want a line %s", rev, got, err, want))
		}
	}
	if out, err := testenv.GitE(dir, nil, "fsck", "--full"); err != nil {
		errs = append(errs, fmt.Errorf("git fsck --full: %v\n%s", err, out))
	}
	return errors.Join(append(errs, checkNoLeftovers(dir))...)
}
