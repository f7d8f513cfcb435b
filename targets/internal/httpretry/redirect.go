package httpretry

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// CheckRedirect wraps next (nil: net/http's default of ten redirects) so
// that a redirect leaving the first request's origin (scheme, host and
// port) carries no credentials: no Authorization or Cookie header and no
// user:password in the URL. net/http drops these only when the host name
// changes, so a server could send a token on to another port of its host.
//
// It is installed on every client Do and Read send with; callers building
// a client of their own may use it too.
func CheckRedirect(next func(req *http.Request, via []*http.Request) error) func(req *http.Request, via []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) > 0 && !SameOrigin(req.URL, via[0].URL) {
			req.Header.Del("Authorization")
			req.Header.Del("Cookie")
			req.URL.User = nil
		}
		if next != nil {
			return next(req, via)
		}
		return defaultCheckRedirect(via)
	}
}

// defaultCheckRedirect is net/http's policy when Client.CheckRedirect is
// nil, which a wrapper can no longer fall back to.
func defaultCheckRedirect(via []*http.Request) error {
	if len(via) >= 10 {
		return errTooManyRedirects
	}
	return nil
}

var errTooManyRedirects = errors.New("stopped after 10 redirects")

// SameOrigin reports whether a and b have the same scheme, host and port,
// a missing port counting as the scheme's default.
func SameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) &&
		strings.EqualFold(a.Hostname(), b.Hostname()) &&
		port(a) == port(b)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "http":
		return "80"
	case "https":
		return "443"
	}
	return ""
}

// guarded is c with CheckRedirect installed; c itself is not changed.
func guarded(c *http.Client) *http.Client {
	g := *c
	g.CheckRedirect = CheckRedirect(c.CheckRedirect)
	return &g
}
