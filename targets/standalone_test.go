package targets_test

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
	"github.com/pyrelease/pyrelease/targets/version"
	"github.com/pyrelease/pyrelease/targets/wheel"
)

// TestStandalone is the standalone program's journey on this machine's
// platform, released as pyrelease releases itself: in a repository laid
// out as this one (go.mod, LICENSE, magefiles/pyrelease with its
// pyproject.toml, tagged v1.2.3), `mage standalone`'s builder compiles
// magefiles/pyrelease and wraps it into a wheel and an archive in
// magefiles/pyrelease/dist/; then the program just built, taken out of its
// archive, runs its own targets there as any project's release job would:
// check, snapshot to a folder store, fetch back into an empty dist/, and
// release to a real index (Gitea). pip installs it back from there into a
// fresh venv with no other index, and the installed pyrelease, with no Go
// around, lists its targets and describes a git repository as git does.
// uvx and pipx run it from the index too. The other platforms' wheels are
// only compiled by `mage standalone`: cross-compiling them all is minutes
// of two cores.
func TestStandalone(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles pyrelease and installs it from a real index")
	}
	g := testenv.StartGitea(t)
	const python = "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		testenv.Missing(t, "Debian's python3 (with venv and pip): %v", err)
	}
	ctx := context.Background()
	module, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	root := standaloneRepository(t, module, "v1.2.3")
	const want = "1.2.3"
	project := filepath.Join(root, "magefiles", "pyrelease")
	distDir := filepath.Join(project, "dist")
	start := time.Now()
	cmd := exec.Command("go", "run", "./targets/internal/dev/binwheel/standalone", "-root", root, "-dist", distDir,
		"-platforms", runtime.GOOS+"/"+runtime.GOARCH)
	cmd.Dir = module
	var stderr strings.Builder
	cmd.Stderr = &stderr
	printed, err := cmd.Output()
	if err != nil {
		t.Fatalf("building the standalone program: %v\n%s%s", err, printed, stderr.String())
	}
	t.Logf("compiled and packed in %v", time.Since(start).Round(time.Second))

	whl, archived := standaloneArtifacts(t, ctx, root, distDir, want)
	if line := whl.File(distDir) + " " + strconv.FormatInt(whl.Size, 10) + " " + whl.SHA256 + "\n"; !strings.Contains(string(printed), line) {
		t.Errorf("the builder printed:\n%swant a line %q", printed, line)
	}
	info, err := wheel.Verify(ctx, whl.File(distDir), wheel.VerifyOptions{ForIndex: true, ExpectName: "pyrelease", ExpectVersion: want})
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	if info.SHA256 != whl.SHA256 {
		t.Errorf("the manifest says sha256 %s; the wheel's is %s", whl.SHA256, info.SHA256)
	}

	// The release job, run by the program itself.
	self := standaloneExtract(t, archived.File(distDir))
	u := g.User("standalone")
	env := append(standaloneEnv(), "PYRELEASE_STORE="+filepath.Join(t.TempDir(), "store"),
		"PYRELEASE_REPOSITORY="+u.UploadURL, "PYRELEASE_TOKEN="+u.Token, "PYRELEASE_VERIFY_TIMEOUT=60")
	if out := standaloneRun(t, project, env, self, "check", "dist/*"); !strings.Contains(out, "ok (wheel pyrelease "+want+")") {
		t.Errorf("pyrelease check of its own wheel: %s", out)
	}
	out := standaloneRun(t, project, env, self, "snapshot")
	for _, a := range []dist.Artifact{whl, archived} {
		if !strings.Contains(out, "snapshots/v"+want+"/"+a.Name+" publish "+strconv.FormatInt(a.Size, 10)+" "+a.SHA256) {
			t.Errorf("pyrelease snapshot did not publish %s:\n%s", a.Name, out)
		}
	}
	if err := os.RemoveAll(distDir); err != nil {
		t.Fatal(err)
	}
	out = standaloneRun(t, project, env, self, "fetch")
	for _, a := range []dist.Artifact{whl, archived} {
		if !strings.Contains(out, filepath.Join("dist", filepath.FromSlash(a.Path))+" fetched "+strconv.FormatInt(a.Size, 10)+" "+a.SHA256) {
			t.Errorf("pyrelease fetch did not fetch %s:\n%s", a.Name, out)
		}
	}
	out = standaloneRun(t, project, env, self, "release")
	if !strings.Contains(out, whl.Name+" uploaded "+whl.SHA256) || !strings.Contains(out, "serves pyrelease "+want+": 1 files, every sha256 checked") {
		t.Errorf("pyrelease release:\n%s", out)
	}
	if out := standaloneRun(t, project, env, self, "release"); !strings.Contains(out, whl.Name+" present "+whl.SHA256) {
		t.Errorf("pyrelease release, again:\n%s", out)
	}

	venv := filepath.Join(t.TempDir(), "venv")
	start = time.Now()
	standaloneRun(t, "", nil, python, "-m", "venv", "--without-pip", venv)
	// The host's pip installs into the venv (what the venv's own pip would
	// do, without the seconds of seeding one), from Gitea only.
	standaloneRun(t, "", standalonePipEnv(), python, "-m", "pip", "--python", filepath.Join(venv, "bin", "python"),
		"install", "--index-url", u.SimpleURL, "pyrelease=="+want)
	t.Logf("venv and pip install in %v", time.Since(start).Round(100*time.Millisecond))
	bin := filepath.Join(venv, "bin", "pyrelease")

	listed := standaloneRun(t, "", nil, bin, "-l")
	for _, target := range []string{"version", "describe", "bump", "wheel", "check", "bdist", "snapshot", "fetch", "release"} {
		if !slices.ContainsFunc(strings.Split(listed, "\n"), func(l string) bool { return strings.HasPrefix(strings.TrimSpace(l), target+" ") }) {
			t.Errorf("pyrelease -l does not list %s:\n%s", target, listed)
		}
	}
	if out := standaloneRun(t, project, nil, bin, "check", whl.File(distDir)); !strings.Contains(out, "ok (wheel pyrelease "+want+")") {
		t.Errorf("the installed pyrelease's check of its own wheel: %s", out)
	}

	fixture := standaloneFixture(t)
	gitSays := testenv.Git(t, fixture, "describe", "--tags", "--long")
	t.Logf("installed pyrelease %s from %s; git describe says %s", want, u.SimpleURL, gitSays)
	for _, args := range [][]string{{"describe"}, {"version", "-format=describe"}} {
		if got := strings.TrimSpace(standaloneRun(t, fixture, nil, bin, args...)); got != gitSays {
			t.Errorf("pyrelease %s = %q; git describe --tags --long = %q", strings.Join(args, " "), got, gitSays)
		}
	}
	if got := strings.TrimSpace(standaloneRun(t, fixture, nil, bin, "version")); got != "1.1.1.dev2" {
		t.Errorf("pyrelease version = %q; want 1.1.1.dev2 (two commits after v1.1.0)", got)
	}

	// pyrelease answers version itself, and hands every other command to
	// pyrelease-targets beside it: alone, it still answers version, and
	// names the program the rest needs.
	alone := filepath.Join(t.TempDir(), "pyrelease")
	if data, err := os.ReadFile(bin); err != nil {
		t.Fatal(err)
	} else if err := os.WriteFile(alone, data, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(standaloneRun(t, fixture, nil, alone, "version", "-format=describe")); got != gitSays {
		t.Errorf("pyrelease version -format=describe, without pyrelease-targets = %q; want %q", got, gitSays)
	}
	lone := exec.Command(alone, "describe")
	lone.Dir = fixture
	if out, err := lone.CombinedOutput(); err == nil || !strings.Contains(string(out), "pyrelease-targets, the program of every target, is not beside "+alone) {
		t.Errorf("pyrelease describe without pyrelease-targets: %v\n%s", err, out)
	}

	t.Run("uvx", func(t *testing.T) {
		uv := testenv.UV(t)
		tmp := t.TempDir()
		env := append(standalonePipEnv(), "UV_NO_CONFIG=1", "UV_PYTHON_DOWNLOADS=never",
			"UV_CACHE_DIR="+filepath.Join(tmp, "cache"), "UV_TOOL_DIR="+filepath.Join(tmp, "tools"))
		got := standaloneRun(t, fixture, env, uv, "tool", "run", "--python", python, "--index-url", u.SimpleURL,
			"--from", "pyrelease=="+want, "pyrelease", "describe")
		if strings.TrimSpace(got) != gitSays {
			t.Errorf("uvx pyrelease describe = %q; want %q", strings.TrimSpace(got), gitSays)
		}
	})
	t.Run("pipx", func(t *testing.T) {
		pipx := testenv.Pipx(t)
		tmp := t.TempDir()
		// pipx updates the pip of its shared venv from the index first:
		// the test index has no pip, .ci/run keeps its wheel beside pipx.
		wheels := filepath.Join(filepath.Dir(filepath.Dir(pipx)), "wheels")
		env := append(standalonePipEnv(), "PIP_FIND_LINKS="+wheels, "PIPX_HOME="+filepath.Join(tmp, "home"),
			"PIPX_BIN_DIR="+filepath.Join(tmp, "bin"), "PIPX_MAN_DIR="+filepath.Join(tmp, "man"), "PIPX_DEFAULT_PYTHON="+python)
		got := standaloneRun(t, fixture, env, pipx, "run", "--index-url", u.SimpleURL, "--spec", "pyrelease=="+want, "pyrelease", "describe")
		if strings.TrimSpace(got) != gitSays {
			t.Errorf("pipx run pyrelease describe = %q; want %q", strings.TrimSpace(got), gitSays)
		}
	})
}

// standaloneRepository makes a git repository laid out as this module for
// the standalone builder (go.mod, go.sum, LICENSE, targets linked to this
// tree's, magefiles/pyrelease copied), with one commit tagged tag.
func standaloneRepository(t *testing.T, module, tag string) string {
	t.Helper()
	root := t.TempDir()
	for _, name := range []string{"go.mod", "go.sum", "LICENSE", ".gitignore", "magefiles/pyrelease/magefile.go", "magefiles/pyrelease/pyproject.toml"} {
		data, err := os.ReadFile(filepath.Join(module, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(module, "targets"), filepath.Join(root, "targets")); err != nil {
		t.Fatal(err)
	}
	testenv.Git(t, root, "init", "-q", "-b", "main")
	testenv.Git(t, root, "add", "-A")
	testenv.Git(t, root, "commit", "-q", "-m", "Release "+strings.TrimPrefix(tag, "v"))
	testenv.Git(t, root, "tag", "-a", "-m", "Release "+strings.TrimPrefix(tag, "v"), tag)
	return root
}

// standaloneExtract writes the executables of a standalone archive
// (.tar.gz) into a temporary folder, and returns the path of pyrelease,
// the one users run.
func standaloneExtract(t *testing.T, path string) string {
	t.Helper()
	dir := t.TempDir()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var programs []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if h.Mode&0o111 == 0 || strings.Contains(h.Name, "/") {
			continue
		}
		programs = append(programs, h.Name)
		out, err := os.OpenFile(filepath.Join(dir, h.Name), os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, tr); err != nil {
			t.Fatal(err)
		}
		if err := out.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(programs, []string{"pyrelease", "pyrelease-targets"}) {
		t.Fatalf("%s holds the programs %q; want pyrelease and pyrelease-targets", path, programs)
	}
	return filepath.Join(dir, "pyrelease")
}

// standaloneEnv is this process's environment without what a CI job of
// this machine would add to a release's (GITHUB_OUTPUT, pip's settings).
func standaloneEnv() []string {
	return slices.DeleteFunc(standalonePipEnv(), func(kv string) bool { return strings.HasPrefix(kv, "GITHUB_OUTPUT=") })
}

// TestStandaloneCrossVet type-checks the standalone program's magefile,
// with its mage tag, for Windows and macOS, whose wheels only `mage
// standalone` compiles. It is cheap after TestCrossBuild, which vets the
// packages it imports for the same systems.
func TestStandaloneCrossVet(t *testing.T) {
	if testing.Short() {
		t.Skip("vets for two other systems")
	}
	for _, p := range []struct{ goos, goarch string }{{goos: "windows", goarch: "amd64"}, {goos: "darwin", goarch: "arm64"}} {
		cmd := exec.Command("go", "vet", "-tags", "mage", "./magefiles/pyrelease")
		cmd.Dir = ".."
		cmd.Env = append(os.Environ(), "GOOS="+p.goos, "GOARCH="+p.goarch, "CGO_ENABLED=0", "GOFLAGS=")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("GOOS=%s GOARCH=%s go vet -tags mage ./magefiles/pyrelease: %v\n%s", p.goos, p.goarch, err, out)
		}
	}
}

// standaloneArtifacts checks the manifest of one platform's build: a
// wheel and an archive of the repository's own version, the archive in
// SHA256SUMS, of version want (the repository's own). It returns the
// wheel and the archive.
func standaloneArtifacts(t *testing.T, ctx context.Context, root, distDir, want string) (whl, archived dist.Artifact) {
	t.Helper()
	d, err := version.Describe(ctx, version.Options{Dir: root, Dirty: true,
		Candidate: func(tag string) bool { return version.LooksLikeVersion(tag, "") }})
	if err != nil {
		t.Fatal(err)
	}
	v, err := version.Compute(d, version.SchemeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v.Version != want {
		t.Fatalf("the repository's version is %s, want %s", v.Version, want)
	}
	m, err := dist.Load(distDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range m.Artifacts {
		if err := a.Verify(distDir); err != nil {
			t.Error(err)
		}
		if a.Version != v.Version || a.Project != "pyrelease" || a.Commit != d.Commit {
			t.Errorf("%s: version %q, project %q, commit %s; want %q, pyrelease, %s", a.Name, a.Version, a.Project, a.Commit, v.Version, d.Commit)
		}
	}
	wheels := m.Artifacts.Filter(dist.ByKind(dist.KindWheel))
	archives := m.Artifacts.Filter(dist.ByKind(dist.KindArchive))
	if len(wheels) != 1 || len(archives) != 1 {
		t.Fatalf("manifest lists %v; want one wheel and one archive", m.Artifacts.Names())
	}
	sums, err := os.ReadFile(filepath.Join(distDir, dist.Sub, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	if line := archives[0].SHA256 + "  " + archives[0].Name + "\n"; string(sums) != line {
		t.Errorf("SHA256SUMS:\n%swant:\n%s", sums, line)
	}
	return wheels[0], archives[0]
}

// standaloneFixture is a project in a git repository with a lightweight
// and an annotated tag, HEAD two commits after the second.
func standaloneFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	testenv.Git(t, dir, "init", "-q", "-b", "main")
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("pyproject.toml", "[project]\nname = \"fixture\"\ndynamic = [\"version\"]\n")
	testenv.Git(t, dir, "add", ".")
	testenv.Git(t, dir, "commit", "-q", "-m", "start")
	testenv.Git(t, dir, "tag", "v1.0.0")
	for i, msg := range []string{"one", "two", "three"} {
		write("NEWS", msg+"\n")
		testenv.Git(t, dir, "add", "NEWS")
		testenv.Git(t, dir, "commit", "-q", "-m", msg)
		if i == 0 {
			testenv.Git(t, dir, "tag", "-a", "-m", "Release 1.1.0", "v1.1.0")
		}
	}
	return dir
}

// standalonePipEnv is the environment without any of this machine's pip
// settings: only the index a command names is used.
func standalonePipEnv() []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "PIP_") || strings.HasPrefix(kv, "UV_")
	})
	return append(env, "PIP_CONFIG_FILE=/dev/null", "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_CACHE_DIR=1")
}

// standaloneRun runs a command in dir (env nil: this process's, without
// GITHUB_OUTPUT) and returns its stdout; a failure fails the test.
func standaloneRun(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	if env == nil {
		env = slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "GITHUB_OUTPUT=") })
	}
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, stderr.String())
	}
	return string(out)
}
