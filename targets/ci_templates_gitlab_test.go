package targets_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/pyrelease/pyrelease/targets/archive"
	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// TestGitLabPipelineRuns runs the GitLab template's jobs on fixture
// projects as a GitLab runner with the shell executor would: workflow and
// job rules decide the pipeline, jobs run in stage and needs order, each
// in a fresh clone at the commit (detached, as the runner checks out, and
// as deep as GIT_DEPTH says), with the predefined variables of the
// pipeline, the template's variables and the CI/CD variables (the
// snapshot store in a folder, the release going to a real Gitea with a
// token instead of PyPI's identity token, and the same Gitea as the forge
// of forgerelease through PYRELEASE_FORGE_* and GITEA_TOKEN instead of
// GitLab's API and CI_JOB_TOKEN), its before_script and script lines in
// one bash, and the artifacts of its needs restored. The image is this
// machine: apt-get only checks that the packages it is asked for are
// installed, and `go tool mage` is the compiled example magefile; the docs
// job's image stands for one with Sphinx and MkDocs, which PYRELEASE_PYTHON
// names ($PYRELEASE_DOCS_PYTHON). Of the architecture matrix, only this
// machine's entry runs.
func TestGitLabPipelineRuns(t *testing.T) {
	testenv.Require(t, "git")
	testenv.Require(t, "bash")
	testenv.Require(t, "dpkg-query")
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		testenv.Missing(t, "Debian's /usr/bin/python3 (with pip and venv): %v", err)
	}
	mage := compileExample(t)
	docsPy := docsPython(t)
	index := testenv.StartIndex(t)
	gitea := testenv.StartGitea(t)
	fixtures, err := filepath.Abs(filepath.Join("testdata", "projects"))
	if err != nil {
		t.Fatal(err)
	}
	pipeline := readGitLabPipeline(t, gitlabCI)
	platform := archive.Platform(runtime.GOOS, runtime.GOARCH)
	runner := map[string]string{"amd64": "saas-linux-small-amd64", "arm64": "saas-linux-small-arm64"}[runtime.GOARCH]
	for i, tc := range []struct {
		name     string
		fixture  string
		pyproj   func(string) string
		files    map[string]string // files added to the fixture
		tag      string            // pushed tag; "" pushes the branch
		mr       bool              // a merge request pipeline
		noRun    []string
		output   map[string]string // a regexp the job's output must match
		store    []string
		noStore  bool
		released []string
		forge    *forgeRelease // nil: the forge must have no release
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
			tag:    "release-0.1.0",
			output: map[string]string{"bdist": `(?m)^no tools to freeze$`},
			store: []string{"snapshots/v0.1.0/recordkit-0.1.0-py3-none-any.whl", "snapshots/v0.1.0/recordkit-0.1.0.tar.gz",
				"docs/v0.1.0/index.html", "docs/latest/index.html"},
			released: []string{"recordkit-0.1.0-py3-none-any.whl", "recordkit-0.1.0.tar.gz"},
			forge:    &forgeRelease{tag: "release-0.1.0", title: "recordkit 0.1.0", notes: "- Records compare by value."},
		},
		{
			name: "tools, bare version tag", fixture: "setuppy", tag: "0.1.0",
			output:   map[string]string{"docs": `(?m)^no docs to build$`},
			store:    []string{"snapshots/v0.1.0/oldstyle_tool-0.1.0-py3-none-any.whl", "snapshots/v0.1.0/oldstyle-tool-0.1.0-" + platform + ".tar.gz"},
			released: []string{"oldstyle_tool-0.1.0-py3-none-any.whl", "oldstyle_tool-0.1.0.tar.gz"},
			forge: &forgeRelease{tag: "0.1.0", title: "oldstyle-tool 0.1.0", notes: "- Initial release.",
				assets: []string{"SHA256SUMS", "oldstyle-tool-0.1.0-" + platform + ".tar.gz"}},
		},
		{
			name: "tools, a tag that is not a release tag", fixture: "setuppy", tag: "nightly",
			output:  map[string]string{"build": `nightly is not a release tag`, "docs": `nightly is not a release tag`, "release": `nightly is not a release tag`},
			noStore: true,
		},
		{
			name: "library, branch push", fixture: "library", noRun: []string{"release"},
			output: map[string]string{"docs": `(?m)^no docs to build$`},
			store:  []string{"branches/main/recordkit-0.1.dev*-py3-none-any.whl"},
		},
		{
			name: "library with docs, branch push", fixture: "library", noRun: []string{"release"},
			files: map[string]string{"mkdocs.yml": "site_name: recordkit\n", "docs/index.md": "# recordkit\n"},
			store: []string{"branches/main/recordkit-0.1.dev*-py3-none-any.whl", "docs/main/index.html"},
		},
		{
			name: "tools, merge request", fixture: "setuppy", mr: true, noRun: []string{"docs", "release"},
			files:   map[string]string{"mkdocs.yml": "site_name: oldstyle\n", "docs/index.md": "# oldstyle\n"},
			output:  map[string]string{"bdist": `(?m)^dist/\.pyrelease/oldstyle-tool-0\.1\.dev\d+-` + regexp.QuoteMeta(platform) + `\.tar\.gz \d+ [0-9a-f]{64}$`},
			noStore: true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			work, origin := templateProject(t, filepath.Join(fixtures, tc.fixture), tc.pyproj, tc.files, tc.tag)
			user := gitea.User(fmt.Sprintf("glci%d", i))
			repo := user.Name + "/" + tc.fixture
			forgeToken := giteaForge(t, gitea, user, tc.fixture, origin)
			store := filepath.Join(work, "store")
			vars := map[string]string{
				"CI": "true", "GITLAB_CI": "true",
				"CI_COMMIT_SHA":      testenv.Git(t, origin, "rev-parse", "HEAD"),
				"CI_PIPELINE_SOURCE": "push",
				"CI_JOB_URL":         "https://gitlab.example.com/group/project/-/jobs/1",
				"CI_SERVER_URL":      "https://gitlab.example.com",
				"CI_PROJECT_PATH":    "group/project",
				// CI/CD variables of the project
				"PYRELEASE_STORE":      store,
				"PYRELEASE_REPOSITORY": user.UploadURL,
				"PYRELEASE_TOKEN":      user.Token,
				// The forge: Gitea's API, where GitLab's would be found
				// from CI_API_V4_URL and CI_PROJECT_ID, with CI_JOB_TOKEN.
				"PYRELEASE_FORGE_KIND":       "gitea",
				"PYRELEASE_FORGE_URL":        gitea.URL + "api/v1",
				"PYRELEASE_FORGE_REPOSITORY": repo,
				"GITEA_TOKEN":                forgeToken,
			}
			switch {
			case tc.tag != "":
				vars["CI_COMMIT_TAG"], vars["CI_COMMIT_REF_NAME"] = tc.tag, tc.tag
			case tc.mr:
				vars["CI_PIPELINE_SOURCE"] = "merge_request_event"
				vars["CI_MERGE_REQUEST_IID"] = "7"
				vars["CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"] = "feature"
				vars["CI_MERGE_REQUEST_TARGET_BRANCH_NAME"] = "main"
				vars["CI_COMMIT_REF_NAME"] = "feature"
			default:
				vars["CI_COMMIT_BRANCH"], vars["CI_COMMIT_REF_NAME"] = "main", "main"
			}
			ran := runGitLabPipeline(t, pipeline, gitlabRun{
				origin: origin, work: work, mage: mage, runner: runner, vars: vars, env: index.Env(cleanEnv()),
				jobVars: map[string]map[string]string{"docs": {"PYRELEASE_PYTHON": docsPy}},
			})
			var log strings.Builder
			for _, j := range ran {
				fmt.Fprintf(&log, "--- job %s: %s\n%s\n", j.name, j.status, j.output)
			}
			for _, j := range ran {
				if j.status == "failed" {
					t.Fatalf("job %s failed\n%s", j.name, log.String())
				}
			}
			status := map[string]string{}
			for _, j := range ran {
				status[j.job] = j.status
			}
			for _, job := range []string{"build", "bdist", "docs", "release"} {
				want := "success"
				if slices.Contains(tc.noRun, job) {
					want = ""
				}
				if status[job] != want {
					t.Errorf("job %s: status %q, want %q\n%s", job, status[job], want, log.String())
				}
			}
			for job, re := range tc.output {
				i := slices.IndexFunc(ran, func(j gitlabJobRun) bool { return j.job == job })
				if i < 0 || !regexp.MustCompile(re).MatchString(ran[i].output) {
					t.Errorf("job %s: output does not match %s\n%s", job, re, log.String())
				}
			}
			for _, g := range tc.store {
				if m, _ := filepath.Glob(filepath.Join(store, g)); len(m) == 0 {
					t.Errorf("the snapshot store has no %s; it has:\n%s\n%s", g, listFiles(store), log.String())
				}
			}
			if tc.noStore && listFiles(store) != "" {
				t.Errorf("the snapshot store should be empty, it has:\n%s", listFiles(store))
			}
			for _, f := range tc.released {
				if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(f) + ` uploaded [0-9a-f]{64}$`).MatchString(log.String()) {
					t.Errorf("the release did not upload %s\n%s", f, log.String())
				}
			}
			checkForgeRelease(t, gitea, repo, forgeToken, tc.forge, log.String())
			if strings.Contains(log.String(), user.Token) || strings.Contains(log.String(), forgeToken) {
				t.Errorf("a token reached the log")
			}
			t.Logf("%s: %s\n%s", tc.name, time.Since(start).Round(time.Second), log.String())
		})
	}
}

// gitlabPipeline is what the runner needs of a .gitlab-ci.yml.
type gitlabPipeline struct {
	stages    []string
	variables map[string]string
	workflow  []gitlabRule
	jobs      map[string]gitlabJobDef
	order     []string // jobs in file order
}

type gitlabRule struct {
	If   string `yaml:"if"`
	When string `yaml:"when"`
}

type gitlabJobDef struct {
	Stage        string            `yaml:"stage"`
	Needs        names             `yaml:"needs"`
	Rules        []gitlabRule      `yaml:"rules"`
	BeforeScript yaml.Node         `yaml:"before_script"`
	Script       yaml.Node         `yaml:"script"`
	Variables    map[string]string `yaml:"variables"`
	Tags         []string          `yaml:"tags"`
	Parallel     struct {
		Matrix []map[string][]string `yaml:"matrix"`
	} `yaml:"parallel"`
	Artifacts struct {
		Paths []string `yaml:"paths"`
	} `yaml:"artifacts"`
}

// readGitLabPipeline reads a .gitlab-ci.yml named relative to the
// repository root.
func readGitLabPipeline(t *testing.T, file string) gitlabPipeline {
	t.Helper()
	var doc yaml.Node
	decodeYAML(t, file, &doc)
	root := doc.Content[0]
	p := gitlabPipeline{jobs: map[string]gitlabJobDef{}}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i].Value, root.Content[i+1]
		var err error
		switch key {
		case "stages":
			err = val.Decode(&p.stages)
		case "variables":
			err = val.Decode(&p.variables)
		case "workflow":
			var w struct {
				Rules []gitlabRule `yaml:"rules"`
			}
			err = val.Decode(&w)
			p.workflow = w.Rules
		default:
			if !isGitLabJob(key) {
				continue
			}
			var j gitlabJobDef
			err = val.Decode(&j)
			p.jobs[key] = j
			p.order = append(p.order, key)
		}
		if err != nil {
			t.Fatalf("%s: %s: %v", file, key, err)
		}
	}
	return p
}

// gitlabRun is one pipeline: the repository and the variables GitLab
// would set for it.
type gitlabRun struct {
	origin, work, mage string
	runner             string // the runner tag this machine stands for
	vars               map[string]string
	// jobVars are variables of one job only, by job name: what its image
	// would set.
	jobVars map[string]map[string]string
	env     []string
}

// gitlabJobRun is one job of a pipeline, as it ran.
type gitlabJobRun struct {
	job, name string // name has the matrix values
	status    string // success, failed
	output    string
}

// runGitLabPipeline runs the pipeline's jobs that its rules select, in
// stage order and after their needs, and returns them as they ran.
func runGitLabPipeline(t *testing.T, p gitlabPipeline, r gitlabRun) []gitlabJobRun {
	t.Helper()
	vars := map[string]string{}
	for k, v := range p.variables {
		vars[k] = v
	}
	for k, v := range r.vars {
		vars[k] = v
	}
	if !rulesAllow(t, p.workflow, vars) {
		return nil
	}
	bin := gitlabImage(t, r)
	artifacts := filepath.Join(r.work, "artifacts")
	var ran []gitlabJobRun
	done := map[string]string{}
	for _, stage := range p.stages {
		for _, name := range p.order {
			def := p.jobs[name]
			if def.Stage != stage || (len(def.Rules) > 0 && !rulesAllow(t, def.Rules, vars)) {
				continue
			}
			ok := true
			for _, n := range def.Needs {
				ok = ok && done[n] == "success"
			}
			if !ok {
				continue
			}
			status := "success"
			for _, matrix := range expandMatrix(def.Parallel.Matrix) {
				jobVars := map[string]string{}
				for k, v := range vars {
					jobVars[k] = v
				}
				for k, v := range def.Variables {
					jobVars[k] = v
				}
				for k, v := range r.jobVars[name] {
					jobVars[k] = v
				}
				for k, v := range matrix {
					jobVars[k] = v
				}
				label := name
				if len(matrix) > 0 {
					label = fmt.Sprintf("%s %v", name, matrix)
				}
				if !slices.ContainsFunc(def.Tags, func(tag string) bool { return expandVars(tag, jobVars) == r.runner }) && len(def.Tags) > 0 {
					t.Logf("job %s: needs a runner tagged %v; this machine is %s", label, def.Tags, r.runner)
					continue
				}
				jr := runGitLabJob(t, name, label, def, jobVars, r, bin, artifacts)
				ran = append(ran, jr)
				if jr.status != "success" {
					status = jr.status
				}
			}
			done[name] = status
		}
	}
	return ran
}

// runGitLabJob clones the repository afresh, restores the artifacts of
// the job's needs, runs its lines in one bash and keeps its artifacts.
func runGitLabJob(t *testing.T, job, label string, def gitlabJobDef, vars map[string]string, r gitlabRun, bin, artifacts string) gitlabJobRun {
	t.Helper()
	dir := filepath.Join(r.work, "builds", strings.NewReplacer(" ", "_", "[", "", "]", "", ":", "-").Replace(label))
	clone := []string{"clone", "-q", "--no-checkout"}
	if d := vars["GIT_DEPTH"]; d != "" && d != "0" {
		clone = append(clone, "--depth", d, "file://"+r.origin, dir)
	} else {
		clone = append(clone, r.origin, dir)
	}
	testenv.Git(t, r.work, clone...)
	testenv.Git(t, dir, "checkout", "-q", "--detach", vars["CI_COMMIT_SHA"])
	for _, n := range def.Needs {
		if err := copyTree(filepath.Join(artifacts, n), dir); err != nil {
			t.Fatal(err)
		}
	}
	tmp := filepath.Join(r.work, "tmp", filepath.Base(dir))
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	env := append([]string{}, r.env...)
	env = append(env, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"HOME="+filepath.Join(r.work, "home"), "TMPDIR="+tmp, "CI_PROJECT_DIR="+dir, "CI_JOB_NAME="+label)
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	cmd := exec.CommandContext(t.Context(), "bash", "-eo", "pipefail", "-c", rawScript(def))
	cmd.Dir = dir
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	status := "success"
	if err := cmd.Run(); err != nil {
		status = "failed"
		fmt.Fprintf(&out, "\njob failed: %v\n", err)
	}
	if status == "success" {
		for _, p := range def.Artifacts.Paths {
			src := filepath.Join(dir, filepath.FromSlash(strings.TrimSuffix(p, "/")))
			if err := copyTree(src, filepath.Join(artifacts, job, filepath.FromSlash(strings.TrimSuffix(p, "/")))); err != nil {
				t.Fatal(err)
			}
		}
	}
	return gitlabJobRun{job: job, name: label, status: status, output: out.String()}
}

// rawScript joins a job's before_script and script lines into the one
// shell script the runner makes of them, keeping multi-line entries whole.
func rawScript(def gitlabJobDef) string {
	var entries []string
	var collect func(n *yaml.Node)
	collect = func(n *yaml.Node) {
		switch n.Kind {
		case yaml.ScalarNode:
			entries = append(entries, n.Value)
		case yaml.SequenceNode:
			for _, c := range n.Content {
				collect(c)
			}
		case yaml.AliasNode:
			collect(n.Alias)
		}
	}
	collect(&def.BeforeScript)
	collect(&def.Script)
	return strings.Join(entries, "\n")
}

// gitlabImage stands in for the job image on this machine: python3 is
// Debian's, apt-get only checks that what it is asked to install is
// installed, and go runs `go tool mage` as the compiled magefile.
func gitlabImage(t *testing.T, r gitlabRun) string {
	t.Helper()
	bin := filepath.Join(r.work, "image-bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	realGo, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"go": fmt.Sprintf("#!/bin/sh\nif [ \"$1\" = tool ] && [ \"$2\" = mage ]; then\n\tshift 2\n\texec %q \"$@\"\nfi\nexec %q \"$@\"\n", r.mage, realGo),
		"apt-get": `#!/bin/sh
# The image is this machine: install only checks the packages are there.
[ "$1" = install ] || exit 0
shift
for p in "$@"; do
	case "$p" in -*) continue ;; esac
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || { echo "apt-get: $p is not installed on this machine" >&2; exit 100; }
done
`,
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"python", "python3"} {
		if err := os.Symlink("/usr/bin/python3", filepath.Join(bin, name)); err != nil && !os.IsExist(err) {
			t.Fatal(err)
		}
	}
	return bin
}

// expandMatrix turns parallel:matrix into the variable sets of its jobs;
// no matrix is one job without variables.
func expandMatrix(m []map[string][]string) []map[string]string {
	if len(m) == 0 {
		return []map[string]string{nil}
	}
	var out []map[string]string
	for _, entry := range m {
		sets := []map[string]string{{}}
		for k, values := range entry {
			var next []map[string]string
			for _, s := range sets {
				for _, v := range values {
					n := map[string]string{k: v}
					for kk, vv := range s {
						n[kk] = vv
					}
					next = append(next, n)
				}
			}
			sets = next
		}
		out = append(out, sets...)
	}
	return out
}

var gitlabVar = regexp.MustCompile(`\$\{?(\w+)\}?`)

func expandVars(s string, vars map[string]string) string {
	return gitlabVar.ReplaceAllStringFunc(s, func(m string) string {
		return vars[gitlabVar.FindStringSubmatch(m)[1]]
	})
}

// rulesAllow applies GitLab rules: the first whose if matches decides,
// and when: never excludes; none matching excludes.
func rulesAllow(t *testing.T, rules []gitlabRule, vars map[string]string) bool {
	t.Helper()
	for _, r := range rules {
		ok, err := evalGitLabIf(r.If, vars)
		if err != nil {
			t.Fatalf("rules: if %q: %v", r.If, err)
		}
		if ok {
			return r.When != "never"
		}
	}
	return false
}

// evalGitLabIf evaluates the rules:if expressions the templates use:
// $VAR (defined and not empty), == and != against "strings" or another
// variable, =~ and !~ against /regexps/, && and || (&& binds tighter),
// and parentheses.
func evalGitLabIf(expr string, vars map[string]string) (bool, error) {
	toks := gitlabToken.FindAllString(expr, -1)
	if strings.Join(toks, "") != strings.Join(strings.Fields(expr), "") {
		return false, fmt.Errorf("cannot tokenize %q", expr)
	}
	e := &gitlabExpr{toks: toks, vars: vars}
	v, err := e.or()
	if err == nil && e.pos != len(toks) {
		err = fmt.Errorf("unexpected %q", toks[e.pos])
	}
	return v, err
}

var gitlabToken = regexp.MustCompile(`\$\w+|"[^"]*"|'[^']*'|/(?:\\.|[^/])*/|==|!=|=~|!~|&&|\|\||\(|\)|null`)

type gitlabExpr struct {
	toks []string
	pos  int
	vars map[string]string
}

func (e *gitlabExpr) peek() string {
	if e.pos < len(e.toks) {
		return e.toks[e.pos]
	}
	return ""
}

func (e *gitlabExpr) or() (bool, error) {
	v, err := e.and()
	for err == nil && e.peek() == "||" {
		e.pos++
		var w bool
		w, err = e.and()
		v = v || w
	}
	return v, err
}

func (e *gitlabExpr) and() (bool, error) {
	v, err := e.cmp()
	for err == nil && e.peek() == "&&" {
		e.pos++
		var w bool
		w, err = e.cmp()
		v = v && w
	}
	return v, err
}

func (e *gitlabExpr) cmp() (bool, error) {
	if e.peek() == "(" {
		e.pos++
		v, err := e.or()
		if err == nil && e.peek() != ")" {
			err = fmt.Errorf("missing )")
		}
		e.pos++
		return v, err
	}
	left, defined, err := e.operand()
	if err != nil {
		return false, err
	}
	switch op := e.peek(); op {
	case "==", "!=":
		e.pos++
		right, rdef, err := e.operand()
		eq := left == right && defined == rdef
		return eq == (op == "=="), err
	case "=~", "!~":
		e.pos++
		re := e.peek()
		e.pos++
		if len(re) < 2 || re[0] != '/' {
			return false, fmt.Errorf("%s wants a /regexp/, got %q", op, re)
		}
		rx, err := regexp.Compile(re[1 : len(re)-1])
		if err != nil {
			return false, err
		}
		return rx.MatchString(left) == (op == "=~"), nil
	}
	return defined && left != "", nil
}

// operand reads a variable or a literal; defined is false for an unset
// variable and null.
func (e *gitlabExpr) operand() (string, bool, error) {
	tok := e.peek()
	e.pos++
	switch {
	case strings.HasPrefix(tok, "$"):
		v, ok := e.vars[tok[1:]]
		return v, ok, nil
	case tok == "null":
		return "", false, nil
	case len(tok) >= 2 && (tok[0] == '"' || tok[0] == '\''):
		return tok[1 : len(tok)-1], true, nil
	}
	return "", false, fmt.Errorf("unexpected %q", tok)
}

// copyTree copies the directory src into dst, hidden files included (GitLab
// artifacts keep every file under their paths); a missing src copies
// nothing.
func copyTree(src, dst string) error {
	if _, err := os.Stat(src); os.IsNotExist(err) {
		return nil
	}
	return filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode().Perm())
	})
}
