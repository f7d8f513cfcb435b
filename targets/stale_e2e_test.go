package targets_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// TestHashFastStaleMagefileRefused is the fast form of the README against
// an update of pyrelease: a project requires pyrelease v0.0.1 from a
// module proxy (a folder, holding this tree as v0.0.1 and v0.0.2), its
// magefile runs with MAGEFILE_HASHFAST=1, then `go get` moves go.mod to
// v0.0.2. Mage reuses the binary it compiled for v0.0.1 (the magefiles did
// not change), and the targets refuse to run as the old version, saying
// to rebuild; `go tool mage -f` does, and runs.
func TestHashFastStaleMagefileRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles a magefile twice")
	}
	goBin := testenv.Require(t, "go")
	testenv.Require(t, "git")
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	proxy := filepath.Join(work, "proxy")
	for _, v := range []string{"v0.0.1", "v0.0.2"} {
		proxyModule(t, proxy, root, v)
	}
	proj := filepath.Join(work, "greet")
	if err := copyProject(filepath.Join(root, "examples"), proj); err != nil {
		t.Fatal(err)
	}
	if err := copyDir(filepath.Join(root, "examples", "magefiles"), filepath.Join(proj, "magefiles")); err != nil {
		t.Fatal(err)
	}
	goEnv := map[string]string{}
	for _, k := range []string{"GOMODCACHE", "GOCACHE", "GOPATH", "GOPROXY"} {
		out, err := exec.Command(goBin, "env", k).Output()
		if err != nil {
			t.Fatal(err)
		}
		goEnv[k] = strings.TrimSpace(string(out))
	}
	// A module cache of its own, so that the two made-up versions never
	// reach the machine's; modules come from the folder, then from the
	// machine's module cache, then as the machine gets them.
	env := append(testenv.GitEnv(), "GOCACHE="+goEnv["GOCACHE"], "GOPATH="+goEnv["GOPATH"],
		"GOMODCACHE="+filepath.Join(work, "modcache"),
		"GOPROXY=file://"+filepath.ToSlash(proxy)+",file://"+filepath.ToSlash(filepath.Join(goEnv["GOMODCACHE"], "cache", "download"))+","+goEnv["GOPROXY"],
		"HOME="+filepath.Join(work, "home"), "GOFLAGS=-mod=mod -modcacherw -trimpath", "GOSUMDB=off", "GOTOOLCHAIN=local",
		"MAGEFILE_HASHFAST=1", "MAGEFILE_CACHE="+filepath.Join(work, "magecache"))
	mageVersion := "v1.17.2"
	sh := func(fail bool, line string) string {
		t.Helper()
		cmd := exec.Command("sh", "-c", line)
		cmd.Dir, cmd.Env = proj, env
		out, err := cmd.CombinedOutput()
		if (err != nil) != fail {
			t.Fatalf("%s: %v, want failure %v\n%s", line, err, fail, out)
		}
		return string(out)
	}
	sh(false, "go mod init example.com/greet/build && go get -tool github.com/magefile/mage@"+mageVersion+
		" && go get github.com/pyrelease/pyrelease@v0.0.1 && go mod tidy")
	gitInit(t, proj, env)
	sh(false, "git tag v0.1.0")
	if out := sh(false, "go tool mage version"); !strings.Contains(out, "0.1.0") {
		t.Fatalf("mage version printed %q", out)
	}
	sh(false, "go get github.com/pyrelease/pyrelease@v0.0.2 && git commit -qam 'pyrelease v0.0.2'")
	out := sh(true, "go tool mage version")
	for _, want := range []string{"built with github.com/pyrelease/pyrelease v0.0.1", "requires v0.0.2", "go tool mage -f"} {
		if !strings.Contains(out, want) {
			t.Errorf("the stale magefile's refusal lacks %q:\n%s", want, out)
		}
	}
	if out := sh(false, "go tool mage -f version"); !strings.Contains(out, "0.1.1.dev1") {
		t.Errorf("mage -f version printed %q, want 0.1.1.dev1", out)
	}
	if out := sh(false, "go tool mage version"); !strings.Contains(out, "0.1.1.dev1") {
		t.Errorf("after mage -f, mage version printed %q, want 0.1.1.dev1", out)
	}
}

// proxyModule writes this tree as module version v into a GOPROXY folder.
func proxyModule(t *testing.T, proxy, root, v string) {
	t.Helper()
	const path = "github.com/pyrelease/pyrelease"
	dir := filepath.Join(proxy, path, "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(dir, v+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := zip.CreateFromDir(f, module.Version{Path: path, Version: v}, root); err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, v+".mod"), gomod, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, v+".info"), []byte(`{"Version":"`+v+`","Time":"2026-12-01T00:00:00Z"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	list, _ := os.ReadFile(filepath.Join(dir, "list"))
	if err := os.WriteFile(filepath.Join(dir, "list"), append(list, v+"\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
}
