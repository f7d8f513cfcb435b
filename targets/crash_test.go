//go:build linux

package targets_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

var (
	crashSeeds = flag.Int("crash.seeds", 20, "TestCrash: kill points per target")
	crashSeed  = flag.Int("crash.seed", -1, "TestCrash: run only this seed (a failure names it)")
)

// crashDate is the clock of the example's commits: SOURCE_DATE_EPOCH of
// its builds, so that every build of a commit gives the same wheel.
const crashDate = "2026-11-01T12:00:00Z"

// crashRunLimit bounds one run of mage that is not killed on purpose.
const crashRunLimit = 3 * time.Minute

// TestCrash kills `mage wheel`, `mage snapshot` and `mage release` with
// SIGKILL at seeded random points of their run, and checks what a crash
// may leave behind and what the next run makes of it: version files
// restored byte for byte, a store and a package index that show only
// complete files, and a re-run that ends where an uninterrupted run ends.
//
// Seed n kills at a point drawn uniformly from [0, T), T being the
// shortest of a few uninterrupted runs here, so kills land all along the
// run: in stamping, in the Python build, in uploads, in index writes.
// -crash.seeds sets how many seeds run per target, -crash.seed N reruns one.
func TestCrash(t *testing.T) {
	testenv.Require(t, "git")
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		testenv.Missing(t, "the example builds with Debian's /usr/bin/python3 (setuptools): %v", err)
	}
	bin := compileExample(t)
	// One after the other: T measured while another subtest loads the
	// machine would put the kill points of an unloaded run in the wrong
	// places (most would land after the run ends).
	t.Run("wheel", func(t *testing.T) { crashWheel(t, bin) })
	t.Run("snapshot", func(t *testing.T) { crashSnapshot(t, bin) })
	t.Run("release", func(t *testing.T) { crashRelease(t, bin) })
}

// crashSeedList is what -crash.seeds and -crash.seed ask for.
func crashSeedList() []int {
	if *crashSeed >= 0 {
		return []int{*crashSeed}
	}
	seeds := make([]int, *crashSeeds)
	for i := range seeds {
		seeds[i] = i + 1
	}
	return seeds
}

// crashDelay draws the kill point of a seed uniformly from [0, total).
// The fraction of the run is the same on every machine; the delay scales
// with how long the run takes there.
func crashDelay(seed int, total time.Duration) time.Duration {
	r := rand.New(rand.NewPCG(uint64(seed), 0x6372617368))
	return time.Duration(r.Int64N(int64(max(total, 1))))
}

// logCrash says where a seed killed the run.
func logCrash(t *testing.T, seed int, what string, delay, total time.Duration, r crashRun) {
	t.Helper()
	if r.killed {
		t.Logf("seed %d: killed after %s of %s (%.0f%%): mage %s", seed, delay.Round(time.Microsecond), total.Round(time.Millisecond), 100*float64(delay)/float64(total), what)
		return
	}
	t.Logf("seed %d: mage %s finished (%s) before the kill at %s", seed, what, r.elapsed.Round(time.Millisecond), delay.Round(time.Microsecond))
}

// failSeed fails a seed's subtest with everything its checks found.
func failSeed(t *testing.T, seed int, errs []error) {
	t.Helper()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("seed %d: %v\n-crash.seed %d to reproduce", seed, err, seed)
	}
}

// crashProject is a copy of the example project in a git repository, and
// the environment mage runs in there.
type crashProject struct {
	bin  string
	work string // scratch space beside the project
	dir  string
	tmp  string // TMPDIR of the runs
	env  []string
}

func newCrashProject(t *testing.T, bin string) *crashProject {
	t.Helper()
	example, err := filepath.Abs(filepath.Join("..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	p := &crashProject{bin: bin, work: work, dir: filepath.Join(work, "proj")}
	if err := copyProject(example, p.dir); err != nil {
		t.Fatal(err)
	}
	// Build output is ignored, as in a real project: `git status` then
	// shows exactly what a crash must not leave behind.
	if err := os.WriteFile(filepath.Join(p.dir, ".gitignore"), []byte("/dist/\n/build/\n*.egg-info/\n__pycache__/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p.git(t, "init", "-q", "-b", "main")
	p.git(t, "add", "-A")
	p.git(t, "commit", "-q", "-m", "Initial commit")
	p.git(t, "tag", "v0.1.0")
	home := filepath.Join(work, "home")
	p.tmp = filepath.Join(work, "tmp")
	for _, d := range []string{home, p.tmp} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Only what the runs need: no CI variables (a pull-request build is
	// refused), no credentials or pip settings of the machine.
	for _, kv := range testenv.GitEnv() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "GIT_") {
			p.env = append(p.env, kv)
		}
	}
	p.env = append(p.env,
		"PATH="+os.Getenv("PATH"), "HOME="+home, "TMPDIR="+p.tmp, "LANG=C.UTF-8",
		"MAGEFILE_HASHFAST=1",
		"PIP_FIND_LINKS=/nonexistent", "PIP_INDEX_URL=http://127.0.0.1:9/simple",
		"PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_CACHE_DIR=1",
	)
	return p
}

// git runs git in the project at the fixed clock; a failure fails the test.
func (p *crashProject) git(t *testing.T, args ...string) string {
	t.Helper()
	out, err := testenv.GitE(p.dir, []string{"GIT_AUTHOR_DATE=" + crashDate, "GIT_COMMITTER_DATE=" + crashDate}, args...)
	if err != nil {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// clean puts the project back to its commit: tracked files as committed,
// no build output, no stamp journal, an empty TMPDIR.
func (p *crashProject) clean(t *testing.T) {
	t.Helper()
	p.git(t, "reset", "-q", "--hard")
	p.git(t, "clean", "-q", "-f", "-d", "-x")
	if err := os.RemoveAll(p.tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(p.tmp, 0o755); err != nil {
		t.Fatal(err)
	}
}

// recorded returns what dist/.pyrelease/artifacts.json records: name to sha256.
func (p *crashProject) recorded(t *testing.T) map[string]string {
	t.Helper()
	m, err := dist.Load(filepath.Join(p.dir, "dist"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, a := range m.Artifacts {
		want[a.Name] = a.SHA256
	}
	return want
}

// crashRun is one run of mage.
type crashRun struct {
	killed         bool // the kill ended it
	elapsed        time.Duration
	err            error
	stdout, stderr string
}

func (r crashRun) output() string { return r.stdout + r.stderr }

// launch runs mage with args in the project, with extra environment.
// With delay >= 0 it kills mage and everything mage started with SIGKILL
// once delay has passed since the start, unless mage finished first.
func (p *crashProject) launch(t *testing.T, delay time.Duration, env []string, args ...string) crashRun {
	t.Helper()
	cmd := exec.Command(p.bin, args...)
	cmd.Dir = p.dir
	cmd.Env = append(slices.Clone(p.env), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// A session of its own: mage runs the Python build in process groups
	// of their own (to stop them as a group on Ctrl-C), so only the
	// session names everything this run started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting mage %s: %v", strings.Join(args, " "), err)
	}
	pid := cmd.Process.Pid
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var kill <-chan time.Time
	if delay >= 0 {
		timer := time.NewTimer(delay)
		defer timer.Stop()
		kill = timer.C
	}
	limit := time.NewTimer(crashRunLimit)
	defer limit.Stop()
	var r crashRun
	select {
	case r.err = <-done:
	case <-kill:
		r.killed = true
		killSession(t, pid)
		r.err = <-done
	case <-limit.C:
		killSession(t, pid)
		<-done
		t.Fatalf("mage %s did not finish within %s:\n%s%s", strings.Join(args, " "), crashRunLimit, stdout.String(), stderr.String())
	}
	r.elapsed = time.Since(start)
	// Nothing a finished run started may outlive it and change files
	// while the checks look.
	killSession(t, pid)
	r.stdout, r.stderr = stdout.String(), stderr.String()
	return r
}

// mage runs mage to completion; a failure fails the test.
func (p *crashProject) mage(t *testing.T, env []string, args ...string) crashRun {
	t.Helper()
	r := p.launch(t, -1, env, args...)
	if r.err != nil {
		t.Fatalf("mage %s: %v\n%s", strings.Join(args, " "), r.err, r.output())
	}
	return r
}

// killSession kills every process of session sid with SIGKILL, the
// leader's process group first (at once), then whatever is left, until
// nothing is: a process may fork while the others are killed.
func killSession(t *testing.T, sid int) {
	t.Helper()
	_ = syscall.Kill(-sid, syscall.SIGKILL)
	deadline := time.Now().Add(30 * time.Second)
	for {
		pids, err := sessionProcs(sid)
		if err != nil {
			t.Fatal(err)
		}
		if len(pids) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes %v of session %d survive SIGKILL", pids, sid)
		}
		for _, pid := range pids {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
		time.Sleep(time.Millisecond)
	}
}

// sessionProcs lists the live processes of session sid; zombies count as
// dead, since they can no longer touch a file.
func sessionProcs(sid int) ([]int, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("listing processes: %w", err)
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // gone meanwhile
		}
		// "pid (comm) state ppid pgrp session ...": comm may hold spaces
		// and parentheses, so fields count from the last ')'.
		i := bytes.LastIndexByte(data, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(data[i+1:]))
		if len(f) < 4 || f[0] == "Z" || f[0] == "X" {
			continue
		}
		if s, err := strconv.Atoi(f[3]); err == nil && s == sid {
			pids = append(pids, pid)
		}
	}
	return pids, nil
}

func fileSHA256(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// --- mage wheel ---

// distState is what dist/ holds after mage wheel.
type distState struct {
	names    []string // every entry of dist/, hidden ones too
	wheel    string   // the wheel's name
	wheelSHA string
}

// readDist reads dist/ and checks that artifacts.json records each built
// file of version with the sha256 and size the file has.
func readDist(dir, version string) (distState, error) {
	var st distState
	outDir := filepath.Join(dir, "dist")
	entries, err := os.ReadDir(outDir)
	if err != nil {
		return st, err
	}
	for _, e := range entries {
		st.names = append(st.names, e.Name())
	}
	m, err := dist.Load(outDir)
	if err != nil {
		return st, err
	}
	var errs []error
	kinds := map[string]bool{}
	for _, a := range m.Artifacts {
		if a.Version != version {
			continue
		}
		kinds[a.Kind] = true
		sum, size, err := dist.Hash(filepath.Join(outDir, filepath.FromSlash(a.Path)))
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s records %s, which cannot be read: %w", dist.ManifestRel, a.Name, err))
		case sum != a.SHA256 || size != a.Size:
			errs = append(errs, fmt.Errorf("%s records %s with sha256 %s (%d bytes), the file has %s (%d bytes)", dist.ManifestRel, a.Name, a.SHA256, a.Size, sum, size))
		}
		if a.Kind == dist.KindWheel {
			st.wheel, st.wheelSHA = a.Name, sum
		}
	}
	if !kinds[dist.KindWheel] || !kinds[dist.KindSdist] {
		errs = append(errs, fmt.Errorf("%s records no wheel and sdist of %s: %v", dist.ManifestRel, version, m.Artifacts))
	}
	return st, errors.Join(errs...)
}

// checkTree checks that the project is as committed: the version file
// byte for byte, no stamp journal, nothing untracked but ignored build
// output.
func (p *crashProject) checkTree(versionFile string, orig []byte) error {
	var errs []error
	if got, err := os.ReadFile(versionFile); err != nil || !bytes.Equal(got, orig) {
		errs = append(errs, fmt.Errorf("%s is not restored (err %v):\n%s", versionFile, err, got))
	}
	if out, err := testenv.GitE(p.dir, nil, "status", "--porcelain", "--untracked-files=all"); err != nil || out != "" {
		errs = append(errs, fmt.Errorf("git status --porcelain: want nothing, got (err %v):\n%s", err, out))
	}
	if _, err := testenv.GitE(p.dir, nil, "diff", "--exit-code"); err != nil {
		errs = append(errs, fmt.Errorf("git diff --exit-code: %v", err))
	}
	if _, err := os.Stat(filepath.Join(p.dir, ".git", "pyrelease", "stamp")); !errors.Is(err, fs.ErrNotExist) {
		errs = append(errs, fmt.Errorf(".git/pyrelease/stamp is left behind (stat: %v)", err))
	}
	if _, err := os.Stat(filepath.Join(p.dir, ".pyrelease")); !errors.Is(err, fs.ErrNotExist) {
		errs = append(errs, fmt.Errorf(".pyrelease is in the source tree (stat: %v)", err))
	}
	return errors.Join(errs...)
}
