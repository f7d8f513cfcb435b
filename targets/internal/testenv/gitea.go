package testenv

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Gitea is a real Gitea server on loopback with its PyPI package
// registry: the package index the release tests upload to.
type Gitea struct {
	URL string // http://127.0.0.1:PORT/

	t      testing.TB
	bin    string
	dir    string
	config string
	cmd    *exec.Cmd
	log    *bytes.Buffer
}

// GiteaUser is an account of the test server with a package token.
type GiteaUser struct {
	Name, Password, Token string
	UploadURL             string // the user's PyPI upload endpoint
	SimpleURL             string // the user's PEP 503 index
}

// StartGitea starts Gitea (the binary named by PYRELEASE_GITEA, or gitea on
// PATH; its options/ and templates/ must sit beside it, as .ci/run lays
// them out) with a fresh SQLite database, and stops it when the test ends.
// Under CI=true a missing binary fails the test.
func StartGitea(t testing.TB) *Gitea {
	t.Helper()
	bin := os.Getenv("PYRELEASE_GITEA")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("gitea"); err != nil {
			Missing(t, "gitea not found on PATH and PYRELEASE_GITEA unset (.ci/run builds it): %v", err)
		}
	}
	static := filepath.Dir(bin)
	if _, err := os.Stat(filepath.Join(static, "templates")); err != nil {
		Missing(t, "gitea's templates/ and options/ are not beside %s: %v", bin, err)
	}
	dir := t.TempDir()
	addr := freeAddr(t)
	port := addr[strings.LastIndex(addr, ":")+1:]
	g := &Gitea{URL: "http://" + addr + "/", t: t, bin: bin, dir: dir, config: filepath.Join(dir, "app.ini")}
	ini := fmt.Sprintf(`APP_NAME = pyrelease tests
RUN_MODE = prod
I_AM_BEING_UNSAFE_RUNNING_AS_ROOT = true
WORK_PATH = %[1]s

[server]
HTTP_ADDR = 127.0.0.1
HTTP_PORT = %[2]s
ROOT_URL = http://%[3]s/
STATIC_ROOT_PATH = %[4]s
APP_DATA_PATH = %[1]s/data
OFFLINE_MODE = true
DISABLE_SSH = true

[database]
DB_TYPE = sqlite3
PATH = %[1]s/gitea.db

[security]
INSTALL_LOCK = true

[packages]
ENABLED = true

[repository]
ROOT = %[1]s/repos

[log]
LEVEL = Warn
ROOT_PATH = %[1]s/log

[service]
DISABLE_REGISTRATION = true

[cron]
ENABLED = false
`, dir, port, addr, static)
	if err := os.WriteFile(g.config, []byte(ini), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := g.run("migrate"); err != nil {
		t.Fatalf("gitea migrate: %v", err)
	}
	g.start()
	t.Cleanup(g.Stop)
	return g
}

func (g *Gitea) env() []string {
	return append(os.Environ(), "GITEA_WORK_DIR="+g.dir, "HOME="+g.dir, "I_AM_BEING_UNSAFE_RUNNING_AS_ROOT=true")
}

// run runs a gitea CLI command against this server's configuration.
func (g *Gitea) run(args ...string) (string, error) {
	cmd := exec.Command(g.bin, append(args, "--config", g.config, "--work-path", g.dir)...)
	cmd.Env = g.env()
	cmd.Dir = g.dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("gitea %s: %v: %s %s", strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String(), nil
}

func (g *Gitea) start() {
	g.t.Helper()
	g.log = &bytes.Buffer{}
	cmd := exec.Command(g.bin, "web", "--config", g.config, "--work-path", g.dir)
	cmd.Env = g.env()
	cmd.Dir = g.dir
	cmd.Stdout, cmd.Stderr = g.log, g.log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		g.t.Fatalf("starting gitea: %v", err)
	}
	g.cmd = cmd
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(g.URL + "api/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	g.Stop()
	g.t.Fatalf("gitea did not become ready at %s: %s", g.URL, g.log)
}

// Stop kills the server.
func (g *Gitea) Stop() {
	if g.cmd == nil || g.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-g.cmd.Process.Pid, syscall.SIGKILL)
	_ = g.cmd.Wait()
	g.cmd = nil
}

// User creates an account with a token allowed to write packages.
func (g *Gitea) User(name string) GiteaUser {
	g.t.Helper()
	u := GiteaUser{Name: name, Password: "pw-" + name + "-0123456789"}
	if _, err := g.run("admin", "user", "create", "--username", name, "--password", u.Password,
		"--email", name+"@example.test", "--must-change-password=false"); err != nil {
		g.t.Fatal(err)
	}
	out, err := g.run("admin", "user", "generate-access-token", "--username", name, "--token-name", "release",
		"--scopes", "write:package,read:package", "--raw")
	if err != nil {
		g.t.Fatal(err)
	}
	// As root a warning line comes first: the token is the last line.
	lines := strings.Fields(strings.TrimSpace(out))
	if len(lines) == 0 {
		g.t.Fatalf("gitea printed no token")
	}
	u.Token = lines[len(lines)-1]
	u.UploadURL = g.URL + "api/packages/" + name + "/pypi"
	u.SimpleURL = u.UploadURL + "/simple/"
	return u
}

// Log returns what the server printed.
func (g *Gitea) Log() string { return g.log.String() }
