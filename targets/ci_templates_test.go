package targets_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// The CI templates users copy into their projects, relative to the
// repository root.
const (
	githubWorkflow = "examples/.github/workflows/release.yml"
	gitlabCI       = "examples/.gitlab-ci.yml"
)

// TestGitHubWorkflowLints runs actionlint on the GitHub Actions template, as
// its users' editors and CI would. A deliberately broken workflow must be
// reported, or a clean result would prove nothing.
func TestGitHubWorkflowLints(t *testing.T) {
	testenv.Require(t, "go")
	broken := filepath.Join(t.TempDir(), "broken.yml")
	// secret (singular) is no context: the typo that leaves a job without its credentials.
	brokenYAML := "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"$STORE\"\n        env:\n          STORE: ${{ secret.PYRELEASE_STORE }}\n"
	if err := os.WriteFile(broken, []byte(brokenYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		file        string
		wantProblem string // empty: actionlint must report nothing
	}{
		"release template":  {file: githubWorkflow},
		"undefined context": {file: broken, wantProblem: `undefined variable "secret"`},
	} {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command("go", "tool", "actionlint", "-no-color", tc.file)
			cmd.Dir = ".."
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			report := strings.TrimSpace(stdout.String())
			if tc.wantProblem == "" {
				if err != nil || report != "" {
					t.Fatalf("actionlint %s: %v\n%s\n%s", tc.file, err, report, stderr.String())
				}
				return
			}
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(report, tc.wantProblem) {
				t.Fatalf("actionlint %s: want exit status 1 and a report containing %q, got %v\n%s\n%s", tc.file, tc.wantProblem, err, report, stderr.String())
			}
		})
	}
}

// TestCITemplatesRunTargets checks what each template's jobs do: the
// pyrelease targets they run, the full clone the version needs, and the
// trusted-publishing identity only where the release uploads, which runs
// only for the project's release tags. TestGitHubWorkflowRuns runs them.
func TestCITemplatesRunTargets(t *testing.T) {
	templates := map[string]map[string]ciJob{
		githubWorkflow: githubJobs(t, githubWorkflow),
		gitlabCI:       gitlabJobs(t, gitlabCI),
	}
	for name, tc := range map[string]struct {
		file     string
		job      string
		commands []string // each must be one whole shell line of the job
		needs    []string
		release  bool // release tags only, with a PyPI identity token
	}{
		"github build":   {file: githubWorkflow, job: "build", commands: []string{"go tool mage wheel snapshot", "go tool mage wheel", `go tool mage bdist -list | tee "$RUNNER_TEMP/tools.txt"`, "docs=$(go tool mage docs -list)"}},
		"github bdist":   {file: githubWorkflow, job: "bdist", commands: []string{"go tool mage bdist snapshot", "go tool mage bdist"}, needs: []string{"build"}},
		"github docs":    {file: githubWorkflow, job: "docs", commands: []string{"go tool mage docs"}, needs: []string{"build"}},
		"github release": {file: githubWorkflow, job: "release", commands: []string{"go tool mage release", "go tool mage forgerelease"}, needs: []string{"build", "bdist"}, release: true},
		"gitlab build":   {file: gitlabCI, job: "build", commands: []string{"go tool mage wheel snapshot", "go tool mage wheel"}},
		"gitlab bdist":   {file: gitlabCI, job: "bdist", commands: []string{"go tool mage bdist snapshot", "go tool mage bdist", "tools=$(go tool mage bdist -list)"}, needs: []string{"build"}},
		"gitlab docs":    {file: gitlabCI, job: "docs", commands: []string{"docs=$(go tool mage docs -list)", "go tool mage docs"}},
		"gitlab release": {file: gitlabCI, job: "release", commands: []string{"go tool mage release", "go tool mage forgerelease"}, needs: []string{"build", "bdist"}, release: true},
	} {
		t.Run(name, func(t *testing.T) {
			job, ok := templates[tc.file][tc.job]
			if !ok {
				t.Fatalf("%s: no job %q", tc.file, tc.job)
			}
			for _, c := range tc.commands {
				if !slices.Contains(job.lines, c) {
					t.Errorf("%s: job %s does not run %q; its lines:\n%s", tc.file, tc.job, c, strings.Join(job.lines, "\n"))
				}
			}
			if !job.fullHistory {
				t.Errorf("%s: job %s clones shallowly, and the version needs the tags and the whole history", tc.file, tc.job)
			}
			if job.idToken != tc.release {
				t.Errorf("%s: job %s has a PyPI identity token: %v, want %v (only the release uploads)", tc.file, tc.job, job.idToken, tc.release)
			}
			if job.releaseTagsOnly != tc.release {
				t.Errorf("%s: job %s runs only for release tags: %v, want %v", tc.file, tc.job, job.releaseTagsOnly, tc.release)
			}
			if !slices.Equal(job.needs, tc.needs) {
				t.Errorf("%s: job %s needs %v, want %v", tc.file, tc.job, job.needs, tc.needs)
			}
		})
	}
}

// TestCITemplatesForgeRelease requires the forge release to be made in the
// release job only, once mage release has succeeded (so only for release
// tags, and never for a version PyPI does not serve), and on GitHub with
// the least privilege it needs: contents: write in that job alone, and the
// token given to that one step, not kept by checkout.
func TestCITemplatesForgeRelease(t *testing.T) {
	const forge, release = "go tool mage forgerelease", "go tool mage release"
	for file, jobs := range map[string]map[string]ciJob{
		githubWorkflow: githubJobs(t, githubWorkflow),
		gitlabCI:       gitlabJobs(t, gitlabCI),
	} {
		for name, job := range jobs {
			// The forge release after every release line, so after the last.
			i, j := -1, slices.Index(job.lines, forge)
			for k, l := range job.lines {
				if l == release {
					i = k
				}
			}
			switch {
			case name != "release" && j >= 0:
				t.Errorf("%s: job %s runs %q; only the release job may", file, name, forge)
			case name == "release" && (j < 0 || i < 0 || j < i):
				t.Errorf("%s: the release job runs %q at line %d and %q at %d: want both, the forge release after", file, release, i, forge, j)
			}
		}
	}
	w := githubSteps(t)
	for name, job := range w.Jobs {
		write := job.Permissions["contents"] == "write"
		if write != (name == "release") {
			t.Errorf("%s: job %s has contents: %q; only the release job needs write", githubWorkflow, name, job.Permissions["contents"])
		}
		for _, s := range job.Steps {
			if strings.HasPrefix(s.Uses, "actions/checkout@") && write && s.With["persist-credentials"] != false {
				t.Errorf("%s: job %s checks out with persist-credentials %v: its write token would stay in .git/config", githubWorkflow, name, s.With["persist-credentials"])
			}
			runsForge := slices.Contains(shellLines(s.Run), forge)
			if _, ok := s.Env["GITHUB_TOKEN"]; ok != runsForge {
				t.Errorf("%s: job %s, step %q: GITHUB_TOKEN given %v; only the forge release's step needs it", githubWorkflow, name, s.Name, ok)
			}
			if runsForge && s.If != "" {
				t.Errorf("%s: the forge release's step has if: %q; it must run only when the steps before it (mage release) succeeded", githubWorkflow, s.If)
			}
		}
	}
}

// TestCITemplatesDocs requires docs to be built and published on pushes
// of branches and tags, never for a pull or merge request, by one job that
// runs only when mage docs -list found docs.
func TestCITemplatesDocs(t *testing.T) {
	const docs = "go tool mage docs"
	for file, jobs := range map[string]map[string]ciJob{
		githubWorkflow: githubJobs(t, githubWorkflow),
		gitlabCI:       gitlabJobs(t, gitlabCI),
	} {
		for name, job := range jobs {
			if slices.Contains(job.lines, docs) != (name == "docs") {
				t.Errorf("%s: job %s runs %q: %v; want it in the docs job only", file, name, docs, !(name == "docs"))
			}
		}
	}
	w := githubSteps(t)
	if cond := w.Jobs["docs"].If; !strings.Contains(cond, "github.event_name != 'pull_request'") || !strings.Contains(cond, "needs.build.outputs.docs != ''") {
		t.Errorf("%s: the docs job runs if %q; want it on pushes only, for a project with docs", githubWorkflow, cond)
	}
	p := readGitLabPipeline(t, gitlabCI)
	for event, tc := range map[string]struct {
		vars map[string]string
		want bool
	}{
		"branch":        {vars: map[string]string{"CI_COMMIT_BRANCH": "main", "CI_PIPELINE_SOURCE": "push"}, want: true},
		"tag":           {vars: map[string]string{"CI_COMMIT_TAG": "v1.0.0", "CI_PIPELINE_SOURCE": "push"}, want: true},
		"merge request": {vars: map[string]string{"CI_MERGE_REQUEST_IID": "7", "CI_PIPELINE_SOURCE": "merge_request_event"}, want: false},
	} {
		if got := rulesAllow(t, p.jobs["docs"].Rules, tc.vars); got != tc.want {
			t.Errorf("%s: the docs job runs in a %s pipeline: %v, want %v", gitlabCI, event, got, tc.want)
		}
	}
}

// TestCITemplatesMageHashFast requires both templates to reuse the
// compiled magefile across a job's calls, and to say what that costs and
// what happens when go.mod moves to another pyrelease.
func TestCITemplatesMageHashFast(t *testing.T) {
	for _, file := range []string{githubWorkflow, gitlabCI} {
		var doc yaml.Node
		decodeYAML(t, file, &doc)
		root := doc.Content[0]
		found := false
		for i := 0; i+1 < len(root.Content); i += 2 {
			if k := root.Content[i].Value; k != "env" && k != "variables" {
				continue
			}
			vars := root.Content[i+1].Content
			for j := 0; j+1 < len(vars); j += 2 {
				if vars[j].Value != "MAGEFILE_HASHFAST" {
					continue
				}
				found = true
				if vars[j+1].Value != "1" {
					t.Errorf("%s: MAGEFILE_HASHFAST = %q, want \"1\"", file, vars[j+1].Value)
				}
				for _, want := range []string{"0.6 s", "go.mod", "go tool mage -f"} {
					if !strings.Contains(vars[j].HeadComment, want) {
						t.Errorf("%s: the comment on MAGEFILE_HASHFAST does not say %q: %q", file, want, vars[j].HeadComment)
					}
				}
			}
		}
		if !found {
			t.Errorf("%s: no MAGEFILE_HASHFAST for the whole workflow", file)
		}
	}
}

// githubWorkflowSteps is what the forge and docs checks read of the GitHub
// template's jobs and steps.
type githubWorkflowSteps struct {
	Jobs map[string]struct {
		If          string            `yaml:"if"`
		Permissions map[string]string `yaml:"permissions"`
		Steps       []struct {
			Name string            `yaml:"name"`
			If   string            `yaml:"if"`
			Uses string            `yaml:"uses"`
			With map[string]any    `yaml:"with"`
			Run  string            `yaml:"run"`
			Env  map[string]string `yaml:"env"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

func githubSteps(t *testing.T) githubWorkflowSteps {
	t.Helper()
	var w githubWorkflowSteps
	decodeYAML(t, githubWorkflow, &w)
	return w
}

// TestCITemplatesBuildFromBuildSystem requires the build requirements to
// come from the project's [build-system], installed by an isolated build:
// no template installs a build backend of its own choosing.
func TestCITemplatesBuildFromBuildSystem(t *testing.T) {
	backend := regexp.MustCompile(`pip\S* install\b.*\b(setuptools|wheel|hatchling|flit|flit-core|pdm-backend|poetry-core|build)\b`)
	for file, jobs := range map[string]map[string]ciJob{
		githubWorkflow: githubJobs(t, githubWorkflow),
		gitlabCI:       gitlabJobs(t, gitlabCI),
	} {
		for name, job := range jobs {
			for _, l := range job.lines {
				if backend.MatchString(l) {
					t.Errorf("%s: job %s installs a build backend itself: %q", file, name, l)
				}
			}
		}
	}
	var gh struct {
		Env map[string]string `yaml:"env"`
	}
	decodeYAML(t, githubWorkflow, &gh)
	var gl struct {
		Variables map[string]string `yaml:"variables"`
	}
	decodeYAML(t, gitlabCI, &gl)
	for file, v := range map[string]string{githubWorkflow: gh.Env["PYRELEASE_ISOLATION"], gitlabCI: gl.Variables["PYRELEASE_ISOLATION"]} {
		if v != "true" {
			t.Errorf("%s: PYRELEASE_ISOLATION = %q, want \"true\" for the whole workflow", file, v)
		}
	}
}

// TestCITemplatesTriggerOnEveryTag requires the templates to start for any
// tag, since which tags are releases is the project's rule (tag-pattern),
// which a trigger cannot read, and the one line to change for a narrower
// trigger to say so.
func TestCITemplatesTriggerOnEveryTag(t *testing.T) {
	var gh struct {
		On struct {
			Push yaml.Node `yaml:"push"`
		} `yaml:"on"`
	}
	decodeYAML(t, githubWorkflow, &gh)
	var tags []string
	comment := ""
	push := gh.On.Push.Content
	for i := 0; i+1 < len(push); i += 2 {
		if push[i].Value == "tags" {
			comment = push[i].HeadComment
			if err := push[i+1].Decode(&tags); err != nil {
				t.Fatalf("%s: on.push.tags: %v", githubWorkflow, err)
			}
		}
	}
	if !slices.Equal(tags, []string{"**"}) {
		t.Errorf("%s: on.push.tags = %q, want [\"**\"]", githubWorkflow, tags)
	}
	if !strings.Contains(comment, "change this one line") {
		t.Errorf("%s: on.push.tags has no comment saying it is the line to change; comment: %q", githubWorkflow, comment)
	}
	var gl struct {
		Workflow struct {
			Rules []yaml.Node `yaml:"rules"`
		} `yaml:"workflow"`
	}
	decodeYAML(t, gitlabCI, &gl)
	found := false
	for _, n := range gl.Workflow.Rules {
		var r struct {
			If   string `yaml:"if"`
			When string `yaml:"when"`
		}
		if err := n.Decode(&r); err != nil {
			t.Fatal(err)
		}
		if r.If == "$CI_COMMIT_TAG" && r.When == "" {
			found = true
			if !strings.Contains(n.HeadComment, "change this one line") {
				t.Errorf("%s: the tag rule has no comment saying it is the line to change; comment: %q", gitlabCI, n.HeadComment)
			}
		}
	}
	if !found {
		t.Errorf("%s: no workflow rule runs pipelines for every tag (- if: $CI_COMMIT_TAG)", gitlabCI)
	}
}

// TestGitHubWorkflowPinsActions requires every action pinned by its major
// version tag, so users get fixes without surprises from a moving branch.
func TestGitHubWorkflowPinsActions(t *testing.T) {
	pinned := regexp.MustCompile(`^[\w.-]+/[\w.-]+@v\d+$`)
	var w struct {
		Jobs map[string]struct {
			Steps []struct {
				Uses string `yaml:"uses"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	decodeYAML(t, githubWorkflow, &w)
	n := 0
	for name, job := range w.Jobs {
		for _, s := range job.Steps {
			if s.Uses == "" {
				continue
			}
			n++
			if !pinned.MatchString(s.Uses) {
				t.Errorf("%s: job %s uses %q, want owner/action@vN", githubWorkflow, name, s.Uses)
			}
		}
	}
	if n == 0 {
		t.Errorf("%s: no job uses an action", githubWorkflow)
	}
}

// TestGitLabStagesDeclared checks what GitLab would refuse at pipeline
// creation: a job whose stage is not in stages (no linter runs offline).
func TestGitLabStagesDeclared(t *testing.T) {
	var doc map[string]yaml.Node
	decodeYAML(t, gitlabCI, &doc)
	var stages []string
	if n, ok := doc["stages"]; !ok {
		t.Fatalf("%s: no stages declared", gitlabCI)
	} else if err := n.Decode(&stages); err != nil {
		t.Fatalf("%s: stages: %v", gitlabCI, err)
	}
	// GitLab adds .pre and .post to every pipeline.
	stages = append(stages, ".pre", ".post")
	jobs := 0
	for name, n := range doc {
		if !isGitLabJob(name) {
			continue
		}
		jobs++
		var job struct {
			Stage string `yaml:"stage"`
		}
		if err := n.Decode(&job); err != nil {
			t.Fatalf("%s: job %s: %v", gitlabCI, name, err)
		}
		if job.Stage == "" {
			job.Stage = "test" // GitLab's default
		}
		if !slices.Contains(stages, job.Stage) {
			t.Errorf("%s: job %s has stage %q, which stages %v does not declare", gitlabCI, name, job.Stage, stages[:len(stages)-2])
		}
	}
	if jobs == 0 {
		t.Errorf("%s: no jobs", gitlabCI)
	}
}

// ciJob is what the tests need to know of a CI job, whichever the CI.
type ciJob struct {
	lines       []string // shell lines the job runs, trimmed
	needs       []string
	fullHistory bool // the checkout has every commit and tag
	idToken     bool // the job can get an identity token for PyPI
	// releaseTagsOnly: the job runs only for tags, and goes on only for
	// those the project calls release tags.
	releaseTagsOnly bool
}

// githubJobs reads the jobs of a GitHub Actions workflow.
func githubJobs(t *testing.T, file string) map[string]ciJob {
	t.Helper()
	var w struct {
		Jobs map[string]struct {
			If          string            `yaml:"if"`
			Needs       names             `yaml:"needs"`
			Permissions map[string]string `yaml:"permissions"`
			Steps       []struct {
				Uses string         `yaml:"uses"`
				With map[string]any `yaml:"with"`
				Run  string         `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	decodeYAML(t, file, &w)
	jobs := map[string]ciJob{}
	for name, j := range w.Jobs {
		job := ciJob{
			needs:           j.Needs,
			idToken:         j.Permissions["id-token"] == "write",
			releaseTagsOnly: strings.Contains(j.If, "needs.build.outputs.release == 'true'"),
		}
		for _, s := range j.Steps {
			if strings.HasPrefix(s.Uses, "actions/checkout@") {
				job.fullHistory = s.With["fetch-depth"] == 0
			}
			job.lines = append(job.lines, shellLines(s.Run)...)
		}
		jobs[name] = job
	}
	return jobs
}

// gitlabJobs reads the jobs of a .gitlab-ci.yml.
func gitlabJobs(t *testing.T, file string) map[string]ciJob {
	t.Helper()
	var doc map[string]yaml.Node
	decodeYAML(t, file, &doc)
	type gitlabJob struct {
		Script       script            `yaml:"script"`
		BeforeScript script            `yaml:"before_script"`
		Needs        names             `yaml:"needs"`
		Variables    map[string]string `yaml:"variables"`
		Rules        []struct {
			If   string `yaml:"if"`
			When string `yaml:"when"`
		} `yaml:"rules"`
		IDTokens map[string]struct {
			Aud string `yaml:"aud"`
		} `yaml:"id_tokens"`
	}
	var global map[string]string
	if n, ok := doc["variables"]; ok {
		if err := n.Decode(&global); err != nil {
			t.Fatalf("%s: variables: %v", file, err)
		}
	}
	jobs := map[string]ciJob{}
	for name, n := range doc {
		if !isGitLabJob(name) {
			continue
		}
		var j gitlabJob
		if err := n.Decode(&j); err != nil {
			t.Fatalf("%s: job %s: %v", file, name, err)
		}
		depth, ok := j.Variables["GIT_DEPTH"]
		if !ok {
			depth = global["GIT_DEPTH"]
		}
		job := ciJob{
			lines:       append(append([]string{}, j.BeforeScript...), j.Script...),
			needs:       j.Needs,
			fullHistory: depth == "0",
			idToken:     j.IDTokens["PYPI_ID_TOKEN"].Aud == "pypi",
			// Tag pipelines only, and the job's script stops for a tag
			// mage version does not call this commit's.
			releaseTagsOnly: len(j.Rules) > 0 && slices.ContainsFunc(append(append([]string{}, j.BeforeScript...), j.Script...), func(l string) bool {
				return strings.Contains(l, `grep -qF "\"tag\": \"$CI_COMMIT_TAG\","`)
			}),
		}
		for _, r := range j.Rules {
			if r.When != "never" && r.If != "$CI_COMMIT_TAG" {
				job.releaseTagsOnly = false
			}
		}
		jobs[name] = job
	}
	return jobs
}

// isGitLabJob tells jobs from the global keywords and hidden templates of a
// .gitlab-ci.yml.
func isGitLabJob(key string) bool {
	switch key {
	case "default", "include", "stages", "variables", "workflow", "image", "services", "cache", "before_script", "after_script", "spec":
		return false
	}
	return !strings.HasPrefix(key, ".")
}

// names reads a job list written as one name or a sequence of names or
// {job: name} maps.
type names []string

func (n *names) UnmarshalYAML(v *yaml.Node) error {
	if v.Kind == yaml.ScalarNode {
		*n = names{v.Value}
		return nil
	}
	var items []yaml.Node
	if err := v.Decode(&items); err != nil {
		return err
	}
	for _, it := range items {
		if it.Kind == yaml.ScalarNode {
			*n = append(*n, it.Value)
			continue
		}
		var m struct {
			Job string `yaml:"job"`
		}
		if err := it.Decode(&m); err != nil {
			return err
		}
		*n = append(*n, m.Job)
	}
	return nil
}

// script reads a GitLab script, a string or a (nested) sequence of them,
// as its trimmed shell lines.
type script []string

func (s *script) UnmarshalYAML(v *yaml.Node) error {
	if v.Kind == yaml.ScalarNode {
		*s = append(*s, shellLines(v.Value)...)
		return nil
	}
	var items []script
	if err := v.Decode(&items); err != nil {
		return err
	}
	for _, it := range items {
		*s = append(*s, it...)
	}
	return nil
}

func shellLines(text string) []string {
	var lines []string
	for l := range strings.SplitSeq(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// decodeYAML decodes a file named relative to the repository root.
func decodeYAML(t *testing.T, file string, into any) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", filepath.FromSlash(file)))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, into); err != nil {
		t.Fatalf("%s: not valid YAML: %v", file, err)
	}
}
