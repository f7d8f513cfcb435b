package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/dev/servers"

	"github.com/pyrelease/pyrelease/targets/dist"
)

// uploadScenario is what -only matches to select the package index rows;
// each row names its file size.
const uploadScenario = "upload: one wheel to a local package index (Gitea)"

// Registered here rather than in main so that the upload rows stay in one
// file.
var uploadRuns = flag.Int("uploadruns", 2, "timed runs of each side per file size in the package index scenario")

// The wheel every side uploads, at each size: two sizes show whether
// memory grows with the file.
const (
	wheelName    = "bench-1.0.0-py3-none-any.whl"
	wheelProject = "bench"
	debianTwine  = "/usr/bin/twine"
)

var uploadSizes = []int64{50 << 20, 500 << 20}

// uploadOptions configure uploadBench.
type uploadOptions struct {
	cmd   string // uploadcmd, built by run
	bin   string // the compiled example magefile, for release
	work  string // scratch directory, on the same disk as Gitea's data
	runs  int    // timed runs per side and size
	peers peers  // current twine and uv
}

// uploader is one side of the upload rows.
type uploader struct {
	name   string // for the table
	ours   bool
	user   string // account name prefix
	argv   func(u servers.GiteaUser, wheel string) []string
	env    []string
	envFor func(u servers.GiteaUser) []string // instead of env
	dir    string                             // where it runs, if not beside the wheel
	times  []time.Duration
	rss    int64
}

// uploadBench times uploadcmd (package pypi) against current twine,
// uv publish and Debian's twine (when installed), each uploading the same
// wheel, at each size, to the PyPI registry of a local Gitea. Gitea
// refuses a file it already has, so every run goes to an account of its
// own, made before the clock starts.
func uploadBench(ctx context.Context, o uploadOptions) ([]row, error) {
	if o.runs < 1 {
		return nil, fmt.Errorf("package index: -uploadruns %d: want at least 1 run", o.runs)
	}
	bin, err := servers.Binary("PYRELEASE_GITEA", "gitea")
	if err != nil {
		return nil, fmt.Errorf("package index: Gitea is needed: %w", err)
	}
	dir := filepath.Join(o.work, "upload")
	home := filepath.Join(dir, "home") // empty: no .pypirc, keyring or uv config of the user's
	if err := os.MkdirAll(home, 0o755); err != nil {
		return nil, err
	}
	var clean []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !strings.HasPrefix(k, "TWINE_") && !strings.HasPrefix(k, "UV_") && k != "HOME" {
			clean = append(clean, kv)
		}
	}
	clean = append(clean, "HOME="+home, "UV_NO_CONFIG=1")

	srv, err := servers.StartGitea(ctx, bin, filepath.Join(o.work, "gitea"))
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	fmt.Fprintf(os.Stderr, "bench: package index: Gitea at %s\n", srv.URL)

	twine := func(path string) func(u servers.GiteaUser, wheel string) []string {
		return func(u servers.GiteaUser, wheel string) []string {
			return []string{path, "upload", "--non-interactive", "--disable-progress-bar",
				"--repository-url", u.UploadURL, "-u", u.Name, "-p", u.Token, wheel}
		}
	}
	sides := []*uploader{
		{name: "pypi.ReadFile + Client.Upload as a command", ours: true, user: "ours", env: os.Environ(), argv: func(u servers.GiteaUser, wheel string) []string {
			return []string{o.cmd, u.UploadURL, u.Name, u.Token, wheel}
		}},
		{name: o.peers.named("twine", "upload"), user: "twine", env: clean, argv: twine(o.peers.bin("twine"))},
		{name: o.peers.named("uv", "publish"), user: "uv", env: clean, argv: func(u servers.GiteaUser, wheel string) []string {
			return []string{o.peers.bin("uv"), "publish", "--no-progress", "--publish-url", u.UploadURL, "--username", u.Name, "--password", u.Token, wheel}
		}},
	}
	if _, err := os.Stat(debianTwine); err == nil {
		name := "Debian's twine upload"
		if out, err := exec.CommandContext(ctx, debianTwine, "--version").Output(); err == nil {
			// "twine version 4.0.2 (importlib-metadata: ...)"
			if f := strings.Fields(string(out)); len(f) > 2 {
				name = "twine " + f[2] + " upload (Debian)"
			}
		}
		sides = append(sides, &uploader{name: name, user: "debtwine", env: clean, argv: twine(debianTwine)})
	}

	var rows []row
	for i, size := range uploadSizes {
		r, err := uploadSize(ctx, o, srv, dir, size, byte(i+2), sides, clean)
		if err != nil {
			return nil, fmt.Errorf("package index: %d MiB: %w", size>>20, err)
		}
		rows = append(rows, r...)
	}
	return rows, nil
}

// uploadSize times every side uploading a new wheel of size bytes, and
// returns a row for ours against each peer.
func uploadSize(ctx context.Context, o uploadOptions, srv *servers.Gitea, dir string, size int64, seed byte, sides []*uploader, clean []string) ([]row, error) {
	sub := filepath.Join(dir, fmt.Sprintf("%dmib", size>>20))
	if err := os.MkdirAll(sub, 0o755); err != nil {
		return nil, err
	}
	wheel := filepath.Join(sub, wheelName)
	start := time.Now()
	if err := writeWheel(wheel, size, rand.NewChaCha8([32]byte{seed})); err != nil {
		return nil, err
	}
	defer os.Remove(wheel)
	sum, n, err := dist.Hash(wheel)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "bench: package index: %s (%d bytes) generated in %s\n", wheelName, n, time.Since(start).Round(time.Millisecond))

	// Gitea stores one blob per content for all accounts: the first
	// upload of the wheel writes it to the package store, later ones only
	// find it there. An untimed first upload gives every timed run, of
	// either side, the same work.
	warm, err := srv.User(ctx, fmt.Sprintf("warmup%d", seed))
	if err != nil {
		return nil, err
	}
	if _, _, err := timed(ctx, sub, os.Environ(), sides[0].argv(warm, wheel)); err != nil {
		return nil, fmt.Errorf("first upload: %w", err)
	}
	if err := checkListed(ctx, warm, sum); err != nil {
		return nil, fmt.Errorf("after the first upload: %w", err)
	}
	sides = slices.Clone(sides)
	if o.bin != "" {
		proj, err := releaseProject(ctx, filepath.Join(sub, "project"), o.bin, wheel)
		if err != nil {
			return nil, err
		}
		sides = append(sides, releaseSide(o.bin, proj, clean))
	}
	for _, s := range sides {
		s.times, s.rss = nil, 0
	}
	for i := range o.runs {
		// Taking turns at going first keeps a drift of the machine (the
		// server's database growing, page cache) from favouring one side.
		for j := range sides {
			s := sides[(i+j)%len(sides)]
			u, err := srv.User(ctx, fmt.Sprintf("%s%dm%d", s.user, size>>20, i+1))
			if err != nil {
				return nil, err
			}
			// No side pays for the disk writes of another.
			syncDisks()
			env, runDir := s.env, sub
			if s.envFor != nil {
				env = s.envFor(u)
			}
			if s.dir != "" {
				runDir = s.dir
			}
			took, rss, err := timed(ctx, runDir, env, s.argv(u, wheel))
			if err != nil {
				return nil, err
			}
			if err := checkListed(ctx, u, sum); err != nil {
				return nil, fmt.Errorf("after %s: %w", s.name, err)
			}
			s.times = append(s.times, took)
			s.rss = max(s.rss, rss)
			fmt.Fprintf(os.Stderr, "bench: package index: %d MiB: run %d/%d: %s in %s, peak RSS %s\n", size>>20, i+1, o.runs, s.name,
				took.Round(time.Millisecond), mib(rss))
		}
	}
	var rows []row
	for _, o := range sides {
		if !o.ours {
			continue
		}
		oursMean, oursStd := meanStd(o.times)
		for _, p := range sides {
			if p.ours {
				continue
			}
			peerMean, peerStd := meanStd(p.times)
			rows = append(rows, row{
				scenario: fmt.Sprintf("%s, %d MiB", uploadScenario, size>>20), what: o.name, peerName: p.name,
				oursMean: oursMean, oursStd: oursStd, peerMean: peerMean, peerStd: peerStd,
				oursRSS: o.rss, peerRSS: p.rss,
			})
		}
	}
	return rows, nil
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
			"\nVersion: 1.0.0\nSummary: A wheel of random data, for timing uploads\n" +
			"Description-Content-Type: text/plain\n\nA package whose data is random bytes.\n")},
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
func checkListed(ctx context.Context, u servers.GiteaUser, sha256Hex string) error {
	page := u.SimpleURL + wheelProject + "/"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, page, nil)
	if err != nil {
		return err
	}
	req.SetBasicAuth(u.Name, u.Token)
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
