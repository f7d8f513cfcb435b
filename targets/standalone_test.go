package targets_test

import (
	"context"
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
	"github.com/pyrelease/pyrelease/targets/pypi"
	"github.com/pyrelease/pyrelease/targets/version"
	"github.com/pyrelease/pyrelease/targets/wheel"
)

// TestStandalone is the standalone program's journey on this machine's
// platform: `mage standalone`'s builder compiles magefiles/pyrelease and
// wraps it into a wheel and an archive, the wheel passes check, goes to a
// real index (Gitea), pip installs it back from there into a fresh venv
// with no other index, and the installed pyrelease, with no Go around,
// lists its targets and describes a git repository as git does. uvx runs
// it from the index too. The other platforms' wheels are only compiled by
// `mage standalone`: cross-compiling them all is minutes of two cores.
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
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	distDir := t.TempDir()
	start := time.Now()
	cmd := exec.Command("go", "run", "./targets/internal/dev/binwheel/standalone", "-dist", distDir,
		"-platforms", runtime.GOOS+"/"+runtime.GOARCH)
	cmd.Dir = root
	var stderr strings.Builder
	cmd.Stderr = &stderr
	printed, err := cmd.Output()
	if err != nil {
		t.Fatalf("building the standalone program: %v\n%s%s", err, printed, stderr.String())
	}
	t.Logf("compiled and packed in %v", time.Since(start).Round(time.Second))

	whl, want := standaloneArtifacts(t, ctx, root, distDir)
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

	u := g.User("standalone")
	repo := pypi.Repository{Name: u.Name, UploadURL: u.UploadURL, IndexURL: u.SimpleURL, Username: u.Name, Password: u.Token}
	f, err := pypi.ReadFile(whl.File(distDir))
	if err != nil {
		t.Fatal(err)
	}
	c := &pypi.Client{}
	if _, err := c.Upload(ctx, repo, f); err != nil {
		t.Fatal(err)
	}
	if err := c.Verify(ctx, repo, "pyrelease", []pypi.File{f}, 30*time.Second, 200*time.Millisecond); err != nil {
		t.Fatal(err)
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
	if out := standaloneRun(t, root, nil, bin, "check", whl.File(distDir)); !strings.Contains(out, "ok (wheel pyrelease "+want+")") {
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
// SHA256SUMS. It returns the wheel and that version.
func standaloneArtifacts(t *testing.T, ctx context.Context, root, distDir string) (dist.Artifact, string) {
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
	return wheels[0], v.Version
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
