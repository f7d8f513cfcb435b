package pypi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var (
	shaA = strings.Repeat("a", 64)
	shaB = strings.Repeat("b", 64)
)

// listingServer serves the three listings of project greet-tool, each
// only when its switch is on, and records the Accept and Authorization
// headers it saw.
type listingServer struct {
	*httptest.Server
	listing
	mu      sync.Mutex
	accepts []string
	auths   atomic.Int32
}

// listing says which listings a listingServer serves.
type listing struct {
	json691, html503, jsonAPI bool
	htmlWithoutHash           bool
}

func newListingServer(t *testing.T, l listing) *listingServer {
	ls := &listingServer{listing: l}
	ls.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, _, ok := r.BasicAuth(); ok {
			ls.auths.Add(1)
		}
		switch r.URL.Path {
		case "/simple/greet-tool/":
			ls.mu.Lock()
			ls.accepts = append(ls.accepts, r.Header.Get("Accept"))
			ls.mu.Unlock()
			switch {
			case ls.json691 && strings.Contains(r.Header.Get("Accept"), simpleJSON):
				w.Header().Set("Content-Type", simpleJSON)
				fmt.Fprintf(w, `{"meta": {"api-version": "1.1"}, "name": "greet-tool", "files": [
					{"filename": "greet_tool-1.0.tar.gz", "url": "https://files.test/a", "hashes": {"sha256": %q}},
					{"filename": "greet_tool-1.0-py3-none-any.whl", "url": "https://files.test/b", "hashes": {"sha256": %q, "md5": "x"}}]}`, shaA, strings.ToUpper(shaB))
			case ls.html503:
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				io.WriteString(w, "<!DOCTYPE html>\n<html><head><title>Links for greet-tool</title></head><body>\n<h1>Links for greet-tool</h1>\n")
				fmt.Fprintf(w, `<a href="/api/packages/o/pypi/files/greet-tool/1.0/greet_tool-1.0.tar.gz#sha256=%s" data-requires-python="&gt;=3.9">greet_tool-1.0.tar.gz</a><br/>`+"\n", shaA)
				if ls.htmlWithoutHash {
					io.WriteString(w, `<a href="../../files/greet_tool-1.0-py3-none-any.whl"></a>`)
				} else {
					fmt.Fprintf(w, `<a href="https://files.test/greet_tool-1.0-py3-none-any.whl#sha256=%s"> greet_tool-1.0-py3-none-any.whl </a>`, shaB)
				}
				io.WriteString(w, "</body></html>")
			default:
				http.NotFound(w, r)
			}
		case "/pypi/greet-tool/json":
			if !ls.jsonAPI {
				http.NotFound(w, r)
				return
			}
			fmt.Fprintf(w, `{"info": {"name": "Greet_Tool"}, "urls": [{"filename": "greet_tool-1.0.tar.gz", "digests": {"sha256": %q}}],
				"releases": {"0.9": [{"filename": "greet_tool-0.9.tar.gz", "digests": {"sha256": %q}}],
				             "1.0": [{"filename": "greet_tool-1.0.tar.gz", "digests": {"sha256": %q}}, {"filename": "greet_tool-1.0-py3-none-any.whl", "digests": {"sha256": %q}}]}}`,
				shaA, shaA, shaA, shaB)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(ls.Close)
	return ls
}

func TestExisting(t *testing.T) {
	both := map[string]string{"greet_tool-1.0.tar.gz": shaA, "greet_tool-1.0-py3-none-any.whl": shaB}
	tests := map[string]struct {
		server  listing
		noIndex bool
		noJSON  bool
		want    map[string]string
	}{
		"PEP 691 JSON":                       {server: listing{json691: true, html503: true}, want: both},
		"PEP 503 HTML":                       {server: listing{html503: true}, want: both},
		"JSON API alone":                     {server: listing{jsonAPI: true}, noIndex: true, want: map[string]string{"greet_tool-1.0.tar.gz": shaA, "greet_tool-1.0-py3-none-any.whl": shaB, "greet_tool-0.9.tar.gz": shaA}},
		"HTML without a hash, JSON API adds": {server: listing{html503: true, htmlWithoutHash: true, jsonAPI: true}, want: map[string]string{"greet_tool-1.0.tar.gz": shaA, "greet_tool-1.0-py3-none-any.whl": shaB, "greet_tool-0.9.tar.gz": shaA}},
		"HTML without a hash, no JSON API":   {server: listing{html503: true, htmlWithoutHash: true}, noJSON: true, want: map[string]string{"greet_tool-1.0.tar.gz": shaA, "greet_tool-1.0-py3-none-any.whl": ""}},
		"404 is no files":                    {server: listing{}, want: map[string]string{}},
		"404 on the JSON API is no files":    {server: listing{}, noIndex: true, want: map[string]string{}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ls := newListingServer(t, tc.server)
			repo := repoFor(ls.URL)
			repo.JSONURL = ls.URL + "/pypi"
			if tc.noIndex {
				repo.IndexURL = ""
			}
			if tc.noJSON {
				repo.JSONURL = ""
			}
			c, _ := newClient(t)
			got, err := c.Existing(t.Context(), repo, "Greet_Tool")
			noSecret(t, err)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			ls.mu.Lock()
			defer ls.mu.Unlock()
			for _, a := range ls.accepts {
				if !strings.HasPrefix(a, simpleJSON) {
					t.Errorf("Accept %q does not ask for PEP 691 JSON first", a)
				}
			}
		})
	}
}

func TestExistingCredentialsOnlyToTheUploadHost(t *testing.T) {
	ls := newListingServer(t, listing{html503: true})
	c, _ := newClient(t)
	repo := repoFor(ls.URL) // the index is on the upload host
	if _, err := c.Existing(t.Context(), repo, "greet-tool"); err != nil {
		t.Fatal(err)
	}
	if ls.auths.Load() != 1 {
		t.Errorf("%d requests with credentials to the upload host's index, want 1", ls.auths.Load())
	}
	repo.UploadURL = "https://upload.elsewhere.test/legacy/"
	if _, err := c.Existing(t.Context(), repo, "greet-tool"); err != nil {
		t.Fatal(err)
	}
	if ls.auths.Load() != 1 {
		t.Error("credentials were sent to an index on another host than the upload URL")
	}
}

func TestExistingErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
	}))
	defer srv.Close()
	c, _ := newClient(t)
	_, err := c.Existing(t.Context(), repoFor(srv.URL), "greet")
	if err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("err = %v, want the 403", err)
	}
	noSecret(t, err)
	if _, err := c.Existing(t.Context(), Repository{UploadURL: srv.URL}, "greet"); err == nil {
		t.Error("a repository without index or JSON URL: want an error")
	}
}

func TestVerify(t *testing.T) {
	files := []File{
		{Name: "greet_tool-1.0.tar.gz", SHA256: shaA},
		{Name: "greet_tool-1.0-py3-none-any.whl", SHA256: shaB},
	}
	t.Run("served after a while", func(t *testing.T) {
		var n atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) < 3 {
				http.NotFound(w, r) // a cache that has not seen the project yet
				return
			}
			fmt.Fprintf(w, `<a href="/f/greet_tool-1.0.tar.gz#sha256=%s">greet_tool-1.0.tar.gz</a><a href="/f/greet_tool-1.0-py3-none-any.whl#sha256=%s">greet_tool-1.0-py3-none-any.whl</a>`, shaA, shaB)
		}))
		defer srv.Close()
		c, _ := newClient(t)
		if err := c.Verify(t.Context(), repoFor(srv.URL), "Greet_Tool", files, 10*time.Second, time.Millisecond); err != nil {
			t.Fatal(err)
		}
		if n.Load() != 3 {
			t.Errorf("%d listings, want 3", n.Load())
		}
	})
	t.Run("timeout lists what is wrong", func(t *testing.T) {
		var n atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			fmt.Fprintf(w, `<a href="/f/greet_tool-1.0.tar.gz#sha256=%s">greet_tool-1.0.tar.gz</a>`, shaB)
		}))
		defer srv.Close()
		c, _ := newClient(t)
		start := time.Now()
		err := c.Verify(t.Context(), repoFor(srv.URL), "Greet_Tool", files, 50*time.Millisecond, 10*time.Millisecond)
		var ve *VerifyError
		if !errors.As(err, &ve) || !errors.Is(err, ErrNotServed) {
			t.Fatalf("err = %v, want a *VerifyError wrapping ErrNotServed", err)
		}
		for _, w := range []string{"not listed: greet_tool-1.0-py3-none-any.whl", "different content: greet_tool-1.0.tar.gz (index sha256 " + shaB + ")", "Greet_Tool", srv.URL + "/simple/"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not contain %q", err, w)
			}
		}
		if n.Load() < 2 || time.Since(start) < 50*time.Millisecond {
			t.Errorf("%d listings in %v, want polling until the timeout", n.Load(), time.Since(start))
		}
		noSecret(t, err)
	})
	t.Run("cancelled", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		defer srv.Close()
		c, _ := newClient(t)
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Millisecond)
		defer cancel()
		err := c.Verify(ctx, repoFor(srv.URL), "greet", files, time.Hour, time.Millisecond*5)
		if !errors.Is(err, ErrNotServed) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want ErrNotServed and the context's error", err)
		}
	})
}

func FuzzParseSimpleHTML(f *testing.F) {
	f.Add(`<a href="/f/a-1.tar.gz#sha256=AB">a-1.tar.gz</a>`)
	f.Add(`<a href="x.whl"/><a>t</a><a href="#sha256=">`)
	f.Add(`<html><body><a href="../../a%20b-1.zip#md5=1">` + "\n</a></body>")
	f.Fuzz(func(t *testing.T, page string) {
		files, err := parseSimpleHTML(strings.NewReader(page))
		if err != nil {
			return
		}
		for name, sha := range files {
			if name == "" || name != strings.TrimSpace(name) {
				t.Errorf("file name %q", name)
			}
			if sha != strings.ToLower(sha) {
				t.Errorf("sha256 %q is not lower-case", sha)
			}
		}
	})
}

// TestExistingRedirectToAnotherPortDropsCredentials checks that an index
// redirecting its page to another port of the same host does not receive
// the upload credentials there: another port is another server.
func TestExistingRedirectToAnotherPortDropsCredentials(t *testing.T) {
	var leaked atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Add(1)
		}
		w.Header().Set("Content-Type", simpleJSON)
		fmt.Fprint(w, `{"files": [{"filename": "greet_tool-1.0.0.tar.gz", "hashes": {"sha256": "`+shaA+`"}}]}`)
	}))
	t.Cleanup(other.Close)
	var authed atomic.Int32
	index := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			authed.Add(1)
		}
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
	}))
	t.Cleanup(index.Close)
	c, _ := newClient(t)
	got, err := c.Existing(t.Context(), repoFor(index.URL), "greet-tool")
	if err != nil {
		t.Fatal(err)
	}
	if got["greet_tool-1.0.0.tar.gz"] != shaA {
		t.Fatalf("got %v, want the redirected page's file", got)
	}
	if authed.Load() == 0 {
		t.Fatal("the index itself got no credentials")
	}
	if leaked.Load() != 0 {
		t.Errorf("the server on another port (%s, index on %s) got the credentials", other.URL, index.URL)
	}
}
