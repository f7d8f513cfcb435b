package targets

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/config"
	"github.com/pyrelease/pyrelease/targets/internal/clilog"
	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// bumpProject is a copy of the example project in a git repository, v0.1.0
// tagged and a commit after the tag, loaded as a target would load it with
// env as its environment.
func bumpProject(t *testing.T, env map[string]string) (*project, *bytes.Buffer) {
	t.Helper()
	testenv.Require(t, "git")
	dir := filepath.Join(t.TempDir(), "proj")
	if err := copyExample(filepath.Join("..", "examples"), dir); err != nil {
		t.Fatal(err)
	}
	testenv.Git(t, dir, "init", "-q", "-b", "main")
	testenv.Git(t, dir, "add", "-A")
	testenv.Git(t, dir, "commit", "-q", "-m", "Initial commit")
	testenv.Git(t, dir, "tag", "-a", "v0.1.0", "-m", "Release 0.1.0")
	testenv.Git(t, dir, "commit", "-q", "--allow-empty", "-m", "Add --shout")
	return loadBumpProject(t, dir, env)
}

func loadBumpProject(t *testing.T, dir string, env map[string]string) (*project, *bytes.Buffer) {
	t.Helper()
	vars := map[string]string{
		"GIT_AUTHOR_NAME": "Ann", "GIT_AUTHOR_EMAIL": "ann@example.com",
		"GIT_COMMITTER_NAME": "Ann", "GIT_COMMITTER_EMAIL": "ann@example.com",
	}
	maps.Copy(vars, env)
	for k, v := range vars {
		if v == "" {
			delete(vars, k)
		}
	}
	getenv := func(k string) string { return vars[k] }
	cfg, err := config.LoadEnv(dir, getenv)
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	return &project{cfg: cfg, log: clilog.New(&log, slog.LevelInfo), getenv: getenv,
		now: func() time.Time { return time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC) }}, &log
}

// copyExample copies the example project without its magefile.
func copyExample(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() && d.Name() == "magefiles" {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
}

// treeState is every file of a project, .git included, byte for byte.
func treeState(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = fmt.Sprintf("%v %x", info.Mode(), sha256.Sum256(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func countObjects(files map[string]string) int {
	n := 0
	for f := range files {
		if strings.HasPrefix(f, ".git/objects/") && !strings.HasPrefix(f, ".git/objects/info/") && !strings.HasPrefix(f, ".git/objects/pack/") {
			n++
		}
	}
	return n
}

func diffStates(before, after map[string]string) []string {
	var diffs []string
	for f, s := range before {
		if after[f] != s {
			diffs = append(diffs, f)
		}
	}
	for f := range after {
		if _, ok := before[f]; !ok {
			diffs = append(diffs, f+" (new)")
		}
	}
	slices.Sort(diffs)
	return diffs
}

// TestBumpDryRunChangesNothing: the dry run prints the whole plan, and
// the repository (refs, index, objects, working tree) is byte-identical
// after it.
func TestBumpDryRunChangesNothing(t *testing.T) {
	p, log := bumpProject(t, map[string]string{"PYRELEASE_PUSH": "true"})
	testenv.Git(t, p.cfg.Dir, "remote", "add", "origin", "https://user:hunter2@example.com/greet.git")
	testenv.Git(t, p.cfg.Dir, "status", "--porcelain") // settles the index's stat data first
	before := treeState(t, p.cfg.Dir)
	if err := p.bump(t.Context(), "minor", true, true); err != nil {
		t.Fatal(err)
	}
	after := treeState(t, p.cfg.Dir)
	if d := diffStates(before, after); len(d) > 0 {
		t.Errorf("the dry run changed %v (objects %d -> %d)", d, countObjects(before), countObjects(after))
	}
	for _, want := range []string{
		`bump plan from=0.1.0 to=0.2.0 tag=v0.2.0 files=1 changelog=`,
		`would write file=src/greet/version.py`,
		`would write file=CHANGELOG.md`,
		`would add the changelog heading file=CHANGELOG.md heading="## [0.2.0] - 2026-12-01"`,
		`would commit message="Release 0.2.0" author="Ann <ann@example.com>"`,
		`would tag tag=v0.2.0`,
		`would commit message="Back to development: 0.2.1.dev0"`,
		`would push remote=origin url=https://user:xxxxx@example.com/greet.git refs="refs/heads/main refs/tags/v0.2.0"`,
	} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("the plan lacks %q:\n%s", want, log.String())
		}
	}
	if strings.Contains(log.String(), "hunter2") {
		t.Errorf("the remote's password is in the log:\n%s", log.String())
	}
}

// TestBumpDryRunFailsWhereTheRunFails: for each precondition, the dry
// run and the real run fail with the same error, and neither changes
// anything.
func TestBumpDryRunFailsWhereTheRunFails(t *testing.T) {
	tests := map[string]struct {
		env   map[string]string
		part  string
		setup func(t *testing.T, dir string)
		want  string
	}{
		"unknown part": {part: "huge", want: `unknown part "huge"`},
		"dirty tree": {
			setup: func(t *testing.T, dir string) { writeTestFile(t, dir, "README.md", "edited\n") },
			want:  "uncommitted changes",
		},
		"no identity": {
			env: map[string]string{"GIT_AUTHOR_NAME": "", "GIT_AUTHOR_EMAIL": "", "GIT_COMMITTER_NAME": "", "GIT_COMMITTER_EMAIL": ""},
			setup: func(t *testing.T, dir string) {
				t.Setenv("HOME", t.TempDir())
				t.Setenv("XDG_CONFIG_HOME", t.TempDir())
			},
			want: "set user.name and user.email",
		},
		"tag exists": {
			setup: func(t *testing.T, dir string) { testenv.Git(t, dir, "tag", "v0.1.1", "HEAD~1") },
			want:  "tag v0.1.1 exists already",
		},
		"no unreleased section": {
			setup: func(t *testing.T, dir string) {
				writeTestFile(t, dir, "CHANGELOG.md", "# Changelog\n\n## [0.1.0] - 2026-11-01\n")
				testenv.Git(t, dir, "commit", "-q", "-am", "changelog")
			},
			want: "no unreleased section",
		},
		"no unreleased section in a changelog found, not configured": {
			setup: func(t *testing.T, dir string) {
				writeTestFile(t, dir, "CHANGELOG.md", "# Changelog\n\n## [0.1.0](https://forge.example.test/compare/0.0.9...0.1.0) (2026-11-01)\n")
				data, err := os.ReadFile(filepath.Join(dir, "pyproject.toml"))
				if err != nil {
					t.Fatal(err)
				}
				writeTestFile(t, dir, "pyproject.toml", strings.Replace(string(data), "changelog = \"CHANGELOG.md\"\n", "", 1))
				testenv.Git(t, dir, "commit", "-q", "-am", "changelog written at release time")
			},
			want: `is released: add "## [Unreleased]" above it` + "\nbump: or, to bump without editing CHANGELOG.md, set changelog = \"none\" in [tool.pyrelease] of ",
		},
		"push without the remote": {
			env:  map[string]string{"PYRELEASE_PUSH": "true"},
			want: `no remote "origin"`,
		},
		"push to a remote without a URL": {
			env: map[string]string{"PYRELEASE_PUSH": "true"},
			setup: func(t *testing.T, dir string) {
				testenv.Git(t, dir, "config", "remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*")
			},
			want: `remote "origin"`,
		},
		"version files disagree": {
			env: map[string]string{"PYRELEASE_VERSION_FILE": "src/greet/version.py,src/greet/other.py"},
			setup: func(t *testing.T, dir string) {
				writeTestFile(t, dir, "src/greet/other.py", "VERSION = \"0.0.9\"\n")
				testenv.Git(t, dir, "add", "src/greet/other.py")
				testenv.Git(t, dir, "commit", "-q", "-m", "other")
			},
			want: "version files disagree",
		},
		"the version file is ahead": {
			setup: func(t *testing.T, dir string) {
				testenv.Git(t, dir, "tag", "-a", "v8.4.2", "-m", "Release 8.4.2")
				writeTestFile(t, dir, "src/greet/version.py", "VERSION = \"8.5.0.dev0\"\n")
				testenv.Git(t, dir, "commit", "-q", "-am", "Towards 8.5.0")
			},
			want: `src/greet/version.py holds 8.5.0.dev0, and bump patch from the nearest tag reachable from HEAD, v8.4.2 (8.4.2) would write 8.4.3, a lower version: bump minor (to 8.5.0) instead`,
		},
		"index locked": {
			setup: func(t *testing.T, dir string) { writeTestFile(t, dir, ".git/index.lock", "") },
			want:  "index.lock exists",
		},
		"branch locked": {
			setup: func(t *testing.T, dir string) { writeTestFile(t, dir, ".git/refs/heads/main.lock", "") },
			want:  "main.lock exists",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			p, _ := bumpProject(t, tt.env)
			if tt.setup != nil {
				tt.setup(t, p.cfg.Dir)
				p, _ = loadBumpProject(t, p.cfg.Dir, tt.env)
			}
			part := cmpOr(tt.part, "patch")
			before := treeState(t, p.cfg.Dir)
			dryErr := p.bump(t.Context(), part, false, true)
			if d := diffStates(before, treeState(t, p.cfg.Dir)); len(d) > 0 {
				t.Errorf("the dry run changed %v", d)
			}
			err := p.bump(t.Context(), part, false, false)
			if d := diffStates(before, treeState(t, p.cfg.Dir)); len(d) > 0 {
				t.Errorf("the failed run changed %v", d)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("run: err = %v, want it to contain %q", err, tt.want)
			}
			t.Log(err)
			if dryErr == nil || dryErr.Error() != err.Error() {
				t.Errorf("dry run: err = %v\nwant the run's: %v", dryErr, err)
			}
		})
	}
}

func writeTestFile(t *testing.T, dir, rel, content string) {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// TestVersionComputedOncePerRun: the targets of one run get the version
// computed first (HEAD is described once), and a bump, which moves HEAD,
// makes the next target compute it again.
func TestVersionComputedOncePerRun(t *testing.T) {
	p, _ := bumpProject(t, nil)
	t.Cleanup(p.forgetVersion)
	first, err := p.versionInfo(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if first.Version != "0.1.1.dev1" {
		t.Fatalf("version = %s, want 0.1.1.dev1", first.Version)
	}
	testenv.Git(t, p.cfg.Dir, "commit", "-q", "--allow-empty", "-m", "More")
	// Another target of the same run, loaded afresh.
	again, _ := loadBumpProject(t, p.cfg.Dir, nil)
	if got, err := again.versionInfo(t.Context()); err != nil || got.Commit != first.Commit {
		t.Errorf("second target: version of %s, %v; want the memoised one of %s", got.Commit, err, first.Commit)
	}
	if err := p.bump(t.Context(), "minor", false, false); err != nil {
		t.Fatal(err)
	}
	after, err := again.versionInfo(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if after.Version != "0.2.0" || !after.Tagged {
		t.Errorf("after the bump: version %s (tagged %v), want 0.2.0 tagged", after.Version, after.Tagged)
	}
}
