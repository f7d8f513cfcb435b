package pypi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testJWT          = "eyJhbGciOiJSUzI1NiJ9.JWT-SECRET-CLAIMS.c2ln"
	testRequestToken = "ghs_REQUEST-TOKEN-SECRET"
	testAudience     = "testindex"
)

// oidcIndex is a fake index with trusted publishing and a fake GitHub
// token endpoint; mintStatus other than 200 makes minting fail.
type oidcIndex struct {
	*httptest.Server
	mints      atomic.Int32
	mintStatus atomic.Int32
	expires    atomic.Int64
}

func newOIDCIndex(t *testing.T) *oidcIndex {
	t.Helper()
	oi := &oidcIndex{}
	oi.mintStatus.Store(200)
	oi.expires.Store(1900000000)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_/oidc/audience", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"audience": %q}`, testAudience)
	})
	mux.HandleFunc("GET /github/token", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "bearer "+testRequestToken || r.URL.Query().Get("api-version") != "2.0" || r.URL.Query().Get("audience") != testAudience {
			http.Error(w, `{"message": "bad request token or audience"}`, http.StatusUnauthorized)
			return
		}
		fmt.Fprintf(w, `{"count": 1, "value": %q}`, testJWT)
	})
	mux.HandleFunc("POST /_/oidc/mint-token", func(w http.ResponseWriter, r *http.Request) {
		oi.mints.Add(1)
		var req struct{ Token string }
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Token != testJWT {
			http.Error(w, `{"message": "Token request failed", "errors": [{"code": "invalid-payload", "description": "bad token"}]}`, 422)
			return
		}
		if status := int(oi.mintStatus.Load()); status != 200 {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			// Warehouse quotes claims back; a careless index might quote the token.
			fmt.Fprintf(w, `{"message": "Token request failed", "errors": [{"code": "invalid-publisher", "description": "valid token, but no corresponding publisher (token %s)"}]}`, testJWT)
			return
		}
		fmt.Fprintf(w, `{"success": true, "token": %q, "expires": %d}`, secret, oi.expires.Load())
	})
	oi.Server = httptest.NewServer(mux)
	t.Cleanup(oi.Close)
	return oi
}

func (oi *oidcIndex) repo() Repository {
	return Repository{Name: "local", UploadURL: oi.URL + "/legacy/", IndexURL: oi.URL + "/simple/"}
}

func noTokens(t *testing.T, err error) {
	t.Helper()
	noSecret(t, err)
	if err != nil {
		for _, s := range []string{testJWT, testRequestToken, "JWT-SECRET"} {
			if strings.Contains(fmt.Sprintf("%v %#v", err, err), s) {
				t.Errorf("error %v leaks %q", err, s)
			}
		}
	}
}

func TestMintToken(t *testing.T) {
	oi := newOIDCIndex(t)
	tests := map[string]map[string]string{
		"GitHub Actions": {envGitHubRequestURL: oi.URL + "/github/token?api-version=2.0", envGitHubRequestToken: testRequestToken},
		"GitLab":         {envGitLabIDToken: testJWT},
	}
	for name, env := range tests {
		t.Run(name, func(t *testing.T) {
			tok, err := MintToken(t.Context(), nil, oi.repo(), func(k string) string { return env[k] })
			noTokens(t, err)
			if err != nil {
				t.Fatal(err)
			}
			if tok.Username != TokenUsername || tok.Password != secret || !tok.Expires.Equal(time.Unix(1900000000, 0)) {
				t.Errorf("got %v, want __token__ with the minted token expiring at 1900000000", tok)
			}
		})
	}
}

func TestMintTokenErrors(t *testing.T) {
	oi := newOIDCIndex(t)
	github := map[string]string{envGitHubRequestURL: oi.URL + "/github/token?api-version=2.0", envGitHubRequestToken: testRequestToken}
	tests := map[string]struct {
		env        map[string]string
		mintStatus int
		repo       Repository
		is         error
		want       []string
	}{
		"no identity": {env: map[string]string{}, is: ErrNoIdentity, want: []string{envGitHubRequestURL, envGitLabIDToken}},
		"publisher not configured": {
			env: map[string]string{envGitLabIDToken: testJWT}, mintStatus: 422,
			want: []string{"mint", "HTTP 422", "Token request failed", "invalid-publisher: valid token, but no corresponding publisher (token REDACTED)"},
		},
		"GitHub refuses the request token": {
			env:  map[string]string{envGitHubRequestURL: oi.URL + "/github/token?api-version=2.0", envGitHubRequestToken: "wrong"},
			want: []string{"identity", "HTTP 401", "bad request token or audience"},
		},
		"no index URL": {env: github, repo: Repository{UploadURL: "http://x.test/up"}, want: []string{"no index URL"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			oi.mintStatus.Store(200)
			if tc.mintStatus != 0 {
				oi.mintStatus.Store(int32(tc.mintStatus))
			}
			repo := oi.repo()
			if tc.repo.UploadURL != "" {
				repo = tc.repo
			}
			_, err := MintToken(t.Context(), nil, repo, func(k string) string { return tc.env[k] })
			noTokens(t, err)
			if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) {
				t.Fatalf("err = %v, want an error wrapping %v", err, tc.is)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestOIDCBase(t *testing.T) {
	tests := map[string]struct {
		repo Repository
		want string
	}{
		"pypi":     {repo: Repository{Name: "pypi", UploadURL: pypiUploadURL, IndexURL: pypiIndexURL}, want: "https://pypi.org"},
		"testpypi": {repo: Repository{Name: "testpypi", UploadURL: testpypiUploadURL, IndexURL: testpypiIndexURL}, want: "https://test.pypi.org"},
		"gitea":    {repo: Repository{UploadURL: "http://h:3000/api/packages/o/pypi", IndexURL: "http://h:3000/api/packages/o/pypi/simple/"}, want: "http://h:3000"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := oidcBase(tc.repo)
			if err != nil || got.String() != tc.want {
				t.Errorf("got %v, %v; want %s", got, err, tc.want)
			}
		})
	}
}

func TestTrustedPublishingAvailable(t *testing.T) {
	tests := map[string]struct {
		env  map[string]string
		want bool
	}{
		"GitHub":            {env: map[string]string{envGitHubRequestURL: "u", envGitHubRequestToken: "t"}, want: true},
		"GitHub, no token":  {env: map[string]string{envGitHubRequestURL: "u"}, want: false},
		"GitLab":            {env: map[string]string{envGitLabIDToken: "jwt"}, want: true},
		"nothing":           {env: map[string]string{}, want: false},
		"unrelated CI vars": {env: map[string]string{"CI": "true", "GITHUB_ACTIONS": "true"}, want: false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := TrustedPublishingAvailable(func(k string) string { return tc.env[k] }); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRefresher(t *testing.T) {
	oi := newOIDCIndex(t)
	now := time.Unix(1800000000, 0)
	oi.expires.Store(0) // only the age counts, until step 4
	r := &Refresher{Repo: oi.repo(), Getenv: func(k string) string { return map[string]string{envGitLabIDToken: testJWT}[k] }, Now: func() time.Time { return now }}
	steps := []struct {
		advance time.Duration
		mints   int32
	}{
		{0, 1},
		{5 * time.Minute, 1},  // young enough: reused
		{6 * time.Minute, 2},  // 11 minutes old: minted again
		{9 * time.Minute, 2},  // 9 minutes old
		{30 * time.Second, 3}, // the index said it expires in under a minute
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		if i == 4 {
			// make the token in hand expire soon
			r.tok.Expires = now.Add(30 * time.Second)
		}
		user, pass, err := r.Credentials(t.Context())
		noTokens(t, err)
		if err != nil || user != TokenUsername || pass != secret {
			t.Fatalf("step %d: %q, err %v", i, user, err)
		}
		if got := oi.mints.Load(); got != s.mints {
			t.Errorf("step %d: %d mints, want %d", i, got, s.mints)
		}
	}
}
