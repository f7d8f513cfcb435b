package store

import (
	"archive/zip"
	"bytes"
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
)

// pureWheel writes a minimal valid pure wheel of greet at version into
// dir, one pip accepts and reads metadata from.
func pureWheel(t *testing.T, dir, version string) dist.Artifact {
	t.Helper()
	name := "greet-" + version + "-py3-none-any.whl"
	info := "greet-" + version + ".dist-info/"
	files := []struct{ name, body string }{
		{"greet/__init__.py", "__version__ = \"" + version + "\"\n"},
		{info + "METADATA", "Metadata-Version: 2.1\nName: greet\nVersion: " + version + "\n"},
		{info + "WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"},
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
	if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(buf.Bytes())
	return dist.Artifact{Name: name, Path: name, Kind: dist.KindWheel, Version: version, Tags: []string{"py3-none-any"},
		SHA256: hex.EncodeToString(sum[:]), Size: int64(buf.Len()), Commit: strings.Repeat("b", 40),
		BuiltAt: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), Project: "greet"}
}

// publishedStore is a folder store with releases 1.0.0 and 1.1.0, the
// pre-release 1.2.0rc1 and a branch build, as Publish leaves it, served
// over HTTP. It returns the folder, the URL of index.html and the
// published wheels by version.
func publishedStore(t *testing.T) (string, string, map[string]dist.Artifact) {
	t.Helper()
	root := filepath.Join(t.TempDir(), "store")
	st, err := NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	wheels := map[string]dist.Artifact{}
	for _, v := range []string{"1.0.0", "1.1.0", "1.2.0rc1", "1.1.1.dev3"} {
		dir := t.TempDir()
		a := pureWheel(t, dir, v)
		wheels[v] = a
		b := Build{Project: "greet", Version: v, Tagged: true, Tag: "v" + v, Commit: a.Commit}
		if strings.Contains(v, "dev") {
			b = Build{Project: "greet", Version: v, Branch: "feature/login", Commit: a.Commit}
		}
		if _, err := Publish(context.Background(), PublishOptions{Store: st, Dir: dir, Artifacts: []dist.Artifact{a}, Build: b}); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(root)))
	t.Cleanup(srv.Close)
	return root, srv.URL + "/" + IndexFile, wheels
}

func TestIndexPageFetch(t *testing.T) {
	root, page, wheels := publishedStore(t)
	fileURL := (&url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(root, IndexFile))}).String()
	tests := map[string]struct{ index, version string }{
		"release over http":     {index: page, version: "1.1.0"},
		"older release by file": {index: fileURL, version: "1.0.0"},
		"pre-release":           {index: page, version: "1.2.0rc1"},
		"branch build":          {index: page, version: "1.1.1.dev3"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := Fetch(t.Context(), FetchOptions{IndexURL: tc.index, Project: "greet", Version: tc.version, Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			want := wheels[tc.version]
			if !slices.Equal(names(got), []string{want.Name}) {
				t.Fatalf("fetched %q, want %s", names(got), want.Name)
			}
			data, err := os.ReadFile(got[0].Path)
			if err != nil {
				t.Fatal(err)
			}
			if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != want.SHA256 {
				t.Errorf("fetched %s with other bytes", want.Name)
			}
		})
	}
}

// TestIndexPagePip has Debian's pip read the page with --find-links, as a
// project's users do.
func TestIndexPagePip(t *testing.T) {
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-m", "pip", "--version").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s -m pip: %v", python, err)
		}
		t.Skipf("%s -m pip: %v", python, err)
	}
	_, page, wheels := publishedStore(t)
	tests := map[string]struct{ req, want string }{
		"pinned release":       {req: "greet==1.0.0", want: "1.0.0"},
		"newest final release": {req: "greet", want: "1.1.0"},
		"pinned pre-release":   {req: "greet==1.2.0rc1", want: "1.2.0rc1"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			out := t.TempDir()
			cmd := exec.CommandContext(t.Context(), python, "-m", "pip", "download", "--no-deps", "--no-index",
				"--disable-pip-version-check", "--find-links", page, tc.req, "-d", out)
			cmd.Env = pipEnv()
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("pip download %s: %v\n%s", tc.req, err, b)
			}
			want := wheels[tc.want]
			entries, _ := os.ReadDir(out)
			if len(entries) != 1 || entries[0].Name() != want.Name {
				t.Fatalf("pip downloaded %v, want %s", entries, want.Name)
			}
			data, _ := os.ReadFile(filepath.Join(out, want.Name))
			if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != want.SHA256 {
				t.Errorf("pip downloaded %s with other bytes", want.Name)
			}
		})
	}
}

// pipEnv is the environment without the machine's PIP_* settings, and
// with no pip configuration file.
func pipEnv() []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool { return strings.HasPrefix(kv, "PIP_") })
	return append(env, "PIP_CONFIG_FILE=/dev/null", "PIP_NO_INPUT=1")
}
