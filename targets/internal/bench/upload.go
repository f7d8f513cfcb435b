package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/pyrelease/pyrelease/targets/dist"
)

// uploadScenario is what -only matches to select the package index row.
const uploadScenario = "500 MB file to a local package index (Gitea)"

// Registered here rather than in main so that the upload row stays in one
// file.
var uploadRuns = flag.Int("uploadruns", 2, "timed runs of each side in the package index scenario")

// The wheel both sides upload.
const (
	wheelName    = "bench-1.0.0-py3-none-any.whl"
	wheelProject = "bench"
	wheelPayload = 500 << 20
	twineBin     = "/usr/bin/twine"
)

// uploadOptions configure uploadBench.
type uploadOptions struct {
	cmd  string // uploadcmd, built by run
	work string // scratch directory, on the same disk as Gitea's data
	runs int    // timed runs per side
}

// uploadBench times uploadcmd (package pypi) against Debian's twine
// uploading the same 500 MiB wheel to the PyPI registry of a local Gitea.
// Gitea refuses a file it already has, so every run goes to an account of
// its own, made before the clock starts.
func uploadBench(ctx context.Context, o uploadOptions) ([]row, error) {
	if o.runs < 1 {
		return nil, fmt.Errorf("package index: -uploadruns %d: want at least 1 run", o.runs)
	}
	if _, err := os.Stat(twineBin); err != nil {
		return nil, fmt.Errorf("package index: Debian's twine is needed as the peer (apt-get install twine): %w", err)
	}
	twineVersion := "twine"
	if out, err := exec.CommandContext(ctx, twineBin, "--version").Output(); err == nil {
		// "twine version 4.0.2 (importlib-metadata: ...)"
		if f := strings.Fields(string(out)); len(f) > 2 {
			twineVersion = "twine " + f[2]
		}
	}
	bin := os.Getenv("PYRELEASE_GITEA")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("gitea"); err != nil {
			return nil, fmt.Errorf("package index: Gitea is needed: set PYRELEASE_GITEA to its binary or put gitea on PATH (.ci/run builds it): %w", err)
		}
	}
	dir := filepath.Join(o.work, "upload")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	wheel := filepath.Join(dir, wheelName)
	start := time.Now()
	if err := writeWheel(wheel, wheelPayload, rand.NewChaCha8([32]byte{2})); err != nil {
		return nil, fmt.Errorf("package index: %w", err)
	}
	sum, size, err := dist.Hash(wheel)
	if err != nil {
		return nil, fmt.Errorf("package index: %w", err)
	}
	fmt.Fprintf(os.Stderr, "bench: package index: %s (%d bytes) generated in %s\n", wheelName, size, time.Since(start).Round(time.Millisecond))

	srv, err := startGitea(ctx, bin, filepath.Join(o.work, "gitea"))
	if err != nil {
		return nil, err
	}
	defer srv.stop()

	// Gitea stores one blob per content for all accounts: the first
	// upload of the wheel writes it to the package store, later ones only
	// find it there. An untimed first upload gives every timed run, of
	// either side, the same work.
	warm, err := srv.user(ctx, "warmup")
	if err != nil {
		return nil, err
	}
	if _, _, err := timed(ctx, dir, os.Environ(), []string{o.cmd, warm.uploadURL, warm.name, warm.token, wheel}); err != nil {
		return nil, fmt.Errorf("package index: first upload: %w", err)
	}
	if err := checkListed(ctx, warm, sum); err != nil {
		return nil, fmt.Errorf("package index: after the first upload: %w", err)
	}

	home := filepath.Join(dir, "home") // empty: no .pypirc or keyring of the user's
	if err := os.MkdirAll(home, 0o755); err != nil {
		return nil, err
	}
	var twineEnv []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !strings.HasPrefix(k, "TWINE_") && k != "HOME" {
			twineEnv = append(twineEnv, kv)
		}
	}
	twineEnv = append(twineEnv, "HOME="+home)

	type side struct {
		name  string
		argv  func(u giteaUser) []string
		env   []string
		times []time.Duration
		rss   int64
	}
	ours := &side{name: "ours", env: os.Environ(), argv: func(u giteaUser) []string {
		return []string{o.cmd, u.uploadURL, u.name, u.token, wheel}
	}}
	peer := &side{name: "twine", env: twineEnv, argv: func(u giteaUser) []string {
		return []string{twineBin, "upload", "--non-interactive", "--disable-progress-bar",
			"--repository-url", u.uploadURL, "-u", u.name, "-p", u.token, wheel}
	}}
	for i := range o.runs {
		// Taking turns at going first keeps a drift of the machine (the
		// server's database growing, page cache) from favouring one side.
		order := []*side{ours, peer}
		if i%2 == 1 {
			order = []*side{peer, ours}
		}
		for _, s := range order {
			u, err := srv.user(ctx, fmt.Sprintf("%s%d", s.name, i+1))
			if err != nil {
				return nil, err
			}
			// Neither side pays for the disk writes of the other.
			syscall.Sync()
			took, rss, err := timed(ctx, dir, s.env, s.argv(u))
			if err != nil {
				return nil, fmt.Errorf("package index: %w", err)
			}
			if err := checkListed(ctx, u, sum); err != nil {
				return nil, fmt.Errorf("package index: after %s: %w", s.name, err)
			}
			s.times = append(s.times, took)
			s.rss = max(s.rss, rss)
			fmt.Fprintf(os.Stderr, "bench: package index: run %d/%d: %s in %s, peak RSS %s\n", i+1, o.runs, s.name,
				took.Round(time.Millisecond), mib(rss))
		}
	}
	oursMean, oursStd := meanStd(ours.times)
	peerMean, peerStd := meanStd(peer.times)
	return []row{{
		scenario: uploadScenario, what: "pypi.ReadFile + Client.Upload as a command", peerName: twineVersion + " upload",
		oursMean: oursMean, oursStd: oursStd, peerMean: peerMean, peerStd: peerStd,
		oursRSS: ours.rss, peerRSS: peer.rss,
	}}, nil
}

// writeWheel streams a wheel of bench 1.0.0 to path: a payload of size
// bytes from rng, stored uncompressed as a wheel of data would be, and a
// dist-info with METADATA, WHEEL and a RECORD of every member's sha256.
func writeWheel(path string, size int64, rng io.Reader) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	zw := zip.NewWriter(bw)
	distInfo := wheelProject + "-1.0.0.dist-info/"
	modified := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	var record strings.Builder
	buf := make([]byte, 1<<20)
	add := func(name string, r io.Reader) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: modified})
		if err != nil {
			return err
		}
		h := sha256.New()
		n, err := io.CopyBuffer(io.MultiWriter(w, h), r, buf)
		if err != nil {
			return fmt.Errorf("writing %s into %s: %w", name, path, err)
		}
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", name, base64.RawURLEncoding.EncodeToString(h.Sum(nil)), n)
		return nil
	}
	for _, m := range []struct {
		name string
		r    io.Reader
	}{
		{name: wheelProject + "/__init__.py", r: strings.NewReader("\"\"\"A package whose data is large, for timing uploads.\"\"\"\n")},
		{name: wheelProject + "/payload.bin", r: io.LimitReader(rng, size)},
		{name: distInfo + "METADATA", r: strings.NewReader("Metadata-Version: 2.1\nName: " + wheelProject +
			"\nVersion: 1.0.0\nSummary: A wheel of 500 MiB of random data, for timing uploads\n" +
			"Description-Content-Type: text/plain\n\nA package whose data is 500 MiB of random bytes.\n")},
		{name: distInfo + "WHEEL", r: strings.NewReader("Wheel-Version: 1.0\nGenerator: pyrelease-bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n")},
	} {
		if err := add(m.name, m.r); err != nil {
			return err
		}
	}
	record.WriteString(distInfo + "RECORD,,\n")
	w, err := zw.CreateHeader(&zip.FileHeader{Name: distInfo + "RECORD", Method: zip.Store, Modified: modified})
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, record.String()); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}

// checkListed fails unless the user's simple page of the project links
// the wheel with its sha256.
func checkListed(ctx context.Context, u giteaUser, sha256Hex string) error {
	page := u.simpleURL + wheelProject + "/"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, page, nil)
	if err != nil {
		return err
	}
	req.SetBasicAuth(u.name, u.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("reading %s: %w", page, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s, want 200: %s", page, resp.Status, tail(string(body), 500))
	}
	if !bytes.Contains(body, []byte(wheelName)) || !bytes.Contains(body, []byte("#sha256="+sha256Hex)) {
		return fmt.Errorf("%s does not link %s with #sha256=%s: %s", page, wheelName, sha256Hex, tail(string(body), 1000))
	}
	return nil
}

// giteaServer is a Gitea process on loopback with its PyPI registry,
// owned by the bench.
type giteaServer struct {
	url    string // http://127.0.0.1:PORT/
	bin    string
	dir    string
	config string
	cmd    *exec.Cmd
	log    *bytes.Buffer
}

// giteaUser is an account with a token allowed to write packages.
type giteaUser struct {
	name, token string
	uploadURL   string
	simpleURL   string // ends in /simple/
}

// startGitea starts Gitea with a fresh SQLite database under dir. Its
// templates/ and options/ must sit beside bin, as .ci/run lays them out.
func startGitea(ctx context.Context, bin, dir string) (*giteaServer, error) {
	static := filepath.Dir(bin)
	if _, err := os.Stat(filepath.Join(static, "templates")); err != nil {
		return nil, fmt.Errorf("package index: gitea's templates/ and options/ are not beside %s: %w", bin, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	port := addr[strings.LastIndex(addr, ":")+1:]
	g := &giteaServer{url: "http://" + addr + "/", bin: bin, dir: dir, config: filepath.Join(dir, "app.ini"), log: &bytes.Buffer{}}
	// The settings of testenv.StartGitea: a test server nobody logs into.
	ini := fmt.Sprintf(`APP_NAME = pyrelease bench
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
		return nil, err
	}
	if _, err := g.run(ctx, "migrate"); err != nil {
		return nil, err
	}
	// Not tied to ctx: stop kills the whole process group, also on Ctrl-C.
	cmd := exec.Command(bin, "web", "--config", g.config, "--work-path", dir)
	cmd.Env, cmd.Dir = g.env(), dir
	cmd.Stdout, cmd.Stderr = g.log, g.log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("package index: starting %s: %w", bin, err)
	}
	g.cmd = cmd
	fmt.Fprintf(os.Stderr, "bench: package index: Gitea at %s, data in %s\n", g.url, dir)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		resp, err := http.Get(g.url + "api/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return g, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	g.stop()
	return nil, errors.Join(ctx.Err(), fmt.Errorf("package index: gitea did not become ready at %s within 60 s: %s", g.url, g.log))
}

func (g *giteaServer) env() []string {
	return append(os.Environ(), "GITEA_WORK_DIR="+g.dir, "HOME="+g.dir, "I_AM_BEING_UNSAFE_RUNNING_AS_ROOT=true")
}

// run runs a gitea CLI command against this server's configuration.
func (g *giteaServer) run(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, g.bin, append(args, "--config", g.config, "--work-path", g.dir)...)
	cmd.Env, cmd.Dir = g.env(), g.dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("package index: gitea %s: %w: %s %s", strings.Join(args, " "), err, out.String(), tail(errb.String(), 2000))
	}
	return out.String(), nil
}

// user creates an account and a token allowed to write packages.
func (g *giteaServer) user(ctx context.Context, name string) (giteaUser, error) {
	if _, err := g.run(ctx, "admin", "user", "create", "--username", name, "--password", "pw-"+name+"-0123456789",
		"--email", name+"@example.test", "--must-change-password=false"); err != nil {
		return giteaUser{}, err
	}
	out, err := g.run(ctx, "admin", "user", "generate-access-token", "--username", name, "--token-name", "bench",
		"--scopes", "write:package,read:package", "--raw")
	if err != nil {
		return giteaUser{}, err
	}
	// As root a warning line comes first: the token is the last word.
	words := strings.Fields(out)
	if len(words) == 0 {
		return giteaUser{}, fmt.Errorf("package index: gitea printed no token for %s", name)
	}
	upload := g.url + "api/packages/" + name + "/pypi"
	return giteaUser{name: name, token: words[len(words)-1], uploadURL: upload, simpleURL: upload + "/simple/"}, nil
}

func (g *giteaServer) stop() {
	if g.cmd == nil || g.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-g.cmd.Process.Pid, syscall.SIGKILL)
	_ = g.cmd.Wait()
	g.cmd = nil
}
