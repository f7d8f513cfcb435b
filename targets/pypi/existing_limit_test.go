package pypi

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/httpretry"
)

// trickle answers 200 and then a byte every 50ms until the client goes.
func trickle(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusOK)
	for {
		if _, err := io.WriteString(w, " "); err != nil {
			return
		}
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
			return
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TestExistingStalled checks that a listing sent a byte now and then ends
// with the low-speed error, naming the URL, after the retries.
func TestExistingStalled(t *testing.T) {
	tests := map[string]struct {
		repo func(url string) Repository
		path string
	}{
		"simple page": {repo: repoFor, path: "/simple/greet-tool/"},
		"JSON API": {
			repo: func(url string) Repository {
				return Repository{Name: "test", UploadURL: url + "/legacy/", JSONURL: url + "/pypi/"}
			},
			path: "/pypi/greet-tool/json",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != tc.path {
					http.NotFound(w, r)
					return
				}
				hits.Add(1)
				trickle(w, r)
			}))
			defer srv.Close()
			c, _ := newClient(t)
			c.Retry.Attempts = 2
			c.Retry.LowSpeed = httpretry.LowSpeed{Limit: 1024, Time: 300 * time.Millisecond}
			_, err := c.Existing(guarded(t), tc.repo(srv.URL), "greet-tool")
			var slow *httpretry.SlowError
			if !errors.As(err, &slow) {
				t.Fatalf("err = %v, want a *httpretry.SlowError", err)
			}
			for _, want := range []string{srv.URL + tc.path, "1024 bytes/s", "300ms"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if hits.Load() != 2 {
				t.Errorf("%d requests, want 2 (the stalled listing retried)", hits.Load())
			}
			noSecret(t, err)
		})
	}
}

// TestExistingListingTooLarge checks that a listing longer than
// maxListing fails, naming the URL, instead of being cut silently and
// losing the files listed after the cut.
func TestExistingListingTooLarge(t *testing.T) {
	padding := strings.Repeat(" ", 1<<20)
	tests := map[string]struct {
		repo        func(url string) Repository
		path        string
		contentType string
		head, tail  string
	}{
		"simple page": {
			repo: repoFor, path: "/simple/greet-tool/", contentType: "text/html",
			head: "<html><body>",
			tail: fmt.Sprintf(`<a href="/f/greet_tool-1.0.tar.gz#sha256=%s">greet_tool-1.0.tar.gz</a></body></html>`, shaA),
		},
		"JSON API": {
			repo: func(url string) Repository {
				return Repository{Name: "test", UploadURL: url + "/legacy/", JSONURL: url + "/pypi/"}
			},
			path: "/pypi/greet-tool/json", contentType: "application/json",
			head: `{"urls": [`,
			tail: fmt.Sprintf(`{"filename": "greet_tool-1.0.tar.gz", "digests": {"sha256": %q}}]}`, shaA),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != tc.path {
					http.NotFound(w, r)
					return
				}
				w.Header().Set("Content-Type", tc.contentType)
				io.WriteString(w, tc.head)
				for range maxListing >> 20 {
					if _, err := io.WriteString(w, padding); err != nil {
						return
					}
				}
				io.WriteString(w, tc.tail)
			}))
			defer srv.Close()
			c, _ := newClient(t)
			got, err := c.Existing(guarded(t), tc.repo(srv.URL), "greet-tool")
			if err == nil {
				t.Fatalf("got %v and no error, want the listing refused as too large", got)
			}
			for _, want := range []string{srv.URL + tc.path, "larger than 64 MiB"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
		})
	}
}
