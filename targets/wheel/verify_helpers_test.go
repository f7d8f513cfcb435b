package wheel

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// verifyProject is the tiny setuptools project the good distributions are
// built from.
var verifyProject = map[string]string{
	"pyproject.toml": `[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "greet"
version = "1.0"
description = "Say hello"
readme = "README.md"
requires-python = ">=3.8"

[project.scripts]
greet = "greet.cli:main"
`,
	"README.md":         "# greet\n\nSays *hello*.\n",
	"greet/__init__.py": "",
	"greet/cli.py":      "def main():\n    print(\"hello\")\n",
}

// verifyPipEnv is the environment without the machine's PIP_* settings
// (PIP_FIND_LINKS points at a local wheel house here), so the builds are
// offline and reproducible.
func verifyPipEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PIP_") {
			env = append(env, kv)
		}
	}
	return append(env, "PIP_FIND_LINKS=", "PIP_NO_INPUT=1", "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_CONFIG_FILE=/dev/null")
}

// verifyGoodDists builds the project's wheel with pip and its sdist with
// build, as a user would, and returns their paths.
func verifyGoodDists(t *testing.T) (whl, sdist string) {
	t.Helper()
	py := testenv.Python(t)
	if out, err := exec.Command(py, "-c", "import setuptools, wheel, build").CombinedOutput(); err != nil {
		testenv.Missing(t, "%s lacks setuptools, wheel or build: %v: %s", py, err, out)
	}
	src, out := t.TempDir(), t.TempDir()
	for name, body := range verifyProject {
		p := filepath.Join(src, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "--no-index", "-w", out, src},
		{"-m", "build", "--sdist", "--no-isolation", "-o", out, src},
	} {
		cmd := exec.Command(py, args...)
		cmd.Env = verifyPipEnv()
		cmd.Dir = src
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", py, strings.Join(args, " "), err, b)
		}
	}
	whl, sdist = filepath.Join(out, "greet-1.0-py3-none-any.whl"), filepath.Join(out, "greet-1.0.tar.gz")
	for _, p := range []string{whl, sdist} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("the build did not produce %s: %v", p, err)
		}
	}
	return whl, sdist
}

// verifyMember is one archive member as the derivations edit it.
type verifyMember struct {
	Name string
	Data []byte
	Type byte // tar type flag; zero for a regular file
	Link string
}

func readWheelMembers(t *testing.T, path string) []verifyMember {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var ms []verifyMember
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, verifyMember{Name: f.Name, Data: data})
	}
	return ms
}

func writeWheelMembers(t *testing.T, path string, ms []verifyMember) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, m := range ms {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: m.Name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(m.Data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// rewriteRecord replaces RECORD with correct rows for every member, so a
// derivation breaks exactly one thing.
func rewriteRecord(ms []verifyMember) []verifyMember {
	var rec strings.Builder
	idx := -1
	for i, m := range ms {
		if strings.HasSuffix(m.Name, ".dist-info/RECORD") {
			idx = i
			continue
		}
		sum := sha256.Sum256(m.Data)
		fmt.Fprintf(&rec, "%s,sha256=%s,%d\n", m.Name, base64.RawURLEncoding.EncodeToString(sum[:]), len(m.Data))
	}
	rec.WriteString(ms[idx].Name + ",,\n")
	ms[idx].Data = []byte(rec.String())
	return ms
}

func editMember(t *testing.T, ms []verifyMember, suffix, old, new string) []verifyMember {
	t.Helper()
	for i, m := range ms {
		if strings.HasSuffix(m.Name, suffix) {
			if !bytes.Contains(m.Data, []byte(old)) {
				t.Fatalf("%s has no %q", m.Name, old)
			}
			ms[i].Data = bytes.Replace(m.Data, []byte(old), []byte(new), 1)
			return ms
		}
	}
	t.Fatalf("no member ending in %s", suffix)
	return nil
}

func readSdistMembers(t testing.TB, path string) []verifyMember {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var ms []verifyMember
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return ms
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, verifyMember{Name: hdr.Name, Data: data, Type: hdr.Typeflag, Link: hdr.Linkname})
	}
}

func writeSdistMembers(t *testing.T, path string, ms []verifyMember) {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, m := range ms {
		typ := m.Type
		if typ == 0 {
			typ = tar.TypeReg
		}
		hdr := &tar.Header{Name: m.Name, Typeflag: typ, Linkname: m.Link, Mode: 0o644, Format: tar.FormatPAX}
		if typ == tar.TypeReg {
			hdr.Size = int64(len(m.Data))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if typ == tar.TypeReg {
			if _, err := tw.Write(m.Data); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, src, dst string, keep func([]byte) []byte) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, keep(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func same(b []byte) []byte { return b }

func osMkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }
