package targets

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/config"
	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/internal/clilog"
	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

func TestForgeToken(t *testing.T) {
	for name, c := range map[string]struct {
		kind      string
		env       map[string]string
		token     string
		job, fail bool
	}{
		"github":                    {kind: config.ForgeGitHub, env: map[string]string{"GITHUB_TOKEN": "ghs-1", "GH_TOKEN": "gh-2"}, token: "ghs-1"},
		"github from gh":            {kind: config.ForgeGitHub, env: map[string]string{"GH_TOKEN": "gh-2"}, token: "gh-2"},
		"gitlab prefers its token":  {kind: config.ForgeGitLab, env: map[string]string{"GITLAB_TOKEN": "glpat-1", "CI_JOB_TOKEN": "job-1"}, token: "glpat-1"},
		"gitlab job token":          {kind: config.ForgeGitLab, env: map[string]string{"CI_JOB_TOKEN": "job-1", "GITHUB_TOKEN": "no"}, token: "job-1", job: true},
		"gitea":                     {kind: config.ForgeGitea, env: map[string]string{"GITEA_TOKEN": "tea-1", "GITHUB_TOKEN": "ghs-1"}, token: "tea-1"},
		"gitea actions github name": {kind: config.ForgeGitea, env: map[string]string{"GITHUB_TOKEN": "ghs-1"}, token: "ghs-1"},
		"none":                      {kind: config.ForgeGitLab, env: map[string]string{"GITHUB_TOKEN": "ghs-1"}, fail: true},
	} {
		t.Run(name, func(t *testing.T) {
			token, job, err := forgeToken(c.kind, func(k string) string { return c.env[k] })
			if c.fail {
				if err == nil || !strings.Contains(err.Error(), "GITLAB_TOKEN or CI_JOB_TOKEN") {
					t.Errorf("err = %v, want one naming the variables", err)
				}
				return
			}
			if err != nil || token != c.token || job != c.job {
				t.Errorf("forgeToken = %q, %v, %v; want %q, %v", token, job, err, c.token, c.job)
			}
		})
	}
}

// TestForgeReleaseOnGitea runs the target's body on a tagged pre-release
// against a real Gitea: the release gets the changelog's section as notes
// and the pre-release mark, and the version's archives and installers
// with a SHA256SUMS of exactly them (not the wheel, not another version's
// archive); a second run prints every asset present.
func TestForgeReleaseOnGitea(t *testing.T) {
	testenv.Require(t, "git")
	g := testenv.StartGitea(t)
	u := g.User("maintainer")
	var token struct {
		SHA1 string `json:"sha1"`
	}
	g.API(t, u.Name+":"+u.Password, http.MethodPost, "users/"+u.Name+"/tokens", map[string]any{"name": "forge", "scopes": []string{"write:repository"}}, &token)
	g.API(t, u.Name+":"+u.Password, http.MethodPost, "user/repos", map[string]any{"name": "greet", "auto_init": true, "default_branch": "main"}, nil)
	g.API(t, u.Name+":"+u.Password, http.MethodPost, "repos/"+u.Name+"/greet/tags", map[string]any{"tag_name": "v1.3.0rc1", "target": "main"}, nil)

	dir := filepath.Join(t.TempDir(), "greet")
	for rel, content := range map[string]string{
		"pyproject.toml": "[project]\nname = \"greet\"\ndynamic = [\"version\"]\n\n[tool.pyrelease.forge]\nkind = \"gitea\"\n",
		"CHANGELOG.md":   "# Changelog\n\n## [Unreleased]\n\n## [1.3.0rc1] - 2026-12-01\n\n### Added\n\n- Greets in French.\n\n## [1.2.0] - 2026-01-01\n\n- First.\n",
		".gitignore":     "dist/\n",
	} {
		writeForgeFile(t, dir, rel, content)
	}
	testenv.Git(t, dir, "init", "-q", "-b", "main")
	testenv.Git(t, dir, "add", "-A")
	testenv.Git(t, dir, "commit", "-q", "-m", "Release 1.3.0rc1")
	testenv.Git(t, dir, "tag", "-a", "v1.3.0rc1", "-m", "1.3.0rc1")
	outDir := filepath.Join(dir, "dist")
	var arts []dist.Artifact
	for _, f := range []struct{ name, kind, version string }{
		{"greet-1.3.0rc1-linux-x86_64.tar.gz", dist.KindArchive, "1.3.0rc1"},
		{"greet-1.3.0rc1-linux-x86_64-installer.run", dist.KindInstaller, "1.3.0rc1"},
		{"greet-1.3.0rc1-py3-none-any.whl", dist.KindWheel, "1.3.0rc1"},
		{"greet-1.2.0-linux-x86_64.tar.gz", dist.KindArchive, "1.2.0"},
	} {
		a := dist.Artifact{Name: f.name, Kind: f.kind, Version: f.version, Path: dist.PathFor(f.kind, f.name)}
		writeForgeFile(t, outDir, a.Path, "bytes of "+f.name)
		sum, size, err := dist.Hash(a.File(outDir))
		if err != nil {
			t.Fatal(err)
		}
		a.SHA256, a.Size = sum, size
		arts = append(arts, a)
	}
	if err := dist.Record(context.Background(), outDir, arts...); err != nil {
		t.Fatal(err)
	}

	env := map[string]string{"PYRELEASE_FORGE_URL": g.URL + "api/v1", "PYRELEASE_FORGE_REPOSITORY": u.Name + "/greet", "GITEA_TOKEN": token.SHA1}
	getenv := func(k string) string { return env[k] }
	cfg, err := config.LoadEnv(dir, getenv)
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	p := &project{cfg: cfg, log: clilog.New(&log, slog.LevelInfo), getenv: getenv, now: time.Now}
	sums := arts[1].SHA256 + "  " + arts[1].Name + "\n" + arts[0].SHA256 + "  " + arts[0].Name + "\n"
	want := func(status string) string {
		return strings.Join([]string{
			arts[1].Name + " " + status + " " + arts[1].SHA256,
			arts[0].Name + " " + status + " " + arts[0].SHA256,
			"SHA256SUMS " + status + " " + sha256Hex(sums),
		}, "\n") + "\n"
	}
	for _, status := range []string{"uploaded", "present"} {
		var out bytes.Buffer
		if err := p.forgeRelease(context.Background(), &out, false); err != nil {
			t.Fatalf("%v\n%s", err, log.String())
		}
		if out.String() != want(status) {
			t.Errorf("stdout:\n%s\nwant:\n%s", out.String(), want(status))
		}
	}
	if strings.Contains(log.String(), token.SHA1) {
		t.Errorf("the log shows the token:\n%s", log.String())
	}
	var rel struct {
		Name, Body string
		Prerelease bool
	}
	g.API(t, u.Name+":"+u.Password, http.MethodGet, "repos/"+u.Name+"/greet/releases/tags/v1.3.0rc1", nil, &rel)
	if rel.Name != "greet 1.3.0rc1" || rel.Body != "### Added\n\n- Greets in French." || !rel.Prerelease {
		t.Errorf("release = %+v, want greet 1.3.0rc1, the changelog's section, a pre-release", rel)
	}
	if _, err := os.Stat(filepath.Join(outDir, dist.Sub, "SHA256SUMS")); err == nil {
		t.Errorf("the release's SHA256SUMS was written into dist/")
	}
}

func writeForgeFile(t *testing.T, dir, rel, content string) {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}
