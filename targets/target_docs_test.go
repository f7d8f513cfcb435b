package targets_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets"
	"github.com/pyrelease/pyrelease/targets/internal/dev/servers"
	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// docsFixture is a documentation project of testdata/docs and what its
// built front page shows of version v.
type docsFixture struct {
	dir  string
	file string // its version file
	want func(v string) []string
}

// docsTestdata is the fixtures' folder, absolute: the tests change
// directory into the projects they build.
var docsTestdata, _ = filepath.Abs(filepath.Join("testdata", "docs"))

var docsFixtures = map[string]docsFixture{
	"sphinx": {dir: "sphinxproj", file: "src/sphinxproj/version.py", want: func(v string) []string {
		// The release from the stamped version file, the title from the environment.
		return []string{"Release " + v + ".", "sphinxproj " + v}
	}},
	"mkdocs": {dir: "mkdocsproj", file: "src/mkdocsproj/version.py", want: func(v string) []string {
		return []string{"<title>" + v + "</title>"}
	}},
}

// docsPython is the interpreter with Sphinx and MkDocs that .ci/run
// installs ($PYRELEASE_DOCS_PYTHON, else its cached venv).
func docsPython(t *testing.T) string {
	t.Helper()
	py, err := servers.Tool("PYRELEASE_DOCS_PYTHON", "docstools-*/bin/python")
	if err != nil {
		testenv.Missing(t, "no Python with sphinx and mkdocs: %v", err)
	}
	return py
}

// buildDocsAt copies the fixture into a fresh repository, commits it,
// tags it (unless tag is ""), runs the docs target in it with storeURL as
// the snapshot store and returns what it printed. The version file must
// come back byte for byte.
func buildDocsAt(t *testing.T, f docsFixture, tag, storeURL string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), f.dir)
	if err := copyDir(filepath.Join(docsTestdata, f.dir), dir); err != nil {
		t.Fatal(err)
	}
	testenv.Git(t, dir, "init", "-q", "-b", "main")
	testenv.Git(t, dir, "add", "-A")
	testenv.Git(t, dir, "commit", "-q", "-m", "Docs")
	if tag != "" {
		testenv.Git(t, dir, "tag", "-a", tag, "-m", "Release "+tag)
	}
	before, err := os.ReadFile(filepath.Join(dir, f.file))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	t.Setenv("PYRELEASE_STORE", storeURL)
	noCIService(t)
	out, err := captureStdout(t, func() error { return targets.Docs(context.Background(), nil, nil) })
	if err != nil {
		t.Fatalf("docs at %q: %v", tag, err)
	}
	after, err := os.ReadFile(filepath.Join(dir, f.file))
	if err != nil || string(after) != string(before) {
		t.Fatalf("%s after the build: %q, %v; want it restored to %q", f.file, after, err, before)
	}
	return out
}

// noCIService makes the version and branch come from the repository, not
// from a CI service the tests may run under.
func noCIService(t *testing.T) {
	for _, k := range []string{"GITHUB_ACTIONS", "GITLAB_CI", "TRAVIS", "APPVEYOR", "TF_BUILD", "CIRCLECI", "BUILDKITE", "JENKINS_URL"} {
		t.Setenv(k, "")
	}
}

// checkPage fetches base+key over HTTP and looks for want in it.
func checkPage(t *testing.T, base, key string, want []string) {
	t.Helper()
	resp, err := http.Get(base + key)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", key, resp.Status)
	}
	for _, w := range want {
		if !strings.Contains(string(body), w) {
			t.Errorf("%s does not show %q", key, w)
		}
	}
}

// runDocsJourney publishes 1.0.0, then 1.1.0 (which takes docs/latest/),
// then 0.9.1 (which does not), then a branch build, to the store at
// storeURL, whose files are read over HTTP at base.
func runDocsJourney(t *testing.T, f docsFixture, storeURL, base string) {
	out := buildDocsAt(t, f, "v1.0.0", storeURL)
	for _, w := range []string{"docs/v1.0.0/ docs", "docs/latest/ docs"} {
		if !strings.Contains(out, w) {
			t.Errorf("docs printed %q; want a line with %q", out, w)
		}
	}
	checkPage(t, base, "docs/v1.0.0/index.html", f.want("1.0.0"))
	checkPage(t, base, "docs/latest/index.html", f.want("1.0.0"))

	buildDocsAt(t, f, "v1.1.0", storeURL)
	checkPage(t, base, "docs/latest/index.html", f.want("1.1.0"))
	checkPage(t, base, "docs/v1.0.0/index.html", f.want("1.0.0"))

	out = buildDocsAt(t, f, "v0.9.1", storeURL)
	if strings.Contains(out, "latest") {
		t.Errorf("an older release moved docs/latest/: %q", out)
	}
	checkPage(t, base, "docs/latest/index.html", f.want("1.1.0"))
	checkPage(t, base, "docs/v0.9.1/index.html", f.want("0.9.1"))

	out = buildDocsAt(t, f, "", storeURL)
	if !strings.Contains(out, "docs/main/ docs") {
		t.Errorf("a branch build printed %q; want docs/main/", out)
	}
	checkPage(t, base, "docs/main/index.html", nil)
}

func TestDocsFolderStore(t *testing.T) {
	testenv.Require(t, "git")
	t.Setenv("PYRELEASE_PYTHON", docsPython(t))
	for name, f := range docsFixtures {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			srv := httptest.NewServer(http.FileServer(http.Dir(root)))
			defer srv.Close()
			runDocsJourney(t, f, root, srv.URL+"/")
		})
	}
}

func TestDocsMinIO(t *testing.T) {
	testenv.Require(t, "git")
	t.Setenv("PYRELEASE_PYTHON", docsPython(t))
	if _, err := servers.Binary("PYRELEASE_MINIO", "minio"); err != nil && !testenv.InCI() {
		t.Skip(err)
	}
	minio := testenv.StartMinIO(t)
	minio.MakeBucket("site", true)
	minio.SetEnv(t)
	for name, f := range docsFixtures {
		t.Run(name, func(t *testing.T) {
			storeURL := "s3://site/" + name + "?endpoint=" + minio.Endpoint
			runDocsJourney(t, f, storeURL, minio.Endpoint+"/site/"+name+"/")
		})
	}
}

func TestDocsMissingTool(t *testing.T) {
	testenv.Require(t, "git")
	// The Python on PATH has neither tool; pyenv's may have one, so the
	// message is checked only when the import fails.
	t.Setenv("PYRELEASE_PYTHON", "/usr/bin/python3")
	dir := filepath.Join(t.TempDir(), "p")
	if err := copyDir(filepath.Join(docsTestdata, "mkdocsproj"), dir); err != nil {
		t.Fatal(err)
	}
	testenv.Git(t, dir, "init", "-q", "-b", "main")
	testenv.Git(t, dir, "add", "-A")
	testenv.Git(t, dir, "commit", "-q", "-m", "Docs")
	t.Chdir(dir)
	noCIService(t)
	f := false
	_, err := captureStdout(t, func() error { return targets.Docs(context.Background(), &f, nil) })
	if err == nil {
		t.Skip("/usr/bin/python3 has mkdocs")
	}
	if !strings.Contains(err.Error(), "pip install mkdocs") {
		t.Fatalf("err = %v; want it to say pip install mkdocs", err)
	}
}

// An interrupted build puts the version file back and leaves no staging
// folder, nor the one of a build killed before it: the "python" here
// passes the import check, notes whether the file was stamped and waits
// to be cancelled.
func TestDocsInterruptedRestores(t *testing.T) {
	testenv.Require(t, "git")
	testenv.Require(t, "sh")
	tmp := t.TempDir()
	mark := filepath.Join(tmp, "mark")
	py := filepath.Join(tmp, "python")
	script := "#!/bin/sh\n[ \"$1\" = -c ] && exit 0\n" +
		"grep -q '\"2.0.0\"' src/mkdocsproj/version.py && echo stamped >" + mark + ".tmp && mv " + mark + ".tmp " + mark + "\n" +
		"exec sleep 30\n"
	if err := os.WriteFile(py, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PYRELEASE_PYTHON", py)
	f := docsFixtures["mkdocs"]
	dir := filepath.Join(t.TempDir(), f.dir)
	if err := copyDir(filepath.Join(docsTestdata, f.dir), dir); err != nil {
		t.Fatal(err)
	}
	testenv.Git(t, dir, "init", "-q", "-b", "main")
	testenv.Git(t, dir, "add", "-A")
	testenv.Git(t, dir, "commit", "-q", "-m", "Docs")
	testenv.Git(t, dir, "tag", "-a", "v2.0.0", "-m", "Release 2.0.0")
	before, err := os.ReadFile(filepath.Join(dir, f.file))
	if err != nil {
		t.Fatal(err)
	}
	// The staging folder of a docs build killed before this one: its
	// creator's pid is in its name, and that process is gone.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	killed := filepath.Join(dir, "dist", fmt.Sprintf(".docs-%d-123", dead.Process.Pid))
	if err := os.MkdirAll(filepath.Join(killed, "html"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	noCIService(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			if _, err := os.Stat(mark); err == nil {
				cancel()
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	noPublish := false
	_, err = captureStdout(t, func() error { return targets.Docs(ctx, &noPublish, nil) })
	if err == nil {
		t.Fatal("an interrupted docs build succeeded")
	}
	if _, serr := os.Stat(mark); serr != nil {
		t.Fatalf("the build never saw the version file stamped (docs: %v)", err)
	}
	after, rerr := os.ReadFile(filepath.Join(dir, f.file))
	if rerr != nil || string(after) != string(before) {
		t.Fatalf("%s after an interrupted build: %q, %v; want %q", f.file, after, rerr, before)
	}
	// Neither the killed build's staging folder nor this one's is left.
	if left, _ := filepath.Glob(filepath.Join(dir, "dist", ".docs-*")); len(left) > 0 {
		t.Errorf("staging folders left in dist/: %v", left)
	}
}
