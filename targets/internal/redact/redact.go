// Package redact keeps the secrets a pyrelease run knows of (tokens,
// passwords, keys, webhook URLs) and removes them from text on its way
// out: log lines, the error a target returns, and what child processes
// print. A secret is registered once, where it is read, and is then
// removed in every form it is echoed in: as it is, URL-encoded, in
// base64 (alone, or inside a longer base64 text such as the value of a
// Basic Authorization header, "user:secret"), and base64 URL-encoded.
package redact

import (
	"encoding/base64"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// Mask is what a secret is replaced with.
const Mask = "REDACTED"

// MinLen is the length below which a string is not taken as a secret:
// masking every "ab" in the output would hide more than it protects.
const MinLen = 4

// minBase64 is the shortest base64 piece masked on its own. Pieces are
// cut out of a secret's encoding at each of the three byte alignments it
// can have inside a longer encoded text; a short piece would match
// unrelated base64.
const minBase64 = 8

// Set is a set of secrets. The zero Set is empty and ready to use; it is
// safe for concurrent use.
type Set struct {
	mu       sync.RWMutex
	secrets  map[string]bool
	replacer *strings.Replacer
}

// Default is the process's set: the one every output path of pyrelease
// filters through.
var Default = &Set{}

// Add registers secrets (empty and too short ones are ignored).
func Add(secrets ...string) { Default.Add(secrets...) }

// AddBasic registers a password and the Basic authorization value of
// user:password, whatever the alignment.
func AddBasic(user, password string) { Default.AddBasic(user, password) }

// AddURL registers the credentials of a URL: its password, and its path
// and query when the URL itself is the credential (a webhook).
func AddURL(raw string, whole bool) { Default.AddURL(raw, whole) }

// String returns s without the secrets of Default.
func String(s string) string { return Default.String(s) }

// Error returns err with the secrets of Default removed from its text.
func Error(err error) error { return Default.Error(err) }

// Add registers secrets.
func (s *Set) Add(secrets ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := false
	for _, v := range secrets {
		v = strings.TrimSpace(v)
		if len(v) < MinLen {
			continue
		}
		if s.secrets == nil {
			s.secrets = map[string]bool{}
		}
		if !s.secrets[v] {
			s.secrets[v] = true
			changed = true
		}
	}
	if changed {
		s.replacer = nil
	}
}

// AddBasic registers password and user:password: the encoded pair is
// masked whole even when password is too short to be masked inside it.
func (s *Set) AddBasic(user, password string) {
	if password == "" {
		return
	}
	s.Add(password)
	s.addRaw(base64.StdEncoding.EncodeToString([]byte(user + ":" + password)))
}

// AddURL registers the password of the URL raw; with whole, its path and
// query too, and the URL itself: a Slack or generic webhook URL is its
// own credential.
func (s *Set) AddURL(raw string, whole bool) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		if whole {
			s.Add(raw)
		}
		return
	}
	if p, ok := u.User.Password(); ok {
		s.AddBasic(u.User.Username(), p)
	}
	if !whole {
		return
	}
	s.Add(raw)
	for _, vs := range u.Query() {
		s.Add(vs...)
	}
	for _, v := range []string{u.EscapedPath(), u.Path, u.RawQuery} {
		// A bare "/" or "/hooks" names the service, not the secret: only a
		// path with more than one segment is the token.
		if strings.Count(strings.Trim(v, "/"), "/") >= 1 || (v == u.RawQuery && v != "") {
			s.Add(v)
		}
	}
}

// addRaw registers one exact string.
func (s *Set) addRaw(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.secrets == nil {
		s.secrets = map[string]bool{}
	}
	if !s.secrets[v] {
		s.secrets[v] = true
		s.replacer = nil
	}
}

// Len returns how many secrets are registered.
func (s *Set) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.secrets)
}

// String returns text with every form of every secret replaced by Mask.
func (s *Set) String(text string) string {
	r := s.replacerFor()
	if r == nil {
		return text
	}
	return r.Replace(text)
}

// Error returns err with its text cleaned; the chain (errors.Is, As) is
// kept. An error with nothing to clean is returned as it is.
func (s *Set) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := s.String(msg)
	if clean == msg {
		return err
	}
	return &redacted{msg: clean, err: err}
}

// redacted is an error whose text was cleaned.
type redacted struct {
	msg string
	err error
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }

func (s *Set) replacerFor() *strings.Replacer {
	s.mu.RLock()
	r, n := s.replacer, len(s.secrets)
	s.mu.RUnlock()
	if r != nil || n == 0 {
		return r
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.replacer == nil {
		var forms []string
		seen := map[string]bool{}
		for v := range s.secrets {
			for _, f := range Forms(v) {
				if !seen[f] {
					seen[f] = true
					forms = append(forms, f)
				}
			}
		}
		// Longest first: strings.Replacer tries its old strings in argument
		// order at each position, and a longer form contains shorter ones.
		sort.Slice(forms, func(i, j int) bool {
			if len(forms[i]) != len(forms[j]) {
				return len(forms[i]) > len(forms[j])
			}
			return forms[i] < forms[j]
		})
		pairs := make([]string, 0, 2*len(forms))
		for _, f := range forms {
			pairs = append(pairs, f, Mask)
		}
		s.replacer = strings.NewReplacer(pairs...)
	}
	return s.replacer
}

// Forms returns the strings secret is masked as: itself, URL-encoded
// (query and path escaping), its base64 in the standard and URL alphabets
// with and without padding, and the pieces of its base64 that appear in
// any longer base64 text holding it at each of the three byte alignments
// (so "user:secret" encoded for a Basic header is caught without knowing
// the user), each also URL-encoded.
func Forms(secret string) []string {
	forms := []string{secret, url.QueryEscape(secret), url.PathEscape(secret)}
	encs := []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding}
	for _, enc := range encs {
		forms = append(forms, enc.EncodeToString([]byte(secret)))
	}
	// At alignment k the secret's first byte is the k-th of a 3-byte group;
	// the groups wholly inside the secret encode the same whatever
	// surrounds it.
	for k := 0; k < 3; k++ {
		skip := (3 - k) % 3
		if len(secret) <= skip {
			continue
		}
		inner := secret[skip:]
		inner = inner[:len(inner)/3*3]
		for _, enc := range encs[2:] {
			if piece := enc.EncodeToString([]byte(inner)); len(piece) >= minBase64 {
				forms = append(forms, piece)
			}
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, f := range forms {
		for _, g := range []string{f, url.QueryEscape(f)} {
			if len(g) >= MinLen && !seen[g] {
				seen[g] = true
				out = append(out, g)
			}
		}
	}
	return out
}
