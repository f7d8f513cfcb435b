package pypi

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/httpretry"
)

// secret is the password every test uses, so that every error and log
// line can be checked for it.
const secret = "pypi-AgEIcHlwaS5vcmc-SECRET-0123456789"

// setuptoolsMetadata is METADATA as setuptools writes it: Metadata-Version
// 2.1 with License-File, repeated fields and a Markdown body.
const setuptoolsMetadata = `Metadata-Version: 2.1
Name: Greet_Tool
Version: 1.0.0
Summary: Says hello
Home-page: https://example.test/greet
Author: A. Person
Author-email: a@example.test
License: MIT
Project-URL: Source, https://example.test/src
Project-URL: Tracker, https://example.test/bugs
Keywords: hello,greeting
Platform: any
Classifier: Programming Language :: Python :: 3
Classifier: License :: OSI Approved :: MIT License
Requires-Python: >=3.9
Description-Content-Type: text/markdown
License-File: LICENSE
Requires-Dist: requests>=2
Requires-Dist: rich; extra == "fancy"
Provides-Extra: fancy

# Greet

Says hello, **politely**.
`

// wantSetuptoolsFields is what twine sends for setuptoolsMetadata, before
// the fields describing the file: License-File is dropped (not defined
// before 2.4) and the name is made safe.
var wantSetuptoolsFields = []Field{
	{":action", "file_upload"},
	{"protocol_version", "1"},
	{"metadata_version", "2.1"},
	{"name", "Greet-Tool"},
	{"version", "1.0.0"},
	{"summary", "Says hello"},
	{"home_page", "https://example.test/greet"},
	{"author", "A. Person"},
	{"author_email", "a@example.test"},
	{"license", "MIT"},
	{"project_urls", "Source, https://example.test/src"},
	{"project_urls", "Tracker, https://example.test/bugs"},
	{"keywords", "hello,greeting"},
	{"platform", "any"},
	{"classifiers", "Programming Language :: Python :: 3"},
	{"classifiers", "License :: OSI Approved :: MIT License"},
	{"requires_python", ">=3.9"},
	{"description_content_type", "text/markdown"},
	{"requires_dist", "requests>=2"},
	{"requires_dist", `rich; extra == "fancy"`},
	{"provides_extra", "fancy"},
	{"description", "# Greet\n\nSays hello, **politely**.\n"},
}

// writeWheel writes a small real wheel named name with that METADATA.
func writeWheel(t testing.TB, dir, name, metadata string) string {
	t.Helper()
	parts := strings.Split(strings.TrimSuffix(name, ".whl"), "-")
	distInfo := parts[0] + "-" + parts[1] + ".dist-info"
	p := filepath.Join(dir, name)
	writeZip(t, p, map[string]string{
		strings.ToLower(parts[0]) + "/__init__.py": "__version__ = " + fmt.Sprintf("%q", parts[1]) + "\n",
		distInfo + "/METADATA":                     metadata,
		distInfo + "/WHEEL":                        "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
		distInfo + "/RECORD":                       "",
	})
	return p
}

func writeZip(t testing.TB, p string, files map[string]string) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range sortedKeys(files) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, files[name])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeSdist writes a small real .tar.gz sdist with that PKG-INFO.
func writeSdist(t testing.TB, dir, name, pkgInfo string) string {
	t.Helper()
	root := strings.TrimSuffix(name, ".tar.gz")
	p := filepath.Join(dir, name)
	writeTarGz(t, p, []tarEntry{
		{name: root + "/", dir: true},
		{name: root + "/PKG-INFO", body: pkgInfo},
		{name: root + "/setup.py", body: "from setuptools import setup\nsetup()\n"},
		{name: root + "/src/greet/__init__.py", body: ""},
	})
	return p
}

type tarEntry struct {
	name, body string
	dir        bool
}

func writeTarGz(t testing.TB, p string, entries []tarEntry) {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.body)), Typeflag: tar.TypeReg, ModTime: time.Unix(1700000000, 0)}
		if e.dir {
			h.Typeflag, h.Size, h.Mode = tar.TypeDir, 0, 0o755
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, e.body)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	gz.Close()
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// received is one upload request as the fake index saw it.
type received struct {
	Fields        []Field // every part but the file, in order
	Filename      string
	ContentSHA256 string
	ContentLength int64 // the header
	BodyLength    int64 // bytes actually received
	Chunked       bool
	User, Pass    string
	HasAuth       bool
}

// parseUpload reads an upload request as an index does.
func parseUpload(r *http.Request) (received, error) {
	rec := received{ContentLength: r.ContentLength, Chunked: len(r.TransferEncoding) > 0}
	rec.User, rec.Pass, rec.HasAuth = r.BasicAuth()
	media, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || media != "multipart/form-data" {
		return rec, fmt.Errorf("content type %q: %v", r.Header.Get("Content-Type"), err)
	}
	counted := &countingReader{r: r.Body, add: func(n int64) { rec.BodyLength += n }}
	mr := multipart.NewReader(counted, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return rec, err
		}
		if part.FormName() == "content" {
			rec.Filename = part.FileName()
			h := sha256.New()
			if _, err := io.Copy(h, part); err != nil {
				return rec, err
			}
			rec.ContentSHA256 = hex.EncodeToString(h.Sum(nil))
			continue
		}
		v, err := io.ReadAll(part)
		if err != nil {
			return rec, err
		}
		rec.Fields = append(rec.Fields, Field{part.FormName(), string(v)})
	}
	io.Copy(io.Discard, counted)
	return rec, nil
}

// fakeIndex is an upload endpoint whose answers a test scripts; it
// records every request it parsed.
type fakeIndex struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	answer func(n int, r *http.Request, rec received, w http.ResponseWriter) // n counts from 1
}

func newFakeIndex(t *testing.T, answer func(n int, r *http.Request, rec received, w http.ResponseWriter)) *fakeIndex {
	t.Helper()
	fi := &fakeIndex{answer: answer}
	fi.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.NotFound(w, r)
			return
		}
		rec, err := parseUpload(r)
		fi.mu.Lock()
		fi.got = append(fi.got, rec)
		n := len(fi.got)
		fi.mu.Unlock()
		if err != nil {
			t.Errorf("request %d: %v", n, err)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if fi.answer == nil {
			w.WriteHeader(http.StatusOK)
			return
		}
		fi.answer(n, r, rec, w)
	}))
	t.Cleanup(fi.Close)
	return fi
}

func (fi *fakeIndex) requests() []received {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	return append([]received(nil), fi.got...)
}

// rawAnswer writes a response with its own reason phrase, as PyPI does,
// which net/http's ResponseWriter cannot.
func rawAnswer(t *testing.T, w http.ResponseWriter, status int, reason, contentType, body string) {
	t.Helper()
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Error(err)
		return
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", status, reason, contentType, len(body), body)
	buf.Flush()
}

// recorder is a retry policy that does not wait and remembers its waits.
type recorder struct {
	mu     sync.Mutex
	sleeps []time.Duration
}

func (r *recorder) policy() httpretry.Policy {
	return httpretry.Policy{
		Sleep: func(ctx context.Context, d time.Duration) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.sleeps = append(r.sleeps, d)
			return ctx.Err()
		},
		Rand: func() float64 { return 0 },
	}
}

// newClient returns a client logging at debug level into a buffer that
// is checked for the secret when the test ends.
func newClient(t *testing.T) (*Client, *recorder) {
	t.Helper()
	var logs syncBuffer
	rec := &recorder{}
	c := &Client{Retry: rec.policy(), Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	t.Cleanup(func() {
		if out := logs.String(); strings.Contains(out, secret) {
			t.Errorf("log output contains the secret:\n%s", out)
		}
	})
	return c, rec
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// noSecret fails the test when an error's text, in any verb, holds the secret.
func noSecret(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		if strings.Contains(s, secret) {
			t.Errorf("error leaks the secret: %s", s)
		}
	}
}

func repoFor(url string) Repository {
	return Repository{Name: "test", UploadURL: url + "/legacy/", IndexURL: url + "/simple/", Username: TokenUsername, Password: secret}
}

// testWheel writes the setuptools-style wheel and reads it.
func testWheel(t *testing.T) File {
	t.Helper()
	f, err := ReadFile(writeWheel(t, t.TempDir(), "Greet_Tool-1.0.0-py3-none-any.whl", setuptoolsMetadata))
	if err != nil {
		t.Fatal(err)
	}
	return f
}
