package httpretry

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// authServer records the Authorization and Cookie headers it receives.
type authServer struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func newAuthServer(t *testing.T, h http.HandlerFunc) *authServer {
	t.Helper()
	s := &authServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.seen = append(s.seen, r.Header.Get("Authorization")+r.Header.Get("Cookie"))
		s.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *authServer) credentials() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.seen, "")
}

// TestRedirectToAnotherPortDropsCredentials checks that a redirect to the
// same host name on another port, which net/http treats as the same
// server, carries no credentials, and that one on the same origin does.
func TestRedirectToAnotherPortDropsCredentials(t *testing.T) {
	ok := func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) }
	second := newAuthServer(t, ok)
	first := newAuthServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, second.URL+"/file", http.StatusFound)
		case "/here":
			http.Redirect(w, r, "/file", http.StatusFound)
		default:
			w.WriteHeader(http.StatusOK)
		}
	})
	if !strings.Contains(first.URL, "127.0.0.1:") || !strings.Contains(second.URL, "127.0.0.1:") {
		t.Fatalf("servers on %s and %s, want one host and two ports", first.URL, second.URL)
	}
	newReq := func(path string, userinfo bool) func(ctx context.Context) (*http.Request, error) {
		return func(ctx context.Context) (*http.Request, error) {
			u, _ := url.Parse(first.URL + path)
			if userinfo {
				u.User = url.UserPassword("u", "s3cret")
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
			if err != nil {
				return nil, err
			}
			if !userinfo {
				req.Header.Set("Authorization", "Bearer s3cret")
				req.Header.Set("Cookie", "session=s3cret")
			}
			return req, nil
		}
	}
	for _, userinfo := range []bool{false, true} {
		resp, err := (&recorder{}).policy().Do(t.Context(), &http.Client{}, newReq("/away", userinfo))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Request.URL.User != nil {
			t.Errorf("userinfo %v: the redirected request kept the URL's user:password", userinfo)
		}
	}
	if got := second.credentials(); got != "" {
		t.Errorf("the server on another port got credentials %q", got)
	}
	if got := first.credentials(); !strings.Contains(got, "Bearer s3cret") {
		t.Fatalf("the first server got %q, want the credentials", got)
	}

	before := first.credentials()
	resp, err := (&recorder{}).policy().Do(t.Context(), &http.Client{}, newReq("/here", false))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := strings.TrimPrefix(first.credentials(), before); got != strings.Repeat("Bearer s3cretsession=s3cret", 2) {
		t.Errorf("a same-origin redirect sent %q, want the credentials twice", got)
	}
}

// TestCheckRedirectKeepsTheClientsPolicy checks that the wrapper still
// applies the client's own CheckRedirect and net/http's redirect limit.
func TestCheckRedirectKeepsTheClientsPolicy(t *testing.T) {
	loop := newAuthServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/again", http.StatusFound)
	})
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := (&recorder{}).policy().Do(t.Context(), c, get(loop.URL))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Errorf("status %d, want the 302 the client's policy stops at", resp.StatusCode)
	}
	if c.CheckRedirect == nil {
		t.Error("the caller's client was changed")
	}
	p := (&recorder{}).policy()
	p.Attempts = 1
	if _, err := p.Do(t.Context(), &http.Client{}, get(loop.URL)); err == nil || !strings.Contains(err.Error(), "stopped after 10 redirects") {
		t.Errorf("err = %v, want the redirect limit", err)
	}
}
