package store

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// wheelFile writes a minimal valid wheel of greet at version for the
// platform tag ("any" for a pure wheel) into dir, one pip accepts and
// reads metadata from.
func wheelFile(t *testing.T, dir, version, platform string) dist.Artifact {
	t.Helper()
	tag := "py3-none-" + platform
	info := "greet-" + version + ".dist-info/"
	files := []struct{ name, body string }{
		{"greet/__init__.py", "__version__ = \"" + version + "\"\n"},
		{info + "METADATA", "Metadata-Version: 2.1\nName: greet\nVersion: " + version + "\n"},
		{info + "WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: " + strconv.FormatBool(platform == "any") + "\nTag: " + tag + "\n"},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var record strings.Builder
	for _, f := range files {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(f.body))
		sum := sha256.Sum256([]byte(f.body))
		record.WriteString(f.name + ",sha256=" + base64.RawURLEncoding.EncodeToString(sum[:]) + "," + strconv.Itoa(len(f.body)) + "\n")
	}
	record.WriteString(info + "RECORD,,\n")
	w, _ := zw.Create(info + "RECORD")
	w.Write([]byte(record.String()))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	a := distFile(t, dir, "greet-"+version+"-"+tag+".whl", dist.KindWheel, version, buf.Bytes())
	a.Tags = []string{tag}
	return a
}

// tarGz is a gzipped tar of one file, byte for byte the same on every
// run: a sdist or a frozen application's archive.
func tarGz(t *testing.T, name, body string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	hdr := &tar.Header{Name: name, Mode: 0o755, Size: int64(len(body)), ModTime: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), Format: tar.FormatPAX}
	if err := tw.WriteHeader(hdr); err != nil {
		t.Fatal(err)
	}
	tw.Write([]byte(body))
	if err := cmp.Or(tw.Close(), zw.Close()); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// zipOf is a zip of one file, byte for byte the same on every run.
func zipOf(t *testing.T, name, body string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(body))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// distFile writes data as the file name of a dist directory and returns
// its artifact, built at a fixed time from a fixed commit.
func distFile(t *testing.T, dir, name, kind, version string, data []byte) dist.Artifact {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return dist.Artifact{Name: name, Path: name, Kind: kind, Version: version,
		SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), Commit: strings.Repeat("b", 40),
		BuiltAt: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), Project: "greet"}
}

// servedStore is a folder store as Publish leaves it, served over HTTP:
// one fixture for every reader of the download page (fetch, pip, a
// browser).
type servedStore struct {
	root   string                   // the store's folder
	page   string                   // the URL of its index.html
	files  map[string]dist.Artifact // every published file by name
	wheels map[string]dist.Artifact // the pure wheel of each version
}

// publishedStore publishes releases 1.0.0 and 1.1.0 (1.1.0 for Linux,
// Windows and macOS), the pre-release 1.2.0rc1 and a branch build, each
// with its wheels, sdist and archives. Contents, dates and commits are
// fixed, so the page is the same on every run.
func publishedStore(t *testing.T) *servedStore {
	t.Helper()
	s := &servedStore{root: filepath.Join(t.TempDir(), "store"), files: map[string]dist.Artifact{}, wheels: map[string]dist.Artifact{}}
	st, err := NewDir(s.root)
	if err != nil {
		t.Fatal(err)
	}
	builds := []struct {
		version, branch string
		built           time.Time
		platforms       []string // of the platform wheels and archives
	}{
		{version: "1.0.0", built: time.Date(2026, 9, 14, 8, 5, 0, 0, time.UTC), platforms: []string{"linux-x86_64"}},
		{version: "1.1.0", built: time.Date(2026, 11, 2, 16, 40, 0, 0, time.UTC), platforms: []string{"linux-x86_64", "windows-x86_64", "osx-arm64"}},
		{version: "1.2.0rc1", built: time.Date(2026, 11, 20, 11, 15, 0, 0, time.UTC)},
		{version: "1.1.1.dev3", branch: "feature/login", built: time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC), platforms: []string{"linux-x86_64"}},
	}
	wheelTags := map[string]string{"windows-x86_64": "win_amd64", "osx-arm64": "macosx_11_0_arm64"}
	for _, b := range builds {
		dir, v := t.TempDir(), b.version
		arts := []dist.Artifact{wheelFile(t, dir, v, "any")}
		s.wheels[v] = arts[0]
		if b.branch == "" {
			arts = append(arts, distFile(t, dir, "greet-"+v+".tar.gz", dist.KindSdist, v, tarGz(t, "greet-"+v+"/PKG-INFO", "Metadata-Version: 2.1\nName: greet\nVersion: "+v+"\n")))
		}
		for _, p := range b.platforms {
			// Linux has no platform wheel: pip here would pick it over
			// the pure wheel the pip tests expect.
			if tag, ok := wheelTags[p]; ok {
				arts = append(arts, wheelFile(t, dir, v, tag))
			}
			body := "#!/bin/sh\necho greet " + v + "\n"
			data, name := tarGz(t, "greet/greet", body), "greet-"+v+"-"+p+".tar.gz"
			if strings.HasPrefix(p, "windows") {
				data, name = zipOf(t, "greet/greet.exe", body), "greet-"+v+"-"+p+".zip"
			}
			a := distFile(t, dir, name, dist.KindArchive, v, data)
			a.Tags = []string{p}
			arts = append(arts, a)
		}
		for i := range arts {
			arts[i].BuiltAt = b.built
			s.files[arts[i].Name] = arts[i]
		}
		build := Build{Project: "greet", Version: v, Tagged: true, Tag: "v" + v, Commit: arts[0].Commit}
		if b.branch != "" {
			build = Build{Project: "greet", Version: v, Branch: b.branch, Commit: arts[0].Commit}
		}
		now := func() time.Time { return b.built.Add(10 * time.Minute) }
		if _, err := Publish(context.Background(), PublishOptions{Store: st, Dir: dir, Artifacts: arts, Build: build, Now: now}); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(s.root)))
	t.Cleanup(srv.Close)
	s.page = srv.URL + "/" + IndexFile
	return s
}

// ofVersion returns the names of the published files of version, sorted.
func (s *servedStore) ofVersion(version string) []string {
	var out []string
	for name, a := range s.files {
		if a.Version == version {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func TestIndexPageFetch(t *testing.T) {
	s := publishedStore(t)
	fileURL := (&url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(s.root, IndexFile))}).String()
	tests := map[string]struct{ index, version string }{
		"release over http":     {index: s.page, version: "1.1.0"},
		"older release by file": {index: fileURL, version: "1.0.0"},
		"pre-release":           {index: s.page, version: "1.2.0rc1"},
		"branch build":          {index: s.page, version: "1.1.1.dev3"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := Fetch(t.Context(), FetchOptions{IndexURL: tc.index, Project: "greet", Version: tc.version, Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			if want := s.ofVersion(tc.version); !slices.Equal(slices.Sorted(slices.Values(names(got))), want) {
				t.Fatalf("fetched %q, want %q", names(got), want)
			}
			for _, f := range got {
				data, err := os.ReadFile(f.Path)
				if err != nil {
					t.Fatal(err)
				}
				if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != s.files[f.Name].SHA256 {
					t.Errorf("fetched %s with other bytes", f.Name)
				}
			}
		})
	}
}

// TestIndexPagePip has Debian's pip read the page with --find-links, as a
// project's users do.
func TestIndexPagePip(t *testing.T) {
	requirePip(t)
	s := publishedStore(t)
	tests := map[string]struct{ req, want string }{
		"pinned release":       {req: "greet==1.0.0", want: "1.0.0"},
		"newest final release": {req: "greet", want: "1.1.0"},
		"pinned pre-release":   {req: "greet==1.2.0rc1", want: "1.2.0rc1"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			checkPip(t, s, tc.req, s.wheels[tc.want])
		})
	}
}

// pipPython is the interpreter whose pip reads the page.
const pipPython = "/usr/bin/python3"

// requirePip skips the test without Debian's pip, or fails it under CI.
func requirePip(t *testing.T) {
	t.Helper()
	if err := exec.Command(pipPython, "-m", "pip", "--version").Run(); err != nil {
		testenv.Missing(t, "%s -m pip: %v", pipPython, err)
	}
}

// checkPip has pip download req with --find-links on the store's page and
// checks that it downloaded exactly want, with its bytes.
func checkPip(t *testing.T, s *servedStore, req string, want dist.Artifact) {
	t.Helper()
	out := t.TempDir()
	cmd := exec.CommandContext(t.Context(), pipPython, "-m", "pip", "download", "--no-deps", "--no-index",
		"--disable-pip-version-check", "--find-links", s.page, req, "-d", out)
	cmd.Env = pipEnv()
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pip download %s: %v\n%s", req, err, b)
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != 1 || entries[0].Name() != want.Name {
		t.Fatalf("pip downloaded %v, want %s", entries, want.Name)
	}
	data, _ := os.ReadFile(filepath.Join(out, want.Name))
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != want.SHA256 {
		t.Errorf("pip downloaded %s with other bytes", want.Name)
	}
}

// pipEnv is the environment without the machine's PIP_* settings, and
// with no pip configuration file.
func pipEnv() []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "PIP_") })
	return append(env, "PIP_CONFIG_FILE=/dev/null", "PIP_NO_INPUT=1")
}
