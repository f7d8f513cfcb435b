// Command bench is what `mage bench` runs: it times pyrelease against the
// tools a user would otherwise run, in the same run on the same machine,
// and prints one table of ratios. The Python peers are installed by the
// bench itself, at the versions pinned in peers.go, into a venv cached
// beside .ci/run's tools; the table names them.
//
// -only selects the scenarios whose name contains its argument, or one of
// its comma-separated parts; the groups start with a word for it and a
// colon: version:, wheel:, bdist:, upload: (plain bdist also selects the
// archive rows, whose tree is "bdist-like"), and S3.
//
// version: in a Quickstart project (the example project with a go.mod
// that has mage as a tool), the version as the README has users get it,
// `go tool mage version`, and its faster forms (MAGEFILE_HASHFAST=1, the
// compiled magefile, the standalone executable), against setuptools-scm,
// dunamai and `git describe --tags --long`, all in one hyperfine run.
//
// wheel: in the same project, `mage wheel` (as `go tool mage wheel` and
// compiled), isolated, against `uv build` and `python -m build`, each
// followed by what mage wheel checks (twine check, a fresh venv, the wheel
// installed, its tool run with --version), everything from a local index.
//
// describe: our describe against `git describe --tags --long` on
// generated repositories of 10k and 100k commits, with and without a
// commit-graph file, plus peak memory. Our side is measured twice: as
// describecmd (package version alone) and as the compiled example
// magefile, whose start-up links every target.
//
// It also times `mage snapshot` against `aws s3 cp --recursive` publishing
// the same dist/ (200 files of 5 MB, then one 2 GiB file) to buckets of a
// local MinIO server, wall clock and peak memory, each run into empty
// buckets (-s3runs, -s3bigruns; -s3query adds settings to our store URL).
//
// upload: a 50 MiB and a 500 MiB wheel to the PyPI registry of a local
// Gitea server: uploadcmd, package pypi alone as mage release uses it for
// each file, against current twine, `uv publish` and Debian's twine, wall
// clock and peak memory, each run to a fresh account, and each checked on
// the index's simple page by its sha256 (-uploadruns).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/dev/gitgen"
	"github.com/pyrelease/pyrelease/targets/internal/dev/servers"
)

func main() {
	keep := flag.Bool("keep", false, "keep the generated repositories")
	runs := flag.Int("runs", 30, "minimum hyperfine runs per command")
	only := flag.String("only", "", "run only the scenarios whose name contains this (or one of these, comma-separated)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *runs, *keep, selector(*only)); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// scenario is one generated repository and what is timed on it.
type scenario struct {
	name  string
	opts  gitgen.Options
	setup func(ctx context.Context, dir string) error // instead of generating a repository
	pairs []pair
}

// pair is a command of ours and the peer command it is compared with.
type pair struct {
	what       string
	peerName   string // what the peer is, for the table
	peer, ours []string
	prepare    string // run before every timed run (hyperfine --prepare)
	runs       int    // minimum runs; 0 means the -runs flag
	sameOutput bool   // the two must print the same thing
}

func scenarios(bin, core string, p peers) []scenario {
	gitDescribe := []string{"git", "describe", "--tags", "--long"}
	gitDirty := append(gitDescribe[:4:4], "--dirty")
	describe := pair{what: "mage describe", peerName: "git describe --tags --long", peer: gitDescribe, ours: []string{bin, "describe"}, sameOutput: true}
	dirty := pair{what: "mage describe -dirty", peerName: "git describe --tags --long --dirty", peer: gitDirty, ours: []string{bin, "describe", "-dirty"}, sameOutput: true}
	coreDescribe := pair{what: "version.Describe as a command", peerName: "git describe --tags --long", peer: gitDescribe, ours: []string{core}, sameOutput: true}
	coreDirty := pair{what: "version.Describe as a command, dirty", peerName: "git describe --tags --long --dirty", peer: gitDirty, ours: []string{core, "--dirty"}, sameOutput: true}
	// The same work as mage wheel, by hand: build both, check both, install
	// the wheel into a fresh venv (the fast way) and run the tool.
	manual := "/usr/bin/python3 -m build --no-isolation --outdir dist . >/dev/null && twine check --strict dist/* >/dev/null && " +
		"/usr/bin/python3 -m venv --without-pip venv && /usr/bin/python3 -m pip --python venv/bin/python install -q --no-index dist/*.whl && venv/bin/greet --version"
	wheel := pair{what: "mage wheel", peerName: "python3 -m build, twine check, venv, pip install, greet --version", peer: []string{"sh", "-c", manual}, ours: []string{bin, "wheel"},
		prepare: "rm -rf dist venv build src/greet.egg-info", runs: 5}
	repo := func(commits int, graph bool) gitgen.Options {
		// Merges and side branches as in a real project; a tag every 200
		// commits so the nearest tag is close, as it is in practice.
		return gitgen.Options{Seed: 1, Commits: commits, MergeRate: 0.05, BranchRate: 0.05,
			TagEvery: 200, AnnotatedRate: 0.5, Pack: true, CommitGraph: graph, Checkout: true}
	}
	return []scenario{
		{name: "10k commits, commit-graph", opts: repo(10_000, true), pairs: []pair{coreDescribe, coreDirty, describe, dirty}},
		{name: "100k commits, commit-graph", opts: repo(100_000, true), pairs: []pair{coreDescribe, coreDirty, describe, dirty}},
		{name: "10k commits, no commit-graph", opts: repo(10_000, false), pairs: []pair{coreDescribe, describe}},
		{name: "100k commits, no commit-graph", opts: repo(100_000, false), pairs: []pair{coreDescribe, describe}},
		{name: "example project (setuptools), on a tag", setup: exampleRepo, pairs: []pair{wheel}},
		{name: depsScenario, setup: depsRepo, pairs: depsPairs(bin, p)},
		{name: bdistScenario, setup: bdistRepo(bin), pairs: bdistPairs(bin)},
	}
}

// bdistScenario is the two-tool fixture frozen with PyInstaller, its wheel
// built already, as a release job has it after mage wheel. Both sides
// install the pinned PyInstaller from the local index, whose wheelhouse
// (targets/testdata/projects/requirements.txt) pins the same version.
var bdistScenario = "bdist: twotools fixture (PyInstaller " + pinnedVersion("pyinstaller") + "; click), two tools in one group, from a local index"

// bdistRepo copies the two-tool fixture, tags it, points pip at a local
// index and builds its wheel once, so both sides freeze the same wheel.
// pyrelease's caches go to a folder of the bench, which the cold runs
// empty.
func bdistRepo(bin string) func(ctx context.Context, dir string) error {
	return func(ctx context.Context, dir string) error {
		if out, err := exec.CommandContext(ctx, "cp", "-r", "targets/testdata/freeze/twotools", dir).CombinedOutput(); err != nil {
			return fmt.Errorf("copying the twotools fixture: %v: %s", err, out)
		}
		env := gitgen.DefaultEnv()
		for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "twotools"}, {"tag", "v0.1.0"}} {
			if _, err := gitgen.Git(ctx, dir, env, nil, args...); err != nil {
				return err
			}
		}
		if err := useLocalIndex(ctx); err != nil {
			return err
		}
		os.Setenv("XDG_CACHE_HOME", dir+"-cache")
		if _, _, err := once(ctx, dir, []string{bin, "wheel"}); err != nil {
			return fmt.Errorf("mage wheel: %w", err)
		}
		return nil
	}
}

// bdistPairs time mage bdist against the same work by hand, as a release
// script does it: a fresh venv, pip install PyInstaller and the wheel, one
// pyinstaller --onefile per tool with that tool's options, the rename of
// the tool named like its package, tar czf. By hand is always cold (its
// venv is removed before each run); mage bdist runs once with its freeze
// environment removed, and once with it cached from the run before.
func bdistPairs(bin string) []pair {
	launcher := func(path, module string) string {
		return "printf 'from " + module + " import main\\nraise SystemExit(main())\\n' > " + path
	}
	pyi := "venv/bin/pyinstaller --onefile --clean --noconfirm --log-level WARN --distpath handbin --workpath build --specpath build"
	byHand := "/usr/bin/python3 -m venv venv && venv/bin/python -m pip install -q pyinstaller==" + pinnedVersion("pyinstaller") + " dist/*.whl && mkdir -p launch && " +
		launcher("launch/tally-launcher.py", "tally.cli") + " && " + launcher("launch/info-launcher.py", "tally.info") + " && " +
		pyi + " --name tally_main --additional-hooks-dir \"$PWD/release/hooks\" launch/tally-launcher.py && " +
		pyi + " --name tally-info --exclude-module tally.extra --add-data \"$PWD/share/motd.txt:tally_share\" launch/info-launcher.py && " +
		"mv handbin/tally_main handbin/tally && handbin/tally --version >/dev/null && handbin/tally-info --version >/dev/null && " +
		"tar czf tally-by-hand.tar.gz -C handbin tally tally-info"
	clean := "rm -rf venv handbin build launch tally-by-hand.tar.gz"
	peerName := "venv, pip install pyinstaller and the wheel, pyinstaller --onefile per tool, tar czf"
	return []pair{
		{what: "mage bdist, freeze environment cold", peerName: peerName, peer: []string{"sh", "-c", byHand}, ours: []string{bin, "bdist"},
			prepare: "sh -c '" + clean + " \"$XDG_CACHE_HOME/pyrelease/freeze\"'", runs: 3},
		{what: "mage bdist, freeze environment warm", peerName: peerName, peer: []string{"sh", "-c", byHand}, ours: []string{bin, "bdist"},
			prepare: clean, runs: 3},
	}
}

// depsScenario is the fixture with runtime dependencies, built as a user
// on a fresh machine would: isolated, with the build requirements and the
// dependencies from the package index (a local pypiserver here).
const depsScenario = "srcdeps fixture (setuptools; requests, packaging), on a tag, from a local index"

// depsPairs time mage wheel on it against the same work by hand with
// today's tools: build both distributions in isolation, twine check, a
// fresh venv, install the wheel with its dependencies, run the tool. Both
// peers install from the same index.
func depsPairs(bin string, p peers) []pair {
	uv, twine, pybuild := p.bin("uv"), p.bin("twine"), p.bin("python")
	run := " && /usr/bin/python3 -m venv --without-pip venv"
	byUV := uv + " build -q --out-dir dist . && " + twine + " check dist/* >/dev/null" + run +
		" && " + uv + " pip install -q --python venv/bin/python dist/*.whl && venv/bin/urlpeek --version"
	byBuild := pybuild + " -m build -q --outdir dist . >/dev/null && " + twine + " check dist/* >/dev/null" + run +
		" && " + pybuild + " -m pip -q --python venv/bin/python install dist/*.whl && venv/bin/urlpeek --version"
	ours := []string{"env", "PYRELEASE_ISOLATION=true", "PYRELEASE_INSTALLER=pip", bin, "wheel"}
	// With uv on PATH, installer = "auto" has uv make the venvs and
	// install, as the by-hand uv sequence does.
	oursUV := []string{"env", "PYRELEASE_ISOLATION=true", "PATH=" + filepath.Dir(uv) + string(os.PathListSeparator) + os.Getenv("PATH"), bin, "wheel"}
	prepare := "rm -rf dist venv build src/urlpeek.egg-info"
	return []pair{
		{what: "mage wheel (isolated), uv on PATH", peerName: p.named("uv", "build") + ", " + p.named("twine", "check") + ", venv, uv pip install, urlpeek --version",
			peer: []string{"sh", "-c", byUV}, ours: oursUV, prepare: prepare, runs: 5},
		{what: "mage wheel (isolated), pip", peerName: p.named("uv", "build") + ", " + p.named("twine", "check") + ", venv, uv pip install, urlpeek --version",
			peer: []string{"sh", "-c", byUV}, ours: ours, prepare: prepare, runs: 5},
		{what: "mage wheel (isolated), pip", peerName: "python -m " + p.named("build", "") + ", " + p.named("twine", "check") + ", venv, " + p.named("pip", "install") + ", urlpeek --version",
			peer: []string{"sh", "-c", byBuild}, ours: ours, prepare: prepare, runs: 5},
	}
}

// depsRepo copies the srcdeps fixture into a new repository tagged v0.1.0
// and points pip and uv, for this process and the commands it times, at a
// pypiserver over the wheelhouse .ci/run downloads (stopped with ctx).
func depsRepo(ctx context.Context, dir string) error {
	if out, err := exec.CommandContext(ctx, "cp", "-r", "targets/testdata/projects/srcdeps", dir).CombinedOutput(); err != nil {
		return fmt.Errorf("copying the srcdeps fixture: %v: %s", err, out)
	}
	env := gitgen.DefaultEnv()
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "srcdeps"}, {"tag", "v0.1.0"}} {
		if _, err := gitgen.Git(ctx, dir, env, nil, args...); err != nil {
			return err
		}
	}
	return useLocalIndex(ctx)
}

// useLocalIndex starts pypiserver over the test wheelhouse and points pip
// and uv at it alone, without a cache, for the rest of the bench.
func useLocalIndex(ctx context.Context) error {
	if os.Getenv("PIP_INDEX_URL") != "" && os.Getenv("PIP_CONFIG_FILE") == os.DevNull {
		return nil // started by an earlier scenario
	}
	bin, err := servers.PyPIServerBinary()
	if err != nil {
		return fmt.Errorf("pypi-server (.ci/run installs it): %w", err)
	}
	wheelhouse, err := servers.Tool("PYRELEASE_WHEELHOUSE", "wheelhouse-*")
	if err != nil {
		return fmt.Errorf("the wheelhouse (.ci/run downloads it): %w", err)
	}
	ix, err := servers.StartPyPIServer(ctx, bin, wheelhouse)
	if err != nil {
		return err
	}
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "PIP_") || strings.HasPrefix(k, "UV_") {
			os.Unsetenv(k)
		}
	}
	for k, v := range map[string]string{
		"PIP_INDEX_URL": ix.SimpleURL, "PIP_CONFIG_FILE": os.DevNull, "PIP_NO_CACHE_DIR": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
		"UV_DEFAULT_INDEX": ix.SimpleURL, "UV_NO_CONFIG": "1", "UV_NO_CACHE": "1", "UV_PYTHON": "/usr/bin/python3", "UV_PYTHON_DOWNLOADS": "never",
	} {
		os.Setenv(k, v)
	}
	return nil
}

type row struct {
	scenario, what     string
	peerName           string
	peerMean, oursMean time.Duration
	peerStd, oursStd   time.Duration
	peerRSS, oursRSS   int64 // KiB
}

// selector is the -only flag: a scenario is selected when its name
// contains one of the comma-separated parts (all are, for "").
type selector string

func (s selector) selects(name string) bool {
	for _, part := range strings.Split(string(s), ",") {
		if strings.Contains(name, part) {
			return true
		}
	}
	return false
}

func run(ctx context.Context, runs int, keep bool, only selector) error {
	for _, tool := range []string{"git", "hyperfine", "go", "/usr/bin/time"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is needed (Debian packages git, hyperfine, time): %w", tool, err)
		}
	}
	work, err := os.MkdirTemp("", "bench-pyrelease-")
	if err != nil {
		return err
	}
	if !keep {
		defer os.RemoveAll(work)
	}
	bin := filepath.Join(work, "pyrelease")
	fmt.Fprintln(os.Stderr, "bench: compiling the example magefile")
	compile := exec.CommandContext(ctx, "go", "tool", "mage", "-compile", bin)
	compile.Dir = "examples"
	if out, err := compile.CombinedOutput(); err != nil {
		return fmt.Errorf("mage -compile: %v\n%s", err, out)
	}
	core := filepath.Join(work, "describe")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", core, "./targets/internal/dev/bench/describecmd").CombinedOutput(); err != nil {
		return fmt.Errorf("building describecmd: %v\n%s", err, out)
	}

	// The bdist scenario moves XDG_CACHE_HOME (pyrelease's caches) for
	// the rest of the run: what else lives there stays where it is.
	if err := pinCaches(ctx); err != nil {
		return err
	}
	// Before any scenario points pip at the local index.
	p, err := installPeers(ctx)
	if err != nil {
		return err
	}
	var rows []row
	for i, sc := range scenarios(bin, core, p) {
		if !only.selects(sc.name) {
			continue
		}
		dir := filepath.Join(work, fmt.Sprintf("repo%d", i))
		start := time.Now()
		if sc.setup != nil {
			if err := sc.setup(ctx, dir); err != nil {
				return fmt.Errorf("%s: %w", sc.name, err)
			}
		} else if err := generate(ctx, dir, sc.opts); err != nil {
			return fmt.Errorf("%s: %w", sc.name, err)
		}
		fmt.Fprintf(os.Stderr, "bench: %s generated in %s\n", sc.name, time.Since(start).Round(time.Millisecond))
		for _, p := range sc.pairs {
			r, err := measure(ctx, dir, sc.name, p, runs, work)
			if err != nil {
				return err
			}
			rows = append(rows, r)
		}
	}
	qsRows, err := quickstartBench(ctx, p, work, runs, only)
	if err != nil {
		return err
	}
	rows = append(rows, qsRows...)
	if only.selects(archiveScenario) {
		archiveRows, err := archiveBench(ctx, work)
		if err != nil {
			return err
		}
		rows = append(rows, archiveRows...)
	}
	if only.selects(s3Scenario) {
		s3Rows, err := s3Bench(ctx, s3Options{bin: bin, work: work, runs: *s3Runs, bigRuns: *s3BigRuns, query: *s3Query})
		if err != nil {
			return err
		}
		rows = append(rows, s3Rows...)
	}
	if only.selects(uploadScenario) {
		uploader := filepath.Join(work, "upload-cmd")
		if out, err := exec.CommandContext(ctx, "go", "build", "-o", uploader, "./targets/internal/dev/bench/uploadcmd").CombinedOutput(); err != nil {
			return fmt.Errorf("building uploadcmd: %v\n%s", err, out)
		}
		uploadRows, err := uploadBench(ctx, uploadOptions{cmd: uploader, bin: bin, work: work, runs: *uploadRuns, peers: p})
		if err != nil {
			return err
		}
		rows = append(rows, uploadRows...)
	}
	printTable(rows)
	return nil
}

// pinCaches names .ci/run's cache and Go's build cache in the environment,
// unless they are named already, so that a later change of XDG_CACHE_HOME
// moves neither.
func pinCaches(ctx context.Context) error {
	if os.Getenv("PYRELEASE_CI_CACHE") == "" {
		os.Setenv("PYRELEASE_CI_CACHE", servers.CacheDir())
	}
	if os.Getenv("GOCACHE") == "" {
		out, err := exec.CommandContext(ctx, "go", "env", "GOCACHE").Output()
		if err != nil {
			return fmt.Errorf("go env GOCACHE: %w", err)
		}
		os.Setenv("GOCACHE", strings.TrimSpace(string(out)))
	}
	return nil
}

const archiveScenario = "200 MB bdist-like tree"

// archiveBench runs the archive package's Go benchmark, which times Create
// and the tools (tar czf, zip -r) on the same ~200 MB tree in one process,
// and turns its lines into rows; then it measures each side's peak memory
// once, as whole commands (archivecmd for ours) on that tree.
func archiveBench(ctx context.Context, work string) ([]row, error) {
	fmt.Fprintln(os.Stderr, "bench: archive.Create against tar czf and zip -r")
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "BenchmarkCreate$", "-benchtime", "3x", "./targets/archive/")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("archive benchmark: %w\n%s", err, out)
	}
	nsop := map[string]time.Duration{}
	sizeRatio := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "BenchmarkCreate/") || f[3] != "ns/op" {
			continue
		}
		name := strings.TrimPrefix(f[0], "BenchmarkCreate/")
		if i := strings.LastIndex(name, "-"); i > 0 {
			name = name[:i] // the GOMAXPROCS suffix
		}
		ns, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			return nil, fmt.Errorf("archive benchmark line %q: %w", line, err)
		}
		nsop[name] = time.Duration(ns)
		for i := 4; i+1 < len(f); i++ {
			if f[i+1] == "size-ratio" {
				sizeRatio[name] = f[i]
			}
		}
	}
	var rows []row
	for _, c := range []struct{ ours, peer, what, peerName string }{
		{ours: "create=tar.gz", peer: "tool=tar-czf", what: "archive.Create .tar.gz (size ratio %s)", peerName: "tar czf"},
		{ours: "create=zip", peer: "tool=zip-r", what: "archive.Create .zip (size ratio %s)", peerName: "zip -r"},
	} {
		if nsop[c.ours] == 0 || nsop[c.peer] == 0 {
			return nil, fmt.Errorf("archive benchmark: no result for %s or %s in:\n%s", c.ours, c.peer, out)
		}
		rows = append(rows, row{scenario: archiveScenario, what: fmt.Sprintf(c.what, sizeRatio[c.ours]), peerName: c.peerName,
			oursMean: nsop[c.ours], peerMean: nsop[c.peer]})
	}
	if err := archiveRSS(ctx, work, rows); err != nil {
		return nil, err
	}
	return rows, nil
}

// archiveRSS fills the rows' peak memory: archivecmd create against
// tar czf, then against zip -qr, on the benchmark's tree.
func archiveRSS(ctx context.Context, work string, rows []row) error {
	cmd := filepath.Join(work, "archivecmd")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", cmd, "./targets/internal/dev/bench/archivecmd").CombinedOutput(); err != nil {
		return fmt.Errorf("building archivecmd: %v\n%s", err, out)
	}
	tree := filepath.Join(work, "archive-tree")
	if _, _, err := once(ctx, work, []string{cmd, "gen", tree}); err != nil {
		return err
	}
	defer os.RemoveAll(tree)
	sides := []struct{ ours, peer []string }{
		{ours: []string{cmd, "create", filepath.Join(work, "ours.tar.gz"), tree}, peer: []string{"tar", "czf", filepath.Join(work, "peer.tar.gz"), "-C", tree, "."}},
		{ours: []string{cmd, "create", filepath.Join(work, "ours.zip"), tree}, peer: []string{"zip", "-qr", filepath.Join(work, "peer.zip"), "."}},
	}
	for i, sd := range sides {
		_, ours, err := once(ctx, work, sd.ours)
		if err != nil {
			return err
		}
		_, peer, err := once(ctx, tree, sd.peer)
		if err != nil {
			return err
		}
		rows[i].oursRSS, rows[i].peerRSS = ours, peer
	}
	return nil
}

// generate makes a describe repository; the compiled targets read
// pyproject.toml from the working directory, so it gets an untracked one,
// which does not change the answer.
func generate(ctx context.Context, dir string, opts gitgen.Options) error {
	if err := gitgen.Repo(ctx, dir, opts); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte("[project]\nname = \"bench\"\n"), 0o644)
}

// exampleRepo copies the example project (without its magefiles) into a
// new repository tagged v1.0.0.
func exampleRepo(ctx context.Context, dir string) error {
	if out, err := exec.CommandContext(ctx, "cp", "-r", "examples", dir).CombinedOutput(); err != nil {
		return fmt.Errorf("copying examples: %v: %s", err, out)
	}
	for _, junk := range []string{"magefiles", "dist", "build", "src/greet.egg-info", ".pyrelease"} {
		if err := os.RemoveAll(filepath.Join(dir, junk)); err != nil {
			return err
		}
	}
	env := gitgen.DefaultEnv()
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "Example"}, {"tag", "v1.0.0"}} {
		if _, err := gitgen.Git(ctx, dir, env, nil, args...); err != nil {
			return err
		}
	}
	return nil
}

func measure(ctx context.Context, dir, name string, p pair, runs int, work string) (row, error) {
	if p.runs > 0 {
		runs = p.runs
	}
	prepare := func() error {
		if p.prepare == "" {
			return nil
		}
		_, _, err := once(ctx, dir, []string{"sh", "-c", p.prepare})
		return err
	}
	if err := prepare(); err != nil {
		return row{}, err
	}
	peerOut, peerRSS, err := once(ctx, dir, p.peer)
	if err != nil {
		return row{}, err
	}
	if err := prepare(); err != nil {
		return row{}, err
	}
	oursOut, oursRSS, err := once(ctx, dir, p.ours)
	if err != nil {
		return row{}, err
	}
	if p.sameOutput && peerOut != oursOut {
		return row{}, fmt.Errorf("%s: %s disagrees: git says %q, pyrelease says %q", name, p.what, peerOut, oursOut)
	}
	out := filepath.Join(work, "hyperfine.json")
	warmup := "5"
	if p.prepare != "" {
		warmup = "1"
	}
	args := []string{"-N", "--warmup", warmup, "--min-runs", fmt.Sprint(runs), "--export-json", out}
	if p.prepare != "" {
		args = append(args, "--prepare", p.prepare)
	}
	args = append(args, shellJoin(p.peer), shellJoin(p.ours))
	cmd := exec.CommandContext(ctx, "hyperfine", args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return row{}, fmt.Errorf("hyperfine: %w", err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		return row{}, err
	}
	var res struct {
		Results []struct {
			Mean   float64 `json:"mean"`
			Stddev float64 `json:"stddev"`
		} `json:"results"`
	}
	if err := json.Unmarshal(data, &res); err != nil || len(res.Results) != 2 {
		return row{}, fmt.Errorf("reading %s: %v", out, err)
	}
	sec := func(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
	return row{
		scenario: name, what: p.what, peerName: p.peerName,
		peerMean: sec(res.Results[0].Mean), peerStd: sec(res.Results[0].Stddev),
		oursMean: sec(res.Results[1].Mean), oursStd: sec(res.Results[1].Stddev),
		peerRSS: peerRSS, oursRSS: oursRSS,
	}, nil
}

// once runs a command and returns its trimmed stdout and peak RSS in KiB.
// The RSS comes from GNU time, which fork()s: a child started by this Go
// process (vfork) would report this process's own peak as its own.
func once(ctx context.Context, dir string, argv []string) (string, int64, error) {
	rssFile, err := os.CreateTemp("", "pyrelease-rss-")
	if err != nil {
		return "", 0, err
	}
	rssFile.Close()
	defer os.Remove(rssFile.Name())
	cmd := exec.CommandContext(ctx, "/usr/bin/time", append([]string{"-f", "%M", "-o", rssFile.Name()}, argv...)...)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", 0, fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, stderr.String())
	}
	data, err := os.ReadFile(rssFile.Name())
	if err != nil {
		return "", 0, err
	}
	rss, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil {
		return "", 0, fmt.Errorf("reading peak RSS of %s: %q: %w", argv[0], data, err)
	}
	return strings.TrimSpace(string(out)), rss, nil
}

func printTable(rows []row) {
	gitVersion, _ := exec.Command("git", "--version").Output()
	fmt.Printf("Machine: %s, %s/%s, %d cores; %s; %s; %s\n\n", cpuModel(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(),
		strings.TrimSpace(string(gitVersion)), runtime.Version(), time.Now().UTC().Format("2006-01-02"))
	fmt.Printf("Command: go run ./targets/internal/dev/bench %s\n\n", strings.Join(os.Args[1:], " "))
	fmt.Printf("%s\n\n", peersLine())
	fmt.Println("| scenario | ours | peer | ours: time | peer: time | ratio | ours: peak RSS | peer: peak RSS |")
	fmt.Println("|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Printf("| %s | %s | %s | %s | %s | %.2fx | %s | %s |\n", r.scenario, r.what, r.peerName,
			timing(r.oursMean, r.oursStd), timing(r.peerMean, r.peerStd),
			float64(r.oursMean)/float64(r.peerMean), mib(r.oursRSS), mib(r.peerRSS))
	}
}

// timing renders a mean with its spread, when one was measured.
func timing(mean, std time.Duration) string {
	if std == 0 {
		return ms(mean)
	}
	return ms(mean) + " ± " + ms(std)
}

// mib renders a peak RSS in KiB as MiB; 0 means not measured.
func mib(kib int64) string {
	if kib == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f MiB", float64(kib)/1024)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// cpuModel names the processor, for the table's caption.
func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// shellJoin renders argv for hyperfine, which splits commands as a shell
// would.
func shellJoin(argv []string) string {
	parts := make([]string, len(argv))
	for i, a := range argv {
		if strings.ContainsAny(a, " '\"&|;<>*$") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		parts[i] = a
	}
	return strings.Join(parts, " ")
}
