package targets_test

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/archive"
	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// TestReadme runs the commands README.md shows and compares what they
// print with what the README says they print, so the README cannot drift
// from the code.
//
// Executed:
//   - the first line of the README's first ```sh block, `cd examples && go
//     tool mage wheel snapshot`: run by sh with the real `go tool mage` in a
//     temporary git repository laid out as this module (go.mod, go.sum,
//     targets/ linked, examples/ copied), so the real examples/ is left
//     alone. It must exit 0 and leave the snapshot's index.html where the
//     README says.
//   - every ```console block, which must follow a comment
//     `<!-- readme-test: STATE [gitea] -->`. Its `$ ` lines run in order in
//     one sh process (so cd and export carry over), in a fresh copy of
//     examples/ made a git repository in STATE: "on-tag" is one commit
//     tagged v0.1.0, "after-tag" one commit more. `go tool mage` runs the
//     compiled example magefile. "gitea" runs the block against a Gitea
//     package registry, with PYRELEASE_REPOSITORY and PYRELEASE_TOKEN set
//     for a user of its own. "forge" adds that user's Gitea repository
//     greet, holding the block's commits and tags, as the forge of
//     forgerelease (PYRELEASE_FORGE_* and GITEA_TOKEN). "docs" sets
//     PYRELEASE_PYTHON to an interpreter with Sphinx and MkDocs
//     (PYRELEASE_DOCS_PYTHON, as .ci/run installs it).
//
// The lines after a command, up to the next `$ `, are what it prints: lines
// starting with "pyrelease: " or "Error: " are stderr, the others stdout.
// Stdout must be exactly those lines, each stderr line must be printed (a
// "…" in it matches anything), and the command must fail exactly when the
// README shows an "Error: " line. Before comparing, both sides have their
// hashes (the README shortens them with "…"), sizes,
// commit ids, dates, the temporary home directory (/home/me in the README),
// the Gitea address and the machine's platform tag normalised.
//
// Not executed: the second top command (`go tool mage test` is the suite
// this test belongs to), the Quickstart (it downloads modules), ```text
// blocks (errors that need another interpreter, server or credentials)
// and configuration examples.
func TestReadme(t *testing.T) {
	testenv.Require(t, "git")
	testenv.Require(t, "sh")
	blocks, err := readmeBlocks(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	env := newReadmeEnv(t)

	t.Run("top command", func(t *testing.T) {
		var first string
		for _, b := range blocks {
			if b.lang == "sh" && len(b.lines) > 0 {
				first = b.lines[0]
				break
			}
		}
		if !strings.HasPrefix(first, "cd examples && go tool mage wheel snapshot") {
			t.Fatalf("README.md: the first ```sh block starts with %q, want the main job `cd examples && go tool mage wheel snapshot`", first)
		}
		requirePythonBuild(t)
		env.runTopCommand(t, first)
	})

	var gitea *testenv.Gitea
	for _, b := range blocks {
		if b.lang == "console" && (b.gitea || b.forge) {
			if _, err := exec.LookPath("gitea"); err == nil || os.Getenv("PYRELEASE_GITEA") != "" || testenv.InCI() {
				gitea = testenv.StartGitea(t)
			}
			break
		}
	}
	users := 0
	for _, b := range blocks {
		if b.lang != "console" {
			continue
		}
		cmds, err := parseConsole(b)
		if err != nil {
			t.Error(err)
			continue
		}
		if !b.tested {
			if usesMage(cmds) {
				t.Errorf("README.md:%d: a ```console block with `go tool mage` lacks its <!-- readme-test: STATE --> comment", b.line)
			}
			continue
		}
		t.Run(fmt.Sprintf("README.md:%d", b.line), func(t *testing.T) {
			for _, c := range cmds {
				if c.targets["wheel"] || c.targets["bdist"] || c.targets["installer"] {
					requirePythonBuild(t)
				}
				if c.targets["installer"] {
					testenv.Require(t, "makeself")
					testenv.Require(t, "makensis")
				}
			}
			run := readmeRun{state: b.state}
			if b.docs {
				py := os.Getenv("PYRELEASE_DOCS_PYTHON")
				if py == "" {
					testenv.Missing(t, "README.md:%d needs Sphinx and MkDocs: set PYRELEASE_DOCS_PYTHON to a python3 that has them (.ci/run does)", b.line)
				}
				run.env = append(run.env, "PYRELEASE_PYTHON="+py)
				run.replace = append(run.replace, py, "/home/me/.venv/bin/python")
			}
			if b.gitea || b.forge {
				if gitea == nil {
					testenv.Missing(t, "README.md:%d needs Gitea: set PYRELEASE_GITEA or put gitea on PATH", b.line)
				}
				users++
				// The server's own method: a failure must end this subtest,
				// not the parent that started the server.
				u, err := gitea.Gitea.User(t.Context(), fmt.Sprintf("readme%d", users))
				if err != nil {
					t.Fatal(err)
				}
				run.env = append(run.env, "PYRELEASE_REPOSITORY="+u.UploadURL, "PYRELEASE_TOKEN="+u.Token)
				// Longest first: the user's URLs before the server's.
				run.replace = append(run.replace,
					u.UploadURL, "http://127.0.0.1:3000/api/packages/me/pypi",
					gitea.URL+u.Name+"/", "http://127.0.0.1:3000/me/",
					gitea.URL, "http://127.0.0.1:3000/",
				)
				if b.forge {
					run.replace = append(run.replace, u.Name+"/greet", "me/greet")
					token := readmeForge(t, gitea, u)
					run.env = append(run.env, "GITEA_TOKEN="+token, "PYRELEASE_FORGE_KIND=gitea",
						"PYRELEASE_FORGE_URL="+gitea.URL+"api/v1", "PYRELEASE_FORGE_REPOSITORY="+u.Name+"/greet")
					remote := strings.Replace(gitea.URL, "://", "://"+u.Name+":"+u.Password+"@", 1) + u.Name + "/greet.git"
					run.setup = func(t *testing.T, work string, env []string) {
						if _, err := gitRun(work, env, "push", "-q", remote, "main", "--tags"); err != nil {
							t.Fatal(err)
						}
					}
				}
			}
			env.runBlock(t, b, cmds, run)
		})
	}
}

// readmeBlock is a fenced block of the README.
type readmeBlock struct {
	line   int // of the opening fence, 1-based
	lang   string
	lines  []string
	tested bool   // a readme-test comment precedes it
	state  string // "on-tag" or "after-tag"
	gitea  bool
	forge  bool
	docs   bool
}

var readmeDirective = regexp.MustCompile(`^<!-- readme-test: (.*) -->$`)

// readmeBlocks returns the fenced blocks of a markdown file, each with the
// readme-test comment on the line before its fence, if any.
func readmeBlocks(path string) ([]readmeBlock, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var (
		blocks []readmeBlock
		cur    *readmeBlock
		prev   string
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur != nil && strings.TrimSpace(line) == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.lines = append(cur.lines, line)
		case strings.HasPrefix(line, "```"):
			cur = &readmeBlock{line: n, lang: strings.TrimPrefix(line, "```")}
			if m := readmeDirective.FindStringSubmatch(prev); m != nil {
				cur.tested = true
				for _, word := range strings.Fields(m[1]) {
					switch word {
					case "on-tag", "after-tag":
						cur.state = word
					case "gitea":
						cur.gitea = true
					case "forge":
						cur.forge = true
					case "docs":
						cur.docs = true
					default:
						return nil, fmt.Errorf("%s:%d: unknown word %q in the readme-test comment (want on-tag, after-tag, gitea, forge, docs)", path, n-1, word)
					}
				}
				if cur.state == "" {
					return nil, fmt.Errorf("%s:%d: the readme-test comment names no state (on-tag or after-tag)", path, n-1)
				}
			}
		}
		prev = line
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if cur != nil {
		return nil, fmt.Errorf("%s:%d: block not closed", path, cur.line)
	}
	return blocks, nil
}

// consoleCommand is one `$ ` line of a console block and what the README
// says it prints.
type consoleCommand struct {
	line    int
	command string
	stdout  []string
	stderr  []string
	fails   bool            // an "Error: " line is shown
	targets map[string]bool // mage targets the line runs
}

var mageCall = regexp.MustCompile(`go tool mage((?:\s+[^\s|;&>]+)*)`)

func parseConsole(b readmeBlock) ([]consoleCommand, error) {
	var cmds []consoleCommand
	for i, line := range b.lines {
		if cmd, ok := strings.CutPrefix(line, "$ "); ok {
			c := consoleCommand{line: b.line + 1 + i, command: cmd, targets: map[string]bool{}}
			for _, m := range mageCall.FindAllStringSubmatch(cmd, -1) {
				for _, arg := range strings.Fields(m[1]) {
					if !strings.HasPrefix(arg, "-") {
						c.targets[arg] = true
					}
				}
			}
			cmds = append(cmds, c)
			continue
		}
		if len(cmds) == 0 {
			return nil, fmt.Errorf("README.md:%d: console block output before the first `$ ` command", b.line+1+i)
		}
		c := &cmds[len(cmds)-1]
		switch {
		case strings.HasPrefix(line, "Error: "):
			c.fails = true
			c.stderr = append(c.stderr, line)
		case strings.HasPrefix(line, "pyrelease: "):
			c.stderr = append(c.stderr, line)
		default:
			c.stdout = append(c.stdout, line)
		}
	}
	return cmds, nil
}

func usesMage(cmds []consoleCommand) bool {
	for _, c := range cmds {
		if strings.Contains(c.command, "go tool mage") {
			return true
		}
	}
	return false
}

// readmeEnv is what every block runs with.
type readmeEnv struct {
	mage    string // the compiled example magefile
	goBin   string // the real go command
	example string // ../examples, absolute
	module  string // the module root, absolute
	base    []string
}

func newReadmeEnv(t *testing.T) *readmeEnv {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	module, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	e := &readmeEnv{mage: compileExample(t), goBin: goBin, example: filepath.Join(module, "examples"), module: module}
	// Only what the commands need passes through: no CI, pip, twine, AWS
	// or pyrelease variables of the machine. Go's caches are named
	// explicitly, as HOME moves to a temporary directory.
	for _, k := range []string{"PATH", "TMPDIR", "LANG", "LC_ALL", "GOPROXY", "GOFLAGS", "GONOSUMDB", "GONOPROXY", "GOPRIVATE", "GOSUMDB", "GOTOOLCHAIN", "GOROOT"} {
		if v, ok := os.LookupEnv(k); ok {
			e.base = append(e.base, k+"="+v)
		}
	}
	out, err := exec.Command(goBin, "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	for i, v := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		e.base = append(e.base, []string{"GOCACHE", "GOMODCACHE", "GOPATH"}[i]+"="+v)
	}
	e.base = append(e.base,
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=Ada Lovelace", "GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_COMMITTER_NAME=Ada Lovelace", "GIT_COMMITTER_EMAIL=ada@example.com",
		"GIT_AUTHOR_DATE=2026-11-01T12:00:00Z", "GIT_COMMITTER_DATE=2026-11-01T12:00:00Z",
		// The interpreter the README's output names; pip sees only what a
		// build gives it.
		"PYRELEASE_PYTHON=/usr/bin/python3",
		"PIP_FIND_LINKS=/nonexistent", "PIP_INDEX_URL=http://127.0.0.1:9/simple",
		"PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_CACHE_DIR=1",
	)
	return e
}

// requirePythonBuild needs the interpreter the README's builds use.
func requirePythonBuild(t *testing.T) {
	t.Helper()
	const py = "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import setuptools.build_meta, wheel, venv, pip").Run(); err != nil {
		testenv.Missing(t, "%s cannot import setuptools, wheel, venv and pip (apt-get install python3-pip python3-venv): %v", py, err)
	}
}

// runTopCommand runs the README's main job with the real go tool mage in a
// copy of this module's layout.
func (e *readmeEnv) runTopCommand(t *testing.T, line string) {
	root := t.TempDir()
	for _, name := range []string{"go.mod", "go.sum"} {
		data, err := os.ReadFile(filepath.Join(e.module, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The magefile imports the targets package of this tree, as it does in
	// the repository.
	if err := os.Symlink(filepath.Join(e.module, "targets"), filepath.Join(root, "targets")); err != nil {
		t.Fatal(err)
	}
	examples := filepath.Join(root, "examples")
	if err := copyProject(e.example, examples); err != nil {
		t.Fatal(err)
	}
	if err := copyDir(filepath.Join(e.example, "magefiles"), filepath.Join(examples, "magefiles")); err != nil {
		t.Fatal(err)
	}
	gitInit(t, root, e.base)
	home := filepath.Join(t.TempDir(), "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", line)
	cmd.Dir = root
	cmd.Env = append(append([]string{}, e.base...), "HOME="+home)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("README.md: %s: %v\n%s", line, err, out)
	}
	if !regexp.MustCompile(`(?m)^dist/greet-\S+-py3-none-any\.whl \d+ [0-9a-f]{64}$`).Match(out) {
		t.Errorf("README.md: %s printed no wheel line (path size sha256):\n%s", line, out)
	}
	if _, err := os.Stat(filepath.Join(root, ".git", "pyrelease", "examples", "snapshots", "index.html")); err != nil {
		t.Errorf("README.md: %s: the snapshot's index.html is not in .git/pyrelease/examples/snapshots/: %v\n%s", line, err, out)
	}
	if _, err := os.Stat(filepath.Join(examples, ".pyrelease")); err == nil {
		t.Errorf("README.md: %s: left examples/.pyrelease in the source tree", line)
	}
}

// readmeRun is what one block runs with besides the common environment.
type readmeRun struct {
	state   string
	env     []string
	replace []string // old, new pairs applied to the output before comparing
	// setup runs in the block's repository, made in its state, before the
	// block.
	setup func(t *testing.T, work string, env []string)
}

// runBlock runs a console block's commands in one shell and compares what
// each printed with the README.
func (e *readmeEnv) runBlock(t *testing.T, b readmeBlock, cmds []consoleCommand, r readmeRun) {
	tmp := t.TempDir()
	home := filepath.Join(tmp, "home")
	work := filepath.Join(home, "greet")
	out := filepath.Join(tmp, "out")
	bin := filepath.Join(tmp, "bin")
	for _, d := range []string{out, bin} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := copyProject(e.example, work); err != nil {
		t.Fatal(err)
	}
	gitInit(t, work, e.base)
	steps := [][]string{{"tag", "-a", "v0.1.0", "-m", "Release 0.1.0"}}
	if r.state == "after-tag" {
		steps = append(steps, []string{"commit", "-q", "--allow-empty", "-m", "More work"})
	}
	for _, args := range steps {
		if _, err := gitRun(work, e.base, args...); err != nil {
			t.Fatal(err)
		}
	}
	if r.setup != nil {
		r.setup(t, work, e.base)
	}
	// `go tool mage` is the compiled example magefile; any other go
	// command is the real one.
	shim := fmt.Sprintf("#!/bin/sh\nif [ \"$1\" = tool ] && [ \"$2\" = mage ]; then shift 2; exec %s \"$@\"; fi\nexec %s \"$@\"\n",
		shellQuote(e.mage), shellQuote(e.goBin))
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte(shim), 0o755); err != nil {
		t.Fatal(err)
	}
	var script strings.Builder
	script.WriteString("set +e\n")
	for i, c := range cmds {
		fmt.Fprintf(&script, "{ %s\n} >\"$READMEOUT/%d.out\" 2>\"$READMEOUT/%d.err\" </dev/null; echo $? >\"$READMEOUT/%d.rc\"\n", c.command, i, i, i)
	}
	env := append([]string{}, e.base...)
	for i, kv := range env {
		if strings.HasPrefix(kv, "PATH=") {
			env[i] = "PATH=" + bin + string(os.PathListSeparator) + strings.TrimPrefix(kv, "PATH=")
		}
	}
	env = append(env, "HOME="+home, "READMEOUT="+out)
	env = append(env, r.env...)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", script.String())
	cmd.Dir, cmd.Env = work, env
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("README.md:%d: the block's shell failed: %v\n%s", b.line, err, msg)
	}

	replace := append([]string{home, "/home/me", tmp, "/tmp/readme"}, r.replace...)
	if p := archive.Platform(runtime.GOOS, runtime.GOARCH); p != "linux-x86_64" {
		replace = append(replace, p, "linux-x86_64")
	}
	for i, c := range cmds {
		stdout, stderr, code := readResult(t, out, i)
		stdout, stderr = normalise(stdout, replace), normalise(stderr, replace)
		where := fmt.Sprintf("README.md:%d: $ %s", c.line, c.command)
		if failed := code != 0; failed != c.fails {
			t.Errorf("%s: exit status %d, want %s\nstdout:\n%s\nstderr:\n%s", where, code, map[bool]string{false: "0", true: "not 0"}[c.fails], stdout, stderr)
			continue
		}
		want := normalise(strings.Join(c.stdout, "\n"), nil)
		if got := strings.TrimSuffix(stdout, "\n"); got != want {
			t.Errorf("%s: stdout differs from the README\ngot:\n%s\nwant:\n%s\nstderr:\n%s", where, got, want, stderr)
		}
		lines := strings.Split(stderr, "\n")
		for _, w := range c.stderr {
			re := regexp.MustCompile("^" + strings.ReplaceAll(regexp.QuoteMeta(normalise(w, nil)), "…", ".*") + "$")
			found := false
			for _, l := range lines {
				if re.MatchString(l) {
					found = true
					break
				}
			}
			if !found {
				t.Errorf("%s: stderr lacks the README's line\n%s\nstderr:\n%s", where, w, stderr)
			}
		}
	}
}

func readResult(t *testing.T, dir string, i int) (stdout, stderr string, code int) {
	t.Helper()
	read := func(ext string) string {
		data, err := os.ReadFile(filepath.Join(dir, strconv.Itoa(i)+ext))
		if err != nil {
			t.Fatalf("the command did not run to its end: %v", err)
		}
		return string(data)
	}
	stdout, stderr = read(".out"), read(".err")
	code, err := strconv.Atoi(strings.TrimSpace(read(".rc")))
	if err != nil {
		t.Fatal(err)
	}
	return stdout, stderr, code
}

var normalisers = []struct {
	re   *regexp.Regexp
	with string
}{
	// Full hashes, and the README's shortened ones.
	{regexp.MustCompile(`\b[0-9a-f]{64}\b|\b[0-9a-f]{4,63}…`), "<sha256>"},
	// Sizes differ with the backend's version; they come before hashes,
	// and in the size and bytes fields of log lines.
	{regexp.MustCompile(`\b\d+ <sha256>`), "<size> <sha256>"},
	{regexp.MustCompile(`\b(size|bytes)=\d+\b`), "${1}=<size>"},
	// Commit ids, in describe output and local versions too.
	{regexp.MustCompile(`([-+])g[0-9a-f]{7,40}\b`), "${1}g<commit>"},
	{regexp.MustCompile(`\b[0-9a-f]{7,40}\b`), "<commit>"},
	{regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))?`), "<date>"},
	{regexp.MustCompile(`127\.0\.0\.1:\d+`), "127.0.0.1:<port>"},
}

// normalise applies the old, new pairs of replace and then the
// normalisers to s.
func normalise(s string, replace []string) string {
	for i := 0; i+1 < len(replace); i += 2 {
		if replace[i] != "" {
			s = strings.ReplaceAll(s, replace[i], replace[i+1])
		}
	}
	for _, n := range normalisers {
		s = n.re.ReplaceAllString(s, n.with)
	}
	return s
}

// gitInit makes dir a git repository on branch main with one commit of
// everything in it.
func gitInit(t *testing.T, dir string, env []string) {
	t.Helper()
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"add", "-A"},
		{"commit", "-q", "-m", "Initial commit"},
	} {
		if _, err := gitRun(dir, env, args...); err != nil {
			t.Fatal(err)
		}
	}
}

func gitRun(dir string, env []string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// copyDir copies a directory tree of regular files.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
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
		return os.WriteFile(target, data, 0o644)
	})
}

// shellQuote quotes s for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// readmeForge creates u's repository greet on the Gitea server, empty, and
// returns a token of u allowed to write repositories (releases and their
// assets).
func readmeForge(t *testing.T, g *testenv.Gitea, u testenv.GiteaUser) string {
	t.Helper()
	var token struct {
		SHA1 string `json:"sha1"`
	}
	g.API(t, u.Name+":"+u.Password, http.MethodPost, "users/"+u.Name+"/tokens", map[string]any{"name": "forge", "scopes": []string{"write:repository"}}, &token)
	g.API(t, u.Name+":"+u.Password, http.MethodPost, "user/repos", map[string]any{"name": "greet", "default_branch": "main"}, nil)
	return token.SHA1
}
