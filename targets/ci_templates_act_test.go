package targets_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/archive"
	"github.com/pyrelease/pyrelease/targets/internal/dev/servers"
	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// actVersion is the nektos/act the GitHub template runs under. It runs jobs
// on this machine (-P ubuntu-latest=-self-hosted), without Docker.
const actVersion = "v0.2.89"

// TestGitHubWorkflowRuns runs the GitHub Actions template with act, job by
// job as GitHub would (expressions, needs, outputs, matrix, if:), on
// fixture projects committed with it as a user would commit it. The
// actions it uses are replaced by stand-ins in testdata/ci/actions that do
// their work here: checkout clones the fixture, setup-go and setup-python
// put the machine's go and Debian's python3 on PATH, upload-artifact and
// download-artifact copy to and from a folder. Secrets point the snapshot
// store at a folder and the release at a real Gitea (with a token: PyPI's
// trusted publishing needs GitHub's identity token); pip finds the build
// requirements and dependencies on the local test index. The same Gitea is
// the forge of forgerelease, through the variables that name another forge
// than GitHub's (PYRELEASE_FORGE_*), with the job's GITHUB_TOKEN being a
// Gitea token of the fixture's repository there. The docs job's Python is
// the one with Sphinx and MkDocs ($PYRELEASE_DOCS_PYTHON), as on a runner
// that has them. The tools fixture freezes with zipapp, which keeps each
// case short; PyInstaller builds are tested by TestBdistPyInstaller.
func TestGitHubWorkflowRuns(t *testing.T) {
	act := actBinary(t)
	testenv.Require(t, "git")
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		testenv.Missing(t, "Debian's /usr/bin/python3 (with pip and venv): %v", err)
	}
	mage := compileExample(t)
	docsPy := docsPython(t)
	index := testenv.StartIndex(t)
	gitea := testenv.StartGitea(t)
	stubs, err := filepath.Abs(filepath.Join("testdata", "ci", "actions"))
	if err != nil {
		t.Fatal(err)
	}
	fixtures, err := filepath.Abs(filepath.Join("testdata", "projects"))
	if err != nil {
		t.Fatal(err)
	}
	platform := archive.Platform(runtime.GOOS, runtime.GOARCH)
	for i, tc := range []struct {
		name     string
		fixture  string
		pyproj   func(string) string // edits pyproject.toml; nil leaves it
		files    map[string]string   // files added to the fixture
		tag      string              // pushed tag; "" pushes the branch
		event    string              // "push" or "pull_request"
		jobs     []string            // jobs that must have run (matrix entries by job id)
		notJobs  []string            // jobs that must not have run
		output   string              // a regexp the jobs' output must match
		store    []string            // files the snapshot store must hold (globs)
		noStore  bool                // the store must stay empty
		released []string            // files the release must have uploaded
		// forge is the release forgerelease must have made on the Gitea
		// forge; nil: the repository there must have none.
		forge *forgeRelease
	}{
		{
			name: "library with docs, release tag in the project's style", fixture: "library",
			pyproj: func(s string) string {
				return strings.Replace(s, "[tool.pyrelease]\n", "[tool.pyrelease]\ntag-pattern = \"release-*\"\n", 1)
			},
			files: map[string]string{
				"CHANGELOG.md":  "# Changelog\n\n## [0.1.0] - 2026-11-02\n\n- Records compare by value.\n",
				"mkdocs.yml":    "site_name: recordkit\n",
				"docs/index.md": "# recordkit\n\nSmall immutable records.\n",
			},
			tag: "release-0.1.0", event: "push",
			jobs: []string{"build", "docs", "release"}, notJobs: []string{"bdist"},
			output: `nothing to freeze: no console scripts`,
			store: []string{"snapshots/v0.1.0/recordkit-0.1.0-py3-none-any.whl", "snapshots/v0.1.0/recordkit-0.1.0.tar.gz",
				"docs/v0.1.0/index.html", "docs/latest/index.html"},
			released: []string{"recordkit-0.1.0-py3-none-any.whl", "recordkit-0.1.0.tar.gz"},
			// A library has no archives or installers: a release without assets.
			forge: &forgeRelease{tag: "release-0.1.0", title: "recordkit 0.1.0", notes: "- Records compare by value."},
		},
		{
			name: "tools, bare version tag", fixture: "setuppy", tag: "0.1.0", event: "push",
			jobs: []string{"build", "bdist", "release"}, notJobs: []string{"docs"},
			output:   `(?m)^\[release/build\]\s+\| oldstyle-tool zipapp$`,
			store:    []string{"snapshots/v0.1.0/oldstyle_tool-0.1.0-py3-none-any.whl", "snapshots/v0.1.0/oldstyle-tool-0.1.0-" + platform + ".tar.gz"},
			released: []string{"oldstyle_tool-0.1.0-py3-none-any.whl"},
			forge: &forgeRelease{tag: "0.1.0", title: "oldstyle-tool 0.1.0", notes: "- Initial release.",
				assets: []string{"SHA256SUMS", "oldstyle-tool-0.1.0-" + platform + ".tar.gz"}},
		},
		{
			name: "tools, a tag that is not a release tag", fixture: "setuppy", tag: "nightly", event: "push",
			jobs: []string{"build"}, notJobs: []string{"bdist", "docs", "release"}, noStore: true,
		},
		{
			name: "library, branch push", fixture: "library", event: "push",
			jobs: []string{"build"}, notJobs: []string{"bdist", "docs", "release"},
			store: []string{"branches/main/recordkit-0.1.dev*-py3-none-any.whl"},
		},
		{
			name: "library with docs, branch push", fixture: "library", event: "push",
			files: map[string]string{"mkdocs.yml": "site_name: recordkit\n", "docs/index.md": "# recordkit\n"},
			jobs:  []string{"build", "docs"}, notJobs: []string{"bdist", "release"},
			store: []string{"branches/main/recordkit-0.1.dev*-py3-none-any.whl", "docs/main/index.html"},
		},
		{
			name: "tools, pull request", fixture: "setuppy", event: "pull_request",
			files: map[string]string{"mkdocs.yml": "site_name: oldstyle\n", "docs/index.md": "# oldstyle\n"},
			jobs:  []string{"build", "bdist"}, notJobs: []string{"docs", "release"}, noStore: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			work, origin := templateProject(t, filepath.Join(fixtures, tc.fixture), tc.pyproj, tc.files, tc.tag)
			user := gitea.User(fmt.Sprintf("ghact%d", i))
			repo := user.Name + "/" + tc.fixture
			forgeToken := giteaForge(t, gitea, user, tc.fixture, origin)
			store := filepath.Join(work, "store")
			r := runAct(t, actRun{
				act: act, mage: mage, stubs: stubs, repo: origin, work: work, event: tc.event, tag: tc.tag,
				env:        index.Env(cleanEnv()),
				docsPython: docsPy,
				vars: map[string]string{
					"PYRELEASE_FORGE_KIND":       "gitea",
					"PYRELEASE_FORGE_URL":        gitea.URL + "api/v1",
					"PYRELEASE_FORGE_REPOSITORY": repo,
				},
				secrets: map[string]string{
					"PYRELEASE_STORE":      store,
					"PYRELEASE_REPOSITORY": user.UploadURL,
					"PYRELEASE_TOKEN":      user.Token,
					"GITHUB_TOKEN":         forgeToken,
				},
			})
			if r.err != nil {
				t.Fatalf("act: %v\n%s", r.err, r.log)
			}
			for _, j := range tc.jobs {
				if !r.ran(j) {
					t.Errorf("job %s did not run\n%s", j, r.log)
				}
			}
			for _, j := range tc.notJobs {
				if r.ran(j) {
					t.Errorf("job %s ran, want it skipped\n%s", j, r.log)
				}
			}
			if tc.output != "" && !regexp.MustCompile(tc.output).MatchString(r.log) {
				t.Errorf("the jobs' output does not match %s\n%s", tc.output, r.log)
			}
			for _, g := range tc.store {
				if m, _ := filepath.Glob(filepath.Join(store, g)); len(m) == 0 {
					t.Errorf("the snapshot store has no %s; it has:\n%s\n%s", g, listFiles(store), r.log)
				}
			}
			if tc.noStore && listFiles(store) != "" {
				t.Errorf("the snapshot store should be empty, it has:\n%s", listFiles(store))
			}
			for _, f := range tc.released {
				if !regexp.MustCompile(`(?m)^.*\| ` + regexp.QuoteMeta(f) + ` uploaded [0-9a-f]{64}$`).MatchString(r.log) {
					t.Errorf("the release did not upload %s\n%s", f, r.log)
				}
			}
			checkForgeRelease(t, gitea, repo, forgeToken, tc.forge, r.log)
			if strings.Contains(r.log, user.Token) || strings.Contains(r.log, forgeToken) {
				t.Errorf("a token reached the log")
			}
			t.Logf("%s: %s; what the jobs printed:\n%s", tc.name, time.Since(start).Round(time.Second), r.summary())
		})
	}
}

// templateProject is a fixture as a user's repository that runs a CI
// template: in work/origin, with what userRepo adds, pyproj's change to
// pyproject.toml, the files added, and an annotated tag when tag is set.
func templateProject(t *testing.T, fixture string, pyproj func(string) string, files map[string]string, tag string) (work, origin string) {
	t.Helper()
	work = t.TempDir()
	origin = filepath.Join(work, "origin")
	if err := gitProject(fixture, origin); err != nil {
		t.Fatal(err)
	}
	userRepo(t, origin, pyproj, files)
	if tag != "" {
		testenv.Git(t, origin, "tag", "-a", "-m", "Release", tag)
	}
	return work, origin
}

// userRepo adds what a user commits to release with pyrelease (go.mod,
// magefiles/ and the template as .github/workflows/release.yml) to the
// fixture repository, edits its pyproject.toml, adds extra, and commits.
func userRepo(t *testing.T, dir string, pyproj func(string) string, extra map[string]string) {
	t.Helper()
	workflow, err := os.ReadFile(filepath.Join("..", filepath.FromSlash(githubWorkflow)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"go.mod":                        "module example.com/project/build\n\ngo 1.26.0\n\ntool github.com/magefile/mage\n",
		"magefiles/magefile.go":         "//go:build mage\n\npackage main\n\nimport (\n\t//mage:import\n\t_ \"github.com/pyrelease/pyrelease/targets\"\n)\n",
		".github/workflows/release.yml": string(workflow),
	}
	for name, content := range extra {
		files[name] = content
	}
	if pyproj != nil {
		data, err := os.ReadFile(filepath.Join(dir, "pyproject.toml"))
		if err != nil {
			t.Fatal(err)
		}
		files["pyproject.toml"] = pyproj(string(data))
	}
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	testenv.Git(t, dir, "add", "-A")
	if _, err := testenv.GitE(dir, []string{"GIT_AUTHOR_DATE=2026-11-02T12:00:00Z", "GIT_COMMITTER_DATE=2026-11-02T12:00:00Z"}, "commit", "-q", "-m", "Release with pyrelease"); err != nil {
		t.Fatal(err)
	}
}

// actRun is one run of the template by act.
type actRun struct {
	act, mage, stubs string
	repo             string // the fixture repository: act's event comes from its HEAD
	work             string // scratch space
	event            string // push or pull_request
	tag              string // the pushed tag; "" for a branch
	env              []string
	// vars are the repository's variables, in every job's environment
	// (act --env), as a workflow's env would put them.
	vars    map[string]string
	secrets map[string]string
	// docsPython is the interpreter the docs job's setup-python gives:
	// one with Sphinx and MkDocs.
	docsPython string
}

type actResult struct {
	log string
	err error
}

// ran reports whether job (a job id; matrix entries count) ran a step.
func (r actResult) ran(job string) bool {
	return regexp.MustCompile(`(?m)^\[release/` + regexp.QuoteMeta(job) + `(-\d+)?\s*\] .*Run Main`).MatchString(r.log)
}

// summary keeps the lines of the log a reader wants: each step that ran,
// what it printed, and each job's result.
func (r actResult) summary() string {
	var keep []string
	for l := range strings.SplitSeq(r.log, "\n") {
		if strings.Contains(l, "] ⭐ Run Main ") || strings.Contains(l, "]   | ") || strings.Contains(l, "🏁") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// runAct runs the workflow of o.repo for one event with act, on this
// machine, with the stand-in actions, and only the Linux entry of build
// matrices (the others need their own machines).
func runAct(t *testing.T, o actRun) actResult {
	t.Helper()
	bin := filepath.Join(o.work, "bin")
	pybin := filepath.Join(o.work, "python-bin")
	for _, d := range []string{bin, pybin, filepath.Join(o.work, "artifacts"), filepath.Join(o.work, "home")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	realGo, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	shim := fmt.Sprintf("#!/bin/sh\nif [ \"$1\" = tool ] && [ \"$2\" = mage ]; then\n\tshift 2\n\texec %q \"$@\"\nfi\nexec %q \"$@\"\n", o.mage, realGo)
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte(shim), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"python", "python3"} {
		if err := os.Symlink("/usr/bin/python3", filepath.Join(pybin, name)); err != nil {
			t.Fatal(err)
		}
	}
	// A venv's interpreter finds its packages from where it was called,
	// so the docs Python is a script that runs it, not a link.
	docsBin := filepath.Join(o.work, "docs-python-bin")
	if o.docsPython != "" {
		if err := os.MkdirAll(docsBin, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"python", "python3"} {
			if err := os.WriteFile(filepath.Join(docsBin, name), []byte(fmt.Sprintf("#!/bin/sh\nexec %q \"$@\"\n", o.docsPython)), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	ref := "refs/heads/main"
	if o.tag != "" {
		ref = "refs/tags/" + o.tag
	}
	event := map[string]any{"ref": ref}
	if o.event == "pull_request" {
		event = map[string]any{"number": 7, "pull_request": map[string]any{
			"number": 7, "head": map[string]any{"ref": "feature"}, "base": map[string]any{"ref": "main"}}}
	}
	eventFile := filepath.Join(o.work, "event.json")
	data, _ := json.Marshal(event)
	if err := os.WriteFile(eventFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{o.event, "-e", eventFile, "-W", filepath.Join(".github", "workflows", "release.yml"),
		"-P", "ubuntu-latest=-self-hosted", "--matrix", "os:ubuntu-latest",
		"--no-skip-checkout", "--no-cache-server", "--action-cache-path", filepath.Join(o.work, "act-cache")}
	for _, a := range []string{"checkout@v4", "setup-go@v5", "setup-python@v5", "upload-artifact@v4", "download-artifact@v4"} {
		name, _, _ := strings.Cut(a, "@")
		args = append(args, "--local-repository", "actions/"+a+"="+filepath.Join(o.stubs, name))
	}
	// Secrets go in a file: in act's environment they would reach every
	// step, and hide a step that forgets to map one into its env.
	var secrets strings.Builder
	for k, v := range o.secrets {
		fmt.Fprintf(&secrets, "%s=%s\n", k, v)
	}
	secretFile := filepath.Join(o.work, "secrets.env")
	if err := os.WriteFile(secretFile, []byte(secrets.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	args = append(args, "--secret-file", secretFile)
	for k, v := range o.vars {
		args = append(args, "--env", k+"="+v)
	}
	env := append([]string{}, o.env...)
	env = append(env,
		"HOME="+filepath.Join(o.work, "home"),
		"STANDIN_ORIGIN="+o.repo,
		"STANDIN_BIN="+bin,
		"STANDIN_PYTHON_BIN="+pybin,
		"STANDIN_ARTIFACTS="+filepath.Join(o.work, "artifacts"),
	)
	if o.docsPython != "" {
		env = append(env, "STANDIN_DOCS_PYTHON_BIN="+docsBin)
	}
	cmd := exec.CommandContext(t.Context(), o.act, args...)
	cmd.Dir = o.repo
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	return actResult{log: out.String(), err: err}
}

// cleanEnv is the test's environment without what would change a job's
// behaviour: pip and pyrelease settings, and CI variables of the machine
// the test itself runs in.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "PYRELEASE_"), strings.HasPrefix(k, "GITHUB_"), strings.HasPrefix(k, "RUNNER_"),
			strings.HasPrefix(k, "ACTIONS_"), strings.HasPrefix(k, "CI_"), strings.HasPrefix(k, "GITLAB_"),
			strings.HasPrefix(k, "AWS_"), k == "CI", k == "HOME":
			continue
		}
		env = append(env, kv)
	}
	return env
}

// listFiles lists the regular files under dir, relative, one per line.
func listFiles(dir string) string {
	var files []string
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	return strings.Join(files, "\n")
}

var (
	actOnce sync.Once
	actPath string
	actErr  error
)

// actBinary finds act ($PYRELEASE_ACT, on PATH, or in the cache of .ci/run)
// and otherwise builds the pinned version into that cache, once: it is a
// Go module, so the module proxy is all it needs.
func actBinary(t *testing.T) string {
	t.Helper()
	actOnce.Do(func() {
		if p, err := servers.Binary("PYRELEASE_ACT", "act"); err == nil {
			actPath = p
			return
		}
		cache := servers.CacheDir()
		if cache == "" {
			actErr = fmt.Errorf("act not found and no cache directory to build it into")
			return
		}
		dir := filepath.Join(cache, "act-"+actVersion)
		cmd := exec.Command("go", "install", "github.com/nektos/act@"+actVersion)
		cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=-trimpath")
		if out, err := cmd.CombinedOutput(); err != nil {
			actErr = fmt.Errorf("building act %s into %s: %v\n%s", actVersion, dir, err, out)
			return
		}
		actPath = filepath.Join(dir, "act")
	})
	if actErr != nil {
		testenv.Missing(t, "%v", actErr)
	}
	return actPath
}

// forgeRelease is a release forgerelease must have made: the tag, title
// and notes, and the names of its assets, sorted.
type forgeRelease struct {
	tag, title, notes string
	assets            []string
}

// giteaForge creates the repository name of u on Gitea, pushes origin's
// main branch and tags to it, and returns a token of u allowed to write
// repositories (releases and their assets): the forge forgerelease
// publishes to.
func giteaForge(t *testing.T, g *testenv.Gitea, u testenv.GiteaUser, name, origin string) string {
	t.Helper()
	var token struct {
		SHA1 string `json:"sha1"`
	}
	g.API(t, u.Name+":"+u.Password, http.MethodPost, "users/"+u.Name+"/tokens", map[string]any{"name": "forge", "scopes": []string{"write:repository"}}, &token)
	g.API(t, u.Name+":"+u.Password, http.MethodPost, "user/repos", map[string]any{"name": name, "default_branch": "main"}, nil)
	remote := strings.Replace(g.URL, "://", "://"+u.Name+":"+u.Password+"@", 1) + u.Name + "/" + name + ".git"
	testenv.Git(t, origin, "push", "-q", remote, "main", "--tags")
	return token.SHA1
}

// checkForgeRelease compares the releases of repo on Gitea with want: the
// one release want describes, or none.
func checkForgeRelease(t *testing.T, g *testenv.Gitea, repo, token string, want *forgeRelease, log string) {
	t.Helper()
	var releases []struct {
		TagName string `json:"tag_name"`
		Name    string `json:"name"`
		Body    string `json:"body"`
		Assets  []struct {
			Name string `json:"name"`
		} `json:"assets"`
	}
	g.API(t, token, http.MethodGet, "repos/"+repo+"/releases", nil, &releases)
	if want == nil {
		if len(releases) != 0 {
			t.Errorf("the forge has %d releases, want none: %+v", len(releases), releases)
		}
		return
	}
	if len(releases) != 1 {
		t.Fatalf("the forge has %d releases, want the one of %s: %+v\n%s", len(releases), want.tag, releases, log)
	}
	got := releases[0]
	var assets []string
	for _, a := range got.Assets {
		assets = append(assets, a.Name)
	}
	slices.Sort(assets)
	if got.TagName != want.tag || got.Name != want.title || !strings.Contains(got.Body, want.notes) || !slices.Equal(assets, want.assets) {
		t.Errorf("the forge's release: tag %q, title %q, notes %q, assets %q; want %q, %q, notes with %q, assets %q\n%s",
			got.TagName, got.Name, got.Body, assets, want.tag, want.title, want.notes, want.assets, log)
	}
}
