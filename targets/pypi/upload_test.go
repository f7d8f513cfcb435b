package pypi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/httpretry"
)

// fileFields are the fields twine sends after the metadata.
func fileFields(f File) []Field {
	return []Field{
		{"filetype", f.Filetype},
		{"pyversion", f.Pyversion},
		{"md5_digest", f.MD5},
		{"sha256_digest", f.SHA256},
		{"blake2_256_digest", f.BLAKE2b256},
	}
}

func TestUploadFormFields(t *testing.T) {
	dir := t.TempDir()
	wheel, err := ReadFile(writeWheel(t, dir, "Greet_Tool-1.0.0-py3-none-any.whl", setuptoolsMetadata))
	if err != nil {
		t.Fatal(err)
	}
	sdist, err := ReadFile(writeSdist(t, dir, "greet_tool-1.0.0.tar.gz", setuptoolsMetadata))
	if err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]File{"wheel": wheel, "sdist": sdist} {
		t.Run(name, func(t *testing.T) {
			fi := newFakeIndex(t, nil)
			c, _ := newClient(t)
			res, err := c.Upload(t.Context(), repoFor(fi.URL), f)
			noSecret(t, err)
			if err != nil {
				t.Fatal(err)
			}
			if res.Skipped || res.Status != 200 || res.File.Name != f.Name {
				t.Errorf("result %+v, want uploaded with 200", res)
			}
			reqs := fi.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			got := reqs[0]
			want := append(append([]Field(nil), wantSetuptoolsFields...), fileFields(f)...)
			if !reflect.DeepEqual(got.Fields, want) {
				t.Errorf("form fields\n got %q\nwant %q", got.Fields, want)
			}
			if got.Filename != f.Name || got.ContentSHA256 != f.SHA256 {
				t.Errorf("content part %q sha256 %s, want %q %s", got.Filename, got.ContentSHA256, f.Name, f.SHA256)
			}
			if got.Chunked || got.ContentLength <= f.Size || got.ContentLength != got.BodyLength {
				t.Errorf("Content-Length %d, body %d bytes, chunked %v: want an exact length, not chunked", got.ContentLength, got.BodyLength, got.Chunked)
			}
			if !got.HasAuth || got.User != TokenUsername || got.Pass != secret {
				t.Errorf("basic auth %v %q, want __token__ and the secret", got.HasAuth, got.User)
			}
		})
	}
}

func TestUploadRetries(t *testing.T) {
	f := testWheel(t)
	tests := map[string]struct {
		answer    func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) bool // true: answered
		requests  int
		minSleeps []time.Duration
	}{
		"503 then 200": {
			answer: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) bool {
				if n == 1 {
					io.Copy(io.Discard, r.Body)
					http.Error(w, "maintenance", http.StatusServiceUnavailable)
					return true
				}
				return false
			},
			requests: 2, minSleeps: []time.Duration{0},
		},
		"429 with Retry-After": {
			answer: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) bool {
				if n == 1 {
					io.Copy(io.Discard, r.Body)
					w.Header().Set("Retry-After", "2")
					w.WriteHeader(http.StatusTooManyRequests)
					return true
				}
				return false
			},
			requests: 2, minSleeps: []time.Duration{2 * time.Second},
		},
		"connection dropped mid-body": {
			answer: func(t *testing.T, n int, w http.ResponseWriter, r *http.Request) bool {
				if n == 1 {
					io.CopyN(io.Discard, r.Body, 100)
					conn, _, err := w.(http.Hijacker).Hijack()
					if err != nil {
						t.Error(err)
						return true
					}
					conn.Close()
					return true
				}
				return false
			},
			requests: 2, minSleeps: []time.Duration{0},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var n atomic.Int32
			var mu sync.Mutex
			var last received
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.answer(t, int(n.Add(1)), w, r) {
					return
				}
				rec, err := parseUpload(r)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				last = rec
				mu.Unlock()
			}))
			defer srv.Close()
			c, rec := newClient(t)
			res, err := c.Upload(t.Context(), repoFor(srv.URL), f)
			noSecret(t, err)
			if err != nil {
				t.Fatal(err)
			}
			if int(n.Load()) != tc.requests || res.Status != 200 {
				t.Errorf("%d requests, status %d; want %d and 200", n.Load(), res.Status, tc.requests)
			}
			if len(rec.sleeps) != len(tc.minSleeps) {
				t.Fatalf("sleeps %v, want %d", rec.sleeps, len(tc.minSleeps))
			}
			for i, d := range tc.minSleeps {
				if rec.sleeps[i] < d {
					t.Errorf("sleep %d = %v, want at least %v", i, rec.sleeps[i], d)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if last.ContentSHA256 != f.SHA256 || last.ContentLength != last.BodyLength {
				t.Errorf("the successful attempt sent sha256 %s, %d of %d bytes; want the whole file", last.ContentSHA256, last.BodyLength, last.ContentLength)
			}
		})
	}
}

const pypiExistsReason = "File already exists ('Greet_Tool-1.0.0-py3-none-any.whl', with blake2_256 hash 'abc'). See https://pypi.org/help/#file-name-reuse for more information."

// pypiErrorPage is the page PyPI sends with a 400, its message repeated.
func pypiErrorPage(reason string) string {
	return "<html>\n <head>\n  <title>400 " + reason + "</title>\n </head>\n <body>\n  <h1>400 " + reason +
		"</h1>\n  The server could not comply with the request since it is either malformed or otherwise incorrect.<br/><br/>\n" + reason + "\n\n\n </body>\n</html>"
}

func TestUploadErrors(t *testing.T) {
	f := testWheel(t)
	tests := map[string]struct {
		answer func(t *testing.T, w http.ResponseWriter, r *http.Request)
		status int
		want   []string
		retry  bool
	}{
		"401 gives the credentials hint": {
			answer: func(t *testing.T, w http.ResponseWriter, r *http.Request) {
				http.Error(w, "unauthorized", http.StatusUnauthorized)
			},
			status: 401, want: []string{"HTTP 401", "unauthorized", "PYRELEASE_TOKEN", "trusted publishing"},
		},
		"403 with PyPI's reason": {
			answer: func(t *testing.T, w http.ResponseWriter, r *http.Request) {
				rawAnswer(t, w, 403, "Invalid or non-existent authentication information. See https://pypi.org/help/#invalid-auth for more information.", "text/html", "<html><body>nope</body></html>")
			},
			status: 403, want: []string{"HTTP 403", "Invalid or non-existent authentication information", "nope", "TWINE_PASSWORD"},
		},
		"400 with PyPI's message in reason and page": {
			answer: func(t *testing.T, w http.ResponseWriter, r *http.Request) {
				reason := "'1.0.0.dev0+local' is an invalid value for Version. Error: Can't use PEP 440 local versions."
				rawAnswer(t, w, 400, reason, "text/html; charset=UTF-8", pypiErrorPage(reason))
			},
			status: 400, want: []string{"HTTP 400: '1.0.0.dev0+local' is an invalid value for Version. Error: Can't use PEP 440 local versions."},
		},
		"400 with a JSON message": {
			answer: func(t *testing.T, w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(400)
				io.WriteString(w, `{"message": "invalid name"}`)
			},
			status: 400, want: []string{"HTTP 400: invalid name"},
		},
		"a long message is cut": {
			answer: func(t *testing.T, w http.ResponseWriter, r *http.Request) {
				http.Error(w, strings.Repeat("word ", 200), 422)
			},
			status: 422, want: []string{"word word", "…"},
		},
		"an echoed secret is scrubbed": {
			answer: func(t *testing.T, w http.ResponseWriter, r *http.Request) {
				http.Error(w, "bad password "+secret, 400)
			},
			status: 400, want: []string{"bad password REDACTED"},
		},
		"301 is not followed": {
			answer: func(t *testing.T, w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "https://upload.example.test/legacy/", http.StatusMovedPermanently)
			},
			status: 301, want: []string{"HTTP 301", "redirects to https://upload.example.test/legacy/", "upload.pypi.org/legacy/"},
		},
		"500 until attempts run out": {
			answer: func(t *testing.T, w http.ResponseWriter, r *http.Request) {
				http.Error(w, "boom", 500)
			},
			status: 500, want: []string{"HTTP 500", "boom", "after 5 attempts"}, retry: true,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var posts, others atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost {
					others.Add(1)
					return
				}
				posts.Add(1)
				io.Copy(io.Discard, r.Body)
				tc.answer(t, w, r)
			}))
			defer srv.Close()
			c, _ := newClient(t)
			res, err := c.Upload(t.Context(), repoFor(srv.URL), f)
			noSecret(t, err)
			t.Log(err)
			var ue *UploadError
			if !errors.As(err, &ue) || ue.Status != tc.status || res.Status != tc.status {
				t.Fatalf("err = %v, want an *UploadError with status %d", err, tc.status)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if !strings.Contains(err.Error(), f.Name) || !strings.Contains(err.Error(), srv.URL+"/legacy/") {
				t.Errorf("error %q does not name the file and URL", err)
			}
			if ue.Message != "" && strings.Contains(ue.Message, "\n") {
				t.Errorf("message %q is more than one line", ue.Message)
			}
			if n := len([]rune(ue.Message)); n > maxMessage+1 {
				t.Errorf("message is %d characters, want at most %d", n, maxMessage+1)
			}
			if wantPosts := map[bool]int32{false: 1, true: 5}[tc.retry]; posts.Load() != wantPosts || others.Load() != 0 {
				t.Errorf("%d POSTs and %d other requests, want %d and 0", posts.Load(), others.Load(), wantPosts)
			}
		})
	}
}

// existsIndex answers uploads as told and serves a simple page listing
// the file with listedSHA ("" lists nothing).
func existsIndex(t *testing.T, answer func(w http.ResponseWriter), name, listedSHA string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost:
			io.Copy(io.Discard, r.Body)
			answer(w)
		case r.URL.Path == "/simple/greet-tool/":
			io.WriteString(w, "<!DOCTYPE html><html><body><h1>Links for greet-tool</h1>\n")
			if listedSHA != "" {
				fmt.Fprintf(w, `<a href="/files/%s#sha256=%s" data-requires-python="&gt;=3.9">%s</a><br>`+"\n", name, listedSHA, name)
			}
			fmt.Fprintf(w, `<a href="/files/other-0.1.tar.gz#sha256=%s">other-0.1.tar.gz</a>`, strings.Repeat("0", 64))
			io.WriteString(w, "</body></html>")
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestUploadAlreadyExists(t *testing.T) {
	f := testWheel(t)
	gitea409 := func(w http.ResponseWriter) { http.Error(w, "package file already exists", http.StatusConflict) }
	tests := map[string]struct {
		answer  func(w http.ResponseWriter)
		listed  string
		skipped bool
		is      error
		want    []string
	}{
		"409 and the same sha256 is skipped": {answer: gitea409, listed: strings.ToUpper(f.SHA256), skipped: true},
		"PyPI's 400 and a different sha256 is a conflict": {
			answer: func(w http.ResponseWriter) {
				rawAnswer(t, w, 400, pypiExistsReason, "text/html", pypiErrorPage(pypiExistsReason))
			},
			listed: strings.Repeat("ab", 32),
			is:     ErrConflict,
			want:   []string{f.Name, "local sha256 " + f.SHA256, "index sha256 " + strings.Repeat("ab", 32), "File already exists"},
		},
		"exists but not listed": {answer: gitea409, want: []string{"does not list the file", "new version"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			srv := existsIndex(t, tc.answer, f.Name, tc.listed)
			c, _ := newClient(t)
			res, err := c.Upload(t.Context(), repoFor(srv.URL), f)
			noSecret(t, err)
			t.Log(err)
			if tc.skipped {
				if err != nil || !res.Skipped {
					t.Fatalf("result %+v, err %v; want skipped", res, err)
				}
				return
			}
			if err == nil || res.Skipped || (tc.is != nil && !errors.Is(err, tc.is)) {
				t.Fatalf("result %+v, err %v; want an error wrapping %v", res, err, tc.is)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestUploadTokenHookPerRequest(t *testing.T) {
	f := testWheel(t)
	fi := newFakeIndex(t, func(n int, r *http.Request, rec received, w http.ResponseWriter) {
		if n == 1 {
			w.WriteHeader(http.StatusBadGateway)
		}
	})
	c, _ := newClient(t)
	var calls atomic.Int32
	c.Token = func(ctx context.Context) (string, string, error) {
		return TokenUsername, fmt.Sprintf("%s-%d", secret, calls.Add(1)), nil
	}
	repo := repoFor(fi.URL)
	repo.Password = "not used when Token is set"
	if _, err := c.Upload(t.Context(), repo, f); err != nil {
		t.Fatal(err)
	}
	reqs := fi.requests()
	if len(reqs) != 2 || reqs[0].Pass != secret+"-1" || reqs[1].Pass != secret+"-2" {
		t.Errorf("%d requests; want 2, each with fresh credentials", len(reqs))
	}

	c.Token = func(ctx context.Context) (string, string, error) { return "", "", errors.New("mint failed") }
	_, err := c.Upload(t.Context(), repo, f)
	if err == nil || !strings.Contains(err.Error(), "mint failed") || len(fi.requests()) != 2 {
		t.Errorf("err = %v after %d requests; want the credentials error and no new request", err, len(fi.requests()))
	}
}

func TestUploadFileChanged(t *testing.T) {
	f := testWheel(t)
	fi := newFakeIndex(t, nil)
	if err := os.WriteFile(f.Path, []byte("shorter"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, rec := newClient(t)
	_, err := c.Upload(t.Context(), repoFor(fi.URL), f)
	if err == nil || !strings.Contains(err.Error(), "changed since") || len(fi.requests()) != 0 || len(rec.sleeps) != 0 {
		t.Errorf("err = %v after %d requests; want a changed-file error and no request", err, len(fi.requests()))
	}
}

func TestUploadProgress(t *testing.T) {
	f := testWheel(t)
	fi := newFakeIndex(t, func(n int, r *http.Request, rec received, w http.ResponseWriter) {
		if n == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	c, _ := newClient(t)
	var total, negatives atomic.Int64
	var size int64
	c.Progress = func(name string, s int64) func(int64) {
		size = s
		return func(n int64) {
			total.Add(n)
			if n < 0 {
				negatives.Add(1)
			}
		}
	}
	if _, err := c.Upload(t.Context(), repoFor(fi.URL), f); err != nil {
		t.Fatal(err)
	}
	if size != f.Size || total.Load() != f.Size || negatives.Load() != 1 {
		t.Errorf("progress size %d, net bytes %d, %d step-backs; want %d, %d, 1", size, total.Load(), negatives.Load(), f.Size, f.Size)
	}
}

// TestUploadStreams uploads a 200 MB file and checks that memory use does
// not grow with it.
func TestUploadStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 200 MB")
	}
	const size = 200 << 20
	p := filepath.Join(t.TempDir(), "big-1.0-py3-none-any.whl")
	fh, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := fh.Truncate(size); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	fh.Close()
	f := File{Path: p, Name: filepath.Base(p), Filetype: FiletypeWheel, Pyversion: "py3", Size: size,
		Metadata: []Field{{"metadata_version", "2.1"}, {"name", "big"}, {"version", "1.0"}}}
	var got, contentLength atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		contentLength.Store(r.ContentLength)
		n, _ := io.Copy(io.Discard, r.Body)
		got.Store(n)
	}))
	defer srv.Close()
	c, _ := newClient(t)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := c.Upload(t.Context(), repoFor(srv.URL), f); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if got.Load() != contentLength.Load() || got.Load() < size {
		t.Errorf("server got %d bytes of %d announced, want all of more than %d", got.Load(), contentLength.Load(), size)
	}
	const limit = 16 << 20
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > limit {
		t.Errorf("allocated %d MB to upload %d MB, want under %d MB", alloc>>20, size>>20, limit>>20)
	}
	if grow := int64(after.HeapInuse) - int64(before.HeapInuse); grow > limit {
		t.Errorf("heap grew by %d MB, want under %d MB", grow>>20, limit>>20)
	}
}

func TestUploadErrorUnwrapsRetryError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	c, _ := newClient(t)
	c.Retry.Attempts = 2
	_, err := c.Upload(t.Context(), repoFor(u), testWheel(t))
	var he *httpretry.Error
	var ue *UploadError
	if !errors.As(err, &ue) || !errors.As(err, &he) || ue.Status != 0 || he.Attempts != 2 {
		t.Errorf("err = %v, want an *UploadError around an *httpretry.Error after 2 attempts", err)
	}
	noSecret(t, err)
}
