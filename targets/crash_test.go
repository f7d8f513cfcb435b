//go:build linux

package targets_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/internal/servers"
	"github.com/pyrelease/pyrelease/targets/internal/testenv"
	"github.com/pyrelease/pyrelease/targets/store"
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
			errs = append(errs, fmt.Errorf("dist/%s records %s, which cannot be read: %w", dist.FileName, a.Name, err))
		case sum != a.SHA256 || size != a.Size:
			errs = append(errs, fmt.Errorf("dist/%s records %s with sha256 %s (%d bytes), the file has %s (%d bytes)", dist.FileName, a.Name, a.SHA256, a.Size, sum, size))
		}
		if a.Kind == dist.KindWheel {
			st.wheel, st.wheelSHA = a.Name, sum
		}
	}
	if !kinds[dist.KindWheel] || !kinds[dist.KindSdist] {
		errs = append(errs, fmt.Errorf("dist/%s records no wheel and sdist of %s: %v", dist.FileName, version, m.Artifacts))
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
	if _, err := os.Stat(filepath.Join(p.dir, ".pyrelease", "stamp")); !errors.Is(err, fs.ErrNotExist) {
		errs = append(errs, fmt.Errorf(".pyrelease/stamp is left behind (stat: %v)", err))
	}
	return errors.Join(errs...)
}

func crashWheel(t *testing.T, bin string) {
	p := newCrashProject(t, bin)
	// A commit after the tag: the build's version (0.1.1.dev1) is not the
	// file's, so stamping changes the file.
	p.git(t, "commit", "-q", "--allow-empty", "-m", "More work")
	const version = "0.1.1.dev1"
	versionFile := filepath.Join(p.dir, "src", "greet", "version.py")
	orig, err := os.ReadFile(versionFile)
	if err != nil {
		t.Fatal(err)
	}
	stamped := []byte(p.mage(t, nil, "stamped", "cat src/greet/version.py").stdout)
	if bytes.Equal(stamped, orig) || !bytes.Contains(stamped, []byte(`"`+version+`"`)) {
		t.Fatalf("the stamped version file does not say %s:\n%s", version, stamped)
	}

	// Two uninterrupted builds: the reference, and how long one takes at
	// least, so that nearly every kill lands inside the run.
	var ref distState
	total := time.Duration(math.MaxInt64)
	for i := range 2 {
		p.clean(t)
		r := p.mage(t, nil, "wheel")
		st, err := readDist(p.dir, version)
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 && st.wheelSHA != ref.wheelSHA {
			t.Fatalf("two uninterrupted builds gave different wheels (%s, %s): the checks below need a reproducible wheel", ref.wheelSHA, st.wheelSHA)
		}
		ref, total = st, min(total, r.elapsed)
	}
	t.Logf("uninterrupted mage wheel: %s; dist/: %s", total.Round(time.Millisecond), strings.Join(ref.names, " "))

	for _, seed := range crashSeedList() {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			p.clean(t)
			delay := crashDelay(seed, total)
			r := p.launch(t, delay, nil, "wheel")
			logCrash(t, seed, "wheel", delay, total, r)
			if !r.killed && r.err != nil {
				failSeed(t, seed, []error{fmt.Errorf("mage wheel failed without a kill: %v\n%s", r.err, r.output())})
			}
			var errs []error
			// Stamping writes whole files: killed anywhere, the file holds
			// its original or its stamped bytes.
			if got, err := os.ReadFile(versionFile); err != nil || (!bytes.Equal(got, orig) && !bytes.Equal(got, stamped)) {
				errs = append(errs, fmt.Errorf("after the kill %s is neither the original nor the stamped file (err %v):\n%s", versionFile, err, got))
			}
			// Odd seeds recover with mage restore, even ones with the
			// next build itself.
			if seed%2 == 1 {
				if r := p.launch(t, -1, nil, "restore"); r.err != nil {
					errs = append(errs, fmt.Errorf("mage restore after the kill: %v\n%s", r.err, r.output()))
				}
				if err := p.checkTree(versionFile, orig); err != nil {
					errs = append(errs, fmt.Errorf("after mage restore: %w", err))
				}
			}
			if r := p.launch(t, -1, nil, "wheel"); r.err != nil {
				errs = append(errs, fmt.Errorf("mage wheel after the kill: %v\n%s", r.err, r.output()))
				failSeed(t, seed, errs)
			}
			if err := p.checkTree(versionFile, orig); err != nil {
				errs = append(errs, fmt.Errorf("after mage wheel: %w", err))
			}
			st, err := readDist(p.dir, version)
			if err != nil {
				errs = append(errs, err)
			}
			if !slices.Equal(st.names, ref.names) {
				errs = append(errs, fmt.Errorf("dist/ holds %q, an uninterrupted build leaves %q", st.names, ref.names))
			}
			if st.wheel != ref.wheel || st.wheelSHA != ref.wheelSHA {
				errs = append(errs, fmt.Errorf("the wheel is %s sha256 %s, an uninterrupted build gives %s sha256 %s", st.wheel, st.wheelSHA, ref.wheel, ref.wheelSHA))
			}
			if r := p.launch(t, -1, nil, "check", "dist/*"); r.err != nil {
				errs = append(errs, fmt.Errorf("mage check 'dist/*': %v\n%s", r.err, r.output()))
			}
			// Temporary directories of the killed run stay in TMPDIR, as
			// with any program killed so; worth knowing, not a failure.
			if left, _ := os.ReadDir(p.tmp); len(left) > 0 {
				var names []string
				for _, e := range left {
					names = append(names, e.Name())
				}
				t.Logf("seed %d: left in TMPDIR: %q", seed, names)
			}
			failSeed(t, seed, errs)
		})
	}
}

// --- mage snapshot ---

// crashStore is one kind of store the snapshot crashes publish to.
type crashStore struct {
	kind string
	url  func(name string) string // the URL of a store of that name
	env  []string                 // what mage needs to reach it
}

// storeState is what a reader of a store can see.
type storeState struct {
	keys      []string          // every object, .incoming left out
	published map[string]string // artifact key -> sha256 of its sidecar, for artifacts with both
	links     []string          // "page -> key#sha256" of every index page
}

func (s storeState) equal(o storeState) bool {
	return slices.Equal(s.keys, o.keys) && maps.Equal(s.published, o.published) && slices.Equal(s.links, o.links)
}

func (s storeState) String() string {
	return fmt.Sprintf("keys %q\npublished %v\nlinks %q", s.keys, s.published, s.links)
}

// isPage reports whether key is an index page rather than an artifact.
func isPage(key string) bool { return path.Base(key) == store.IndexFile }

func readObject(ctx context.Context, st store.Store, key string) ([]byte, error) {
	rc, _, err := st.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// readStore lists a store as a reader sees it, checking what a reader
// relies on: each artifact beside a sidecar has the sidecar's size and
// sha256, each artifact at all is a complete file of a known build
// (want: name -> sha256), sidecars parse, and index pages link only to
// published files with their sha256. Links to files that are gone are
// returned apart: an index written before a prune still names them.
func readStore(ctx context.Context, st store.Store, want map[string]string) (storeState, []string, error) {
	s := storeState{published: map[string]string{}}
	objs, err := st.List(ctx, "")
	if err != nil {
		return s, nil, err
	}
	present := map[string]bool{}
	for _, o := range objs {
		s.keys = append(s.keys, o.Key)
		present[o.Key] = true
	}
	var errs []error
	sums, sizes := map[string]string{}, map[string]int64{}
	for _, key := range s.keys {
		if store.IsSidecar(key) || isPage(key) {
			continue
		}
		data, err := readObject(ctx, st, key)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		sums[key], sizes[key] = fileSHA256(data), int64(len(data))
		if w, ok := want[path.Base(key)]; !ok || w != sums[key] {
			errs = append(errs, fmt.Errorf("%s is not a complete file of a build: sha256 %s (%d bytes), the build's is %q", st.Location(key), sums[key], len(data), w))
		}
	}
	for _, key := range s.keys {
		if !store.IsSidecar(key) {
			continue
		}
		data, err := readObject(ctx, st, key)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		sc, err := store.ParseSidecar(key, data)
		if err != nil {
			errs = append(errs, fmt.Errorf("a sidecar readers cannot trust: %w", err))
			continue
		}
		art := strings.TrimSuffix(key, store.SidecarExt)
		sum, ok := sums[art]
		if !ok {
			continue // the file is pruned first; its sidecar goes next
		}
		if sum != sc.SHA256 || sizes[art] != sc.Size {
			errs = append(errs, fmt.Errorf("%s has sha256 %s (%d bytes), its sidecar says %s (%d bytes)", st.Location(art), sum, sizes[art], sc.SHA256, sc.Size))
		}
		s.published[art] = sc.SHA256
	}
	var dangling []string
	for _, page := range s.keys {
		if !isPage(page) {
			continue
		}
		data, err := readObject(ctx, st, page)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		base := &url.URL{Scheme: "http", Host: "store.invalid", Path: "/" + page}
		links, err := store.ParseLinks(base, bytes.NewReader(data))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, l := range links {
			if l.SHA256 == "" {
				continue // a link to a project page
			}
			key := strings.TrimPrefix(l.URL.Path, "/")
			s.links = append(s.links, page+" -> "+key+"#"+l.SHA256)
			switch {
			case !present[key]:
				dangling = append(dangling, page+" -> "+key)
			case s.published[key] == "":
				errs = append(errs, fmt.Errorf("%s links %s, which has no sidecar", page, key))
			case s.published[key] != l.SHA256:
				errs = append(errs, fmt.Errorf("%s links %s with sha256 %s, the file has %s", page, key, l.SHA256, s.published[key]))
			}
		}
	}
	slices.Sort(s.links)
	return s, dangling, errors.Join(errs...)
}

// copyStore copies every object of from, .incoming left out, into to.
func copyStore(ctx context.Context, from, to store.Store) error {
	objs, err := from.List(ctx, "")
	if err != nil {
		return err
	}
	for _, o := range objs {
		data, err := readObject(ctx, from, o.Key)
		if err != nil {
			return err
		}
		if err := to.PutBytes(ctx, o.Key, data, store.PutOptions{SHA256: o.SHA256}); err != nil {
			return err
		}
	}
	return nil
}

// hiddenLeftovers lists the hidden files of a folder store outside
// .incoming: temporary files of writes a kill interrupted, which no reader
// sees and nothing removes.
func hiddenLeftovers(root string) []string {
	var out []string
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && d.Name() == store.IncomingDir {
			return fs.SkipDir
		}
		if !d.IsDir() && strings.HasPrefix(d.Name(), ".") {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}

func crashSnapshot(t *testing.T, bin string) {
	ctx := t.Context()
	folders := t.TempDir()
	kinds := []crashStore{{
		kind: "folder",
		url:  func(name string) string { return filepath.Join(folders, name) },
	}}
	if _, err := servers.Binary("PYRELEASE_MINIO", "minio"); err == nil || testenv.InCI() {
		minio := testenv.StartMinIO(t)
		minio.MakeBucket("crash", false)
		// The checks read the bucket with package store, which takes its
		// credentials from the environment, as mage does.
		minio.SetEnv(t)
		kinds = append(kinds, crashStore{
			kind: "s3",
			url:  func(name string) string { return "s3://crash/" + name + "?endpoint=" + minio.Endpoint },
			env:  minio.Env(),
		})
	} else {
		t.Log("no MinIO: the snapshot crashes publish to a folder only")
	}
	open := func(t *testing.T, u string) store.Store {
		t.Helper()
		st, err := store.Open(ctx, u, "", store.S3Options{})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	storeEnv := func(k crashStore, u string) []string { return append([]string{"PYRELEASE_STORE=" + u}, k.env...) }

	// Every store starts with the previous build of the branch
	// published: the crashed run publishes the next one, prunes the
	// previous one and rewrites the index pages.
	p := newCrashProject(t, bin)
	p.git(t, "commit", "-q", "--allow-empty", "-m", "More work")
	p.mage(t, nil, "wheel")
	templates := map[string]string{}
	for _, k := range kinds {
		templates[k.kind] = k.url("template")
		p.mage(t, storeEnv(k, templates[k.kind]), "snapshot")
	}
	p.git(t, "commit", "-q", "--allow-empty", "-m", "Even more work")
	p.mage(t, nil, "wheel")
	m, err := dist.Load(filepath.Join(p.dir, "dist"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, a := range m.Artifacts {
		want[a.Name] = a.SHA256
	}
	fresh := func(t *testing.T, k crashStore, name string) (string, store.Store) {
		t.Helper()
		u := k.url(name)
		st := open(t, u)
		if err := copyStore(ctx, open(t, templates[k.kind]), st); err != nil {
			t.Fatal(err)
		}
		return u, st
	}

	// Uninterrupted runs per kind: the end state, and how long one takes
	// at least, so that nearly every kill lands inside the run.
	final := map[string]storeState{}
	totals := map[string]time.Duration{}
	for _, k := range kinds {
		totals[k.kind] = math.MaxInt64
		for i := range 3 {
			u, st := fresh(t, k, fmt.Sprintf("reference-%d", i))
			r := p.mage(t, storeEnv(k, u), "snapshot")
			s, dangling, err := readStore(ctx, st, want)
			if err == nil && len(dangling) > 0 {
				err = fmt.Errorf("index links to missing files: %q", dangling)
			}
			if err != nil {
				t.Fatalf("%s store after an uninterrupted mage snapshot: %v", k.kind, err)
			}
			if i > 0 && !s.equal(final[k.kind]) {
				t.Fatalf("two uninterrupted runs left different %s stores:\n%s\n---\n%s", k.kind, final[k.kind], s)
			}
			final[k.kind], totals[k.kind] = s, min(totals[k.kind], r.elapsed)
		}
		t.Logf("uninterrupted mage snapshot to a %s store: %s; published %v", k.kind, totals[k.kind].Round(time.Millisecond), slices.Sorted(maps.Keys(final[k.kind].published)))
	}

	for _, seed := range crashSeedList() {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			var errs []error
			for _, k := range kinds {
				u, st := fresh(t, k, fmt.Sprintf("seed-%d", seed))
				delay := crashDelay(seed, totals[k.kind])
				r := p.launch(t, delay, storeEnv(k, u), "snapshot")
				logCrash(t, seed, "snapshot to a "+k.kind+" store", delay, totals[k.kind], r)
				if !r.killed && r.err != nil {
					errs = append(errs, fmt.Errorf("%s: mage snapshot failed without a kill: %v\n%s", k.kind, r.err, r.output()))
					continue
				}
				_, dangling, err := readStore(ctx, st, want)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s store after the kill: %w", k.kind, err))
				}
				if len(dangling) > 0 {
					t.Logf("seed %d: after the kill the %s store's index links to files pruned already: %q", seed, k.kind, dangling)
				}
				if r := p.launch(t, -1, storeEnv(k, u), "snapshot"); r.err != nil {
					errs = append(errs, fmt.Errorf("%s: mage snapshot after the kill: %v\n%s", k.kind, r.err, r.output()))
					continue
				}
				s, dangling, err := readStore(ctx, st, want)
				if err != nil {
					errs = append(errs, fmt.Errorf("%s store after the re-run: %w", k.kind, err))
				}
				if len(dangling) > 0 {
					errs = append(errs, fmt.Errorf("%s store after the re-run: the index links to missing files: %q", k.kind, dangling))
				}
				if !s.equal(final[k.kind]) {
					errs = append(errs, fmt.Errorf("%s store after the re-run differs from an uninterrupted run's:\n%s\n--- uninterrupted:\n%s", k.kind, s, final[k.kind]))
				}
				if d, ok := st.(*store.Dir); ok {
					if left := hiddenLeftovers(d.Root()); len(left) > 0 {
						t.Logf("seed %d: temporary files left in the %s store: %q", seed, k.kind, left)
					}
				}
			}
			failSeed(t, seed, errs)
		})
	}
}

// --- mage release ---

// indexFiles returns what a user's simple index lists for greet (file
// name -> sha256), after downloading each file and checking that its
// bytes have that sha256.
func indexFiles(ctx context.Context, u testenv.GiteaUser) (map[string]string, error) {
	page := u.SimpleURL + "greet/"
	body, status, err := httpGet(ctx, page)
	if err != nil {
		return nil, err
	}
	files := map[string]string{}
	if status == http.StatusNotFound {
		return files, nil
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %d\n%s", page, status, body)
	}
	base, err := url.Parse(page)
	if err != nil {
		return nil, err
	}
	links, err := store.ParseLinks(base, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, l := range links {
		files[l.Name] = l.SHA256
		data, status, err := httpGet(ctx, l.URL.String())
		switch {
		case err != nil:
			errs = append(errs, err)
		case status != http.StatusOK:
			errs = append(errs, fmt.Errorf("the index lists %s, and GET %s answers %d", l.Name, l.URL.Redacted(), status))
		case fileSHA256(data) != l.SHA256:
			errs = append(errs, fmt.Errorf("the index lists %s with sha256 %s, and serves %d bytes with sha256 %s", l.Name, l.SHA256, len(data), fileSHA256(data)))
		}
	}
	return files, errors.Join(errs...)
}

func httpGet(ctx context.Context, u string) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return data, resp.StatusCode, err
}

func crashRelease(t *testing.T, bin string) {
	ctx := t.Context()
	gitea := testenv.StartGitea(t)
	p := newCrashProject(t, bin) // HEAD is at v0.1.0
	p.mage(t, nil, "wheel")
	m, err := dist.Load(filepath.Join(p.dir, "dist"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, a := range m.Artifacts {
		want[a.Name] = a.SHA256
	}
	// Each run uploads as a user of its own, whose index starts empty.
	noStore := filepath.Join(p.work, "no-store")
	userEnv := func(u testenv.GiteaUser) []string {
		return []string{"PYRELEASE_STORE=" + noStore, "PYRELEASE_REPOSITORY=" + u.UploadURL,
			"TWINE_USERNAME=" + u.Name, "TWINE_PASSWORD=" + u.Token, "PYRELEASE_VERIFY_TIMEOUT=60"}
	}

	// Uninterrupted releases: the index they leave, and how long one takes
	// at least.
	total := time.Duration(math.MaxInt64)
	for i := range 3 {
		u := gitea.User(fmt.Sprintf("reference%d", i))
		r := p.mage(t, userEnv(u), "release")
		got, err := indexFiles(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got, want) {
			t.Fatalf("after an uninterrupted mage release the index lists %v, want %v", got, want)
		}
		total = min(total, r.elapsed)
	}
	t.Logf("uninterrupted mage release: %s; files %v", total.Round(time.Millisecond), slices.Sorted(maps.Keys(want)))

	users := map[int]testenv.GiteaUser{}
	for _, seed := range crashSeedList() {
		users[seed] = gitea.User(fmt.Sprintf("seed%d", seed))
	}
	for _, seed := range crashSeedList() {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			u := users[seed]
			delay := crashDelay(seed, total)
			r := p.launch(t, delay, userEnv(u), "release")
			logCrash(t, seed, "release", delay, total, r)
			var errs []error
			if !r.killed && r.err != nil {
				errs = append(errs, fmt.Errorf("mage release failed without a kill: %v\n%s", r.err, r.output()))
			}
			got, err := indexFiles(ctx, u)
			if err != nil {
				errs = append(errs, fmt.Errorf("after the kill: %w", err))
			}
			t.Logf("seed %d: after the kill the index lists %d of %d files", seed, len(got), len(want))
			for name, sum := range got {
				if want[name] != sum {
					errs = append(errs, fmt.Errorf("after the kill the index lists %s with sha256 %s, the file's is %q", name, sum, want[name]))
				}
			}
			if r := p.launch(t, -1, userEnv(u), "release"); r.err != nil {
				errs = append(errs, fmt.Errorf("mage release after the kill: %v\n%s", r.err, r.output()))
			}
			got, err = indexFiles(ctx, u)
			if err != nil {
				errs = append(errs, fmt.Errorf("after the re-run: %w", err))
			}
			if !maps.Equal(got, want) {
				errs = append(errs, fmt.Errorf("after the re-run the index lists %v, want %v", got, want))
			}
			failSeed(t, seed, errs)
		})
	}
}
