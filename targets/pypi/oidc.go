package pypi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/httpretry"
)

// Environment of the CI identity providers trusted publishing knows.
const (
	envGitHubRequestURL   = "ACTIONS_ID_TOKEN_REQUEST_URL"
	envGitHubRequestToken = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
	envGitLabIDToken      = "PYPI_ID_TOKEN" // an id_tokens: entry of the job, with aud set to the index's audience
)

// DefaultTokenMaxAge is how long Refresher uses a minted token; PyPI's
// live 15 minutes, so a new one is minted well before.
const DefaultTokenMaxAge = 10 * time.Minute

// maxMintAnswer bounds what is read of an OIDC or mint answer.
const maxMintAnswer = 1 << 20

// Token is a short-lived upload token. Password is a secret: String,
// GoString and LogValue leave it out.
type Token struct {
	Username, Password string
	Expires            time.Time // zero when the index did not say
}

// String describes the token without its secret.
func (t Token) String() string {
	return fmt.Sprintf("token for %s (%s, expires %s)", t.Username, hidden(t.Password), t.Expires.Format(time.RFC3339))
}

// GoString keeps %#v from printing the secret.
func (t Token) GoString() string { return "pypi.Token{" + t.String() + "}" }

// LogValue keeps slog from printing the secret.
func (t Token) LogValue() slog.Value {
	return slog.GroupValue(slog.String("username", t.Username), slog.String("password", hidden(t.Password)), slog.Time("expires", t.Expires))
}

// TrustedPublishingAvailable reports whether the environment holds a CI
// identity MintToken can exchange: GitHub Actions with id-token: write, or
// a GitLab job with a PYPI_ID_TOKEN id token.
func TrustedPublishingAvailable(getenv func(string) string) bool {
	if getenv == nil {
		getenv = os.Getenv
	}
	return getenv(envGitHubRequestURL) != "" && getenv(envGitHubRequestToken) != "" || getenv(envGitLabIDToken) != ""
}

// MintToken exchanges a CI identity token for a short-lived upload token: GitHub Actions
// (ACTIONS_ID_TOKEN_REQUEST_URL + ACTIONS_ID_TOKEN_REQUEST_TOKEN: GET {index-host}/_/oidc/audience ->
// {"audience": ...}; GET REQUEST_URL&audience=AUD with "Authorization: bearer REQUEST_TOKEN" -> {"value": JWT})
// or GitLab (PYPI_ID_TOKEN holds the JWT); then POST {index-host}/_/oidc/mint-token {"token": JWT} ->
// {"success": true, "token": "pypi-...", "expires": unix}. Username "__token__".
//
// The index host is PyPI's or TestPyPI's for their upload URLs, else the
// scheme and host of repo.IndexURL. Errors carry the index's message,
// never a token; a nil c means a client with sane timeouts.
func MintToken(ctx context.Context, c *http.Client, repo Repository, getenv func(string) string) (Token, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if c == nil {
		c = defaultHTTP()
	}
	base, err := oidcBase(repo)
	if err != nil {
		return Token{}, err
	}
	m := minter{hc: c, base: base}
	var jwt string
	switch {
	case getenv(envGitHubRequestURL) != "" && getenv(envGitHubRequestToken) != "":
		if jwt, err = m.github(ctx, getenv(envGitHubRequestURL), getenv(envGitHubRequestToken)); err != nil {
			return Token{}, err
		}
	case getenv(envGitLabIDToken) != "":
		jwt = getenv(envGitLabIDToken)
	default:
		return Token{}, fmt.Errorf("pypi: trusted publishing for %s: %w: need %s and %s (GitHub Actions with permissions id-token: write) or %s (a GitLab id_tokens entry)",
			repo, ErrNoIdentity, envGitHubRequestURL, envGitHubRequestToken, envGitLabIDToken)
	}
	m.secrets = append(m.secrets, jwt)
	var minted struct {
		Success bool   `json:"success"`
		Token   string `json:"token"`
		Expires int64  `json:"expires"`
	}
	u := base.JoinPath("_", "oidc", "mint-token")
	body, _ := json.Marshal(map[string]string{"token": jwt})
	err = m.call(ctx, "mint", u, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
		return req, err
	}, &minted)
	if err != nil {
		return Token{}, err
	}
	if !minted.Success || minted.Token == "" {
		return Token{}, &MintError{Step: "mint", URL: httpretry.Redact(u), Message: "the index answered without a token"}
	}
	t := Token{Username: TokenUsername, Password: minted.Token}
	if minted.Expires > 0 {
		t.Expires = time.Unix(minted.Expires, 0)
	}
	return t, nil
}

// oidcBase is where an index serves its trusted-publishing endpoints.
func oidcBase(repo Repository) (*url.URL, error) {
	if u, err := url.Parse(repo.UploadURL); err == nil {
		if index, _, ok := knownIndex(u); ok {
			ix, _ := url.Parse(index)
			return &url.URL{Scheme: ix.Scheme, Host: ix.Host}, nil
		}
	}
	ix, err := url.Parse(repo.IndexURL)
	if err != nil || ix.Host == "" {
		return nil, fmt.Errorf("pypi: trusted publishing for %s: no index URL to find its OIDC endpoints at", repo)
	}
	return &url.URL{Scheme: ix.Scheme, Host: ix.Host}, nil
}

type minter struct {
	hc      *http.Client
	base    *url.URL
	secrets []string // scrubbed from every message
}

// github asks the index for its audience, then GitHub for an identity
// token with that audience.
func (m *minter) github(ctx context.Context, requestURL, requestToken string) (string, error) {
	m.secrets = append(m.secrets, requestToken)
	var aud struct {
		Audience string `json:"audience"`
	}
	au := m.base.JoinPath("_", "oidc", "audience")
	if err := m.call(ctx, "audience", au, getter(au), &aud); err != nil {
		return "", err
	}
	if aud.Audience == "" {
		return "", &MintError{Step: "audience", URL: httpretry.Redact(au), Message: "the index named no audience"}
	}
	iu, err := url.Parse(requestURL)
	if err != nil {
		return "", &MintError{Step: "identity", URL: "$" + envGitHubRequestURL, Message: "not a URL"}
	}
	// Appended rather than re-encoded: the rest of GitHub's query is
	// passed on exactly as given.
	if iu.RawQuery != "" {
		iu.RawQuery += "&"
	}
	iu.RawQuery += "audience=" + url.QueryEscape(aud.Audience)
	var id struct {
		Value string `json:"value"`
	}
	err = m.call(ctx, "identity", iu, func(ctx context.Context) (*http.Request, error) {
		req, err := getter(iu)(ctx)
		if err == nil {
			req.Header.Set("Authorization", "bearer "+requestToken)
		}
		return req, err
	}, &id)
	if err != nil {
		return "", err
	}
	if id.Value == "" {
		return "", &MintError{Step: "identity", URL: httpretry.Redact(iu), Message: "GitHub answered without a token"}
	}
	return id.Value, nil
}

func getter(u *url.URL) func(context.Context) (*http.Request, error) {
	return func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err == nil {
			req.Header.Set("Accept", "application/json")
		}
		return req, err
	}
}

// call sends a request with retries and decodes its JSON answer into out.
func (m *minter) call(ctx context.Context, step string, u *url.URL, newReq func(context.Context) (*http.Request, error), out any) error {
	resp, err := httpretry.Policy{}.Do(ctx, m.hc, newReq)
	fail := func(status int, msg string, err error) *MintError {
		for _, s := range m.secrets {
			msg = scrub(msg, s)
		}
		return &MintError{Step: step, URL: httpretry.Redact(u), Status: status, Message: msg, Err: err}
	}
	if resp == nil {
		return fail(0, "", err)
	}
	defer resp.Body.Close()
	data, rerr := io.ReadAll(io.LimitReader(resp.Body, maxMintAnswer))
	if err != nil || resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fail(resp.StatusCode, mintMessage(data, resp.Header.Get("Content-Type")), err)
	}
	if rerr != nil {
		return fail(resp.StatusCode, "reading the answer", rerr)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fail(resp.StatusCode, "the answer is not the JSON expected", err)
	}
	return nil
}

// mintMessage renders Warehouse's error answer, {"message": ..., "errors":
// [{"code", "description"}]}, or whatever else an index said.
func mintMessage(data []byte, contentType string) string {
	var doc struct {
		Message string `json:"message"`
		Errors  []struct {
			Code        string `json:"code"`
			Description string `json:"description"`
		} `json:"errors"`
	}
	if json.Unmarshal(data, &doc) == nil && (doc.Message != "" || len(doc.Errors) > 0) {
		parts := []string{}
		if doc.Message != "" {
			parts = append(parts, doc.Message)
		}
		for _, e := range doc.Errors {
			parts = append(parts, strings.TrimPrefix(e.Code+": "+e.Description, ": "))
		}
		return shorten(oneLine(strings.Join(parts, "; ")))
	}
	return shorten(bodyText(data, contentType))
}

// Refresher hands out trusted-publishing credentials, minting a new token
// when the one in hand is older than MaxAge or about to expire, so uploads
// that take longer than a token lives keep working. Its Credentials method
// fits Client.Token.
type Refresher struct {
	HTTP   *http.Client
	Repo   Repository
	Getenv func(string) string
	MaxAge time.Duration    // default DefaultTokenMaxAge
	Now    func() time.Time // default time.Now

	mu     sync.Mutex
	tok    Token
	minted time.Time
}

// Credentials returns the user name and password to send now.
func (r *Refresher) Credentials(ctx context.Context) (string, string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	maxAge := r.MaxAge
	if maxAge <= 0 {
		maxAge = DefaultTokenMaxAge
	}
	t := now()
	stale := r.tok.Password == "" || t.Sub(r.minted) >= maxAge ||
		!r.tok.Expires.IsZero() && r.tok.Expires.Sub(t) < time.Minute
	if stale {
		tok, err := MintToken(ctx, r.HTTP, r.Repo, r.Getenv)
		if err != nil {
			return "", "", err
		}
		r.tok, r.minted = tok, t
	}
	return r.tok.Username, r.tok.Password, nil
}
