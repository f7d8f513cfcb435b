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
	"strings"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/dev/servers"

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
	bin, err := servers.Binary("PYRELEASE_GITEA", "gitea")
	if err != nil {
		return nil, fmt.Errorf("package index: Gitea is needed: %w", err)
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

	srv, err := servers.StartGitea(ctx, bin, filepath.Join(o.work, "gitea"))
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	fmt.Fprintf(os.Stderr, "bench: package index: Gitea at %s\n", srv.URL)

	// Gitea stores one blob per content for all accounts: the first
	// upload of the wheel writes it to the package store, later ones only
	// find it there. An untimed first upload gives every timed run, of
	// either side, the same work.
	warm, err := srv.User(ctx, "warmup")
	if err != nil {
		return nil, err
	}
	if _, _, err := timed(ctx, dir, os.Environ(), []string{o.cmd, warm.UploadURL, warm.Name, warm.Token, wheel}); err != nil {
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
		argv  func(u servers.GiteaUser) []string
		env   []string
		times []time.Duration
		rss   int64
	}
	ours := &side{name: "ours", env: os.Environ(), argv: func(u servers.GiteaUser) []string {
		return []string{o.cmd, u.UploadURL, u.Name, u.Token, wheel}
	}}
	peer := &side{name: "twine", env: twineEnv, argv: func(u servers.GiteaUser) []string {
		return []string{twineBin, "upload", "--non-interactive", "--disable-progress-bar",
			"--repository-url", u.UploadURL, "-u", u.Name, "-p", u.Token, wheel}
	}}
	for i := range o.runs {
		// Taking turns at going first keeps a drift of the machine (the
		// server's database growing, page cache) from favouring one side.
		order := []*side{ours, peer}
		if i%2 == 1 {
			order = []*side{peer, ours}
		}
		for _, s := range order {
			u, err := srv.User(ctx, fmt.Sprintf("%s%d", s.name, i+1))
			if err != nil {
				return nil, err
			}
			// Neither side pays for the disk writes of the other.
			syncDisks()
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
