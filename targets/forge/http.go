package forge

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/pyrelease/pyrelease/targets/internal/httpretry"
)

// errorBodyLimit is how much of an error answer is read for its message.
const errorBodyLimit = 16 << 10

// client sends the requests of one forge: JSON calls to its API, streamed
// uploads and downloads, each retried by httpretry.
type client struct {
	forge string
	http  *http.Client
	retry httpretry.Policy
	base  *url.URL // the API's base URL, without a trailing slash
	// auth sets the credential headers on a request to the forge.
	auth func(h http.Header)
	// headers are set on every request (API version, Accept).
	headers map[string]string
}

// newClient builds the client of a forge; tokenHeaders lists the headers
// auth sets besides Authorization, which must not follow a redirect to
// another origin either (httpretry strips only Authorization and Cookie).
func newClient(o Options, auth func(h http.Header), tokenHeaders ...string) (*client, error) {
	base, err := url.Parse(strings.TrimRight(o.URL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("forge: %s: API URL %q: expected an http or https URL: %w", o.Kind, redactString(o.URL), ErrOptions)
	}
	hc := o.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	guarded := *hc
	next := hc.CheckRedirect
	guarded.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > 0 && !httpretry.SameOrigin(req.URL, via[0].URL) {
			for _, h := range tokenHeaders {
				req.Header.Del(h)
			}
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &client{forge: o.Kind, http: &guarded, retry: o.Retry, base: base, auth: auth, headers: map[string]string{}}, nil
}

// url is the API's base joined with path segments, each escaped, and a
// query.
func (c *client) url(query url.Values, segments ...string) string {
	var b strings.Builder
	b.WriteString(c.base.String())
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	if len(query) > 0 {
		b.WriteString("?" + query.Encode())
	}
	return b.String()
}

// newRequest makes a request with the forge's headers; the credentials go
// only to the API's own origin, or to upload URLs the API named (force).
func (c *client) newRequest(ctx context.Context, method, target string, body io.Reader, force bool) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, err
	}
	for k, v := range c.headers {
		req.Header.Set(k, v)
	}
	if force || httpretry.SameOrigin(req.URL, c.base) {
		c.auth(req.Header)
	}
	return req, nil
}

// call sends a JSON request (body nil for none) and decodes a 2xx answer
// into out (nil to ignore it). Any other answer is an *APIError.
func (c *client) call(ctx context.Context, doing, method, target string, body, out any) error {
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			return fmt.Errorf("forge: %s: %s: %w", c.forge, doing, err)
		}
	}
	resp, err := c.retry.Do(ctx, c.http, func(ctx context.Context) (*http.Request, error) {
		var rd io.Reader
		if data != nil {
			rd = bytes.NewReader(data)
		}
		req, err := c.newRequest(ctx, method, target, rd, false)
		if err == nil && data != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		return req, err
	})
	return c.finish(doing, method, target, resp, err, out)
}

// finish checks an answer: a 2xx one is decoded into out, anything else
// becomes an *APIError carrying the forge's message.
func (c *client) finish(doing, method, target string, resp *http.Response, err error, out any) error {
	if resp == nil {
		return fmt.Errorf("forge: %s: %s: %w", c.forge, doing, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return c.apiError(doing, method, target, resp)
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, errorBodyLimit))
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("forge: %s: %s: %s %s: reading the answer: %w", c.forge, doing, method, redactString(target), err)
	}
	return nil
}

func (c *client) apiError(doing, method, target string, resp *http.Response) *APIError {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, errorBodyLimit))
	e := &APIError{Forge: c.forge, Doing: doing, Method: method, URL: redactString(target), Status: resp.StatusCode}
	var m struct {
		Message any `json:"message"`
		Error   any `json:"error"`
		// GitHub details a 422 in errors.
		Errors []struct {
			Field, Code, Message string
		} `json:"errors"`
	}
	if json.Unmarshal(data, &m) == nil {
		for _, v := range []any{m.Message, m.Error} {
			if v != nil && e.Message == "" {
				e.Message = oneLine(fmt.Sprint(v))
			}
		}
		var details []string
		for _, d := range m.Errors {
			details = append(details, strings.TrimPrefix(d.Field+": "+firstNonEmpty(d.Message, d.Code), ": "))
		}
		if len(details) > 0 {
			e.Message = oneLine(e.Message + " (" + strings.Join(details, "; ") + ")")
		}
	}
	if e.Message == "" && len(data) > 0 && len(data) < 300 {
		e.Message = oneLine(string(data))
	}
	return e
}

// upload streams the file at path as the body of a request: the file is
// opened again for each attempt, and never read into memory. prefix and
// suffix frame it (a multipart form's part header and closing boundary).
func (c *client) upload(ctx context.Context, doing, method, target, path, contentType string, prefix, suffix []byte, out any) error {
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("forge: %s: %s: %w", c.forge, doing, err)
	}
	length := int64(len(prefix)) + info.Size() + int64(len(suffix))
	open := func() (io.ReadCloser, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		return readCloser{io.MultiReader(bytes.NewReader(prefix), f, bytes.NewReader(suffix)), f}, nil
	}
	resp, err := c.retry.Do(ctx, c.http, func(ctx context.Context) (*http.Request, error) {
		body, err := open()
		if err != nil {
			return nil, err
		}
		req, err := c.newRequest(ctx, method, target, body, true)
		if err != nil {
			body.Close()
			return nil, err
		}
		req.ContentLength = length
		req.GetBody = open
		req.Header.Set("Content-Type", contentType)
		return req, nil
	})
	return c.finish(doing, method, target, resp, err, out)
}

type readCloser struct {
	io.Reader
	io.Closer
}

// digest downloads what target serves and returns its sha256, reading it
// as a stream. accept is the Accept header ("" for the client's own).
func (c *client) digest(ctx context.Context, doing, target, accept string) (string, error) {
	var sum string
	err := c.retry.Read(ctx, c.http, func(ctx context.Context) (*http.Request, error) {
		req, err := c.newRequest(ctx, http.MethodGet, target, nil, false)
		if err == nil && accept != "" {
			req.Header.Set("Accept", accept)
		}
		return req, err
	}, func(resp *http.Response) error {
		h := sha256.New()
		if _, err := io.Copy(h, resp.Body); err != nil {
			return err
		}
		sum = hex.EncodeToString(h.Sum(nil))
		return nil
	})
	if err != nil {
		var he *httpretry.Error
		if errors.As(err, &he) && he.StatusCode != 0 {
			return "", &APIError{Forge: c.forge, Doing: doing, Method: http.MethodGet, URL: redactString(target), Status: he.StatusCode}
		}
		return "", fmt.Errorf("forge: %s: %s: %w", c.forge, doing, err)
	}
	return sum, nil
}

// isStatus reports whether err is an answer of the API with one of the
// statuses.
func isStatus(err error, statuses ...int) bool {
	var e *APIError
	if !errors.As(err, &e) {
		return false
	}
	for _, s := range statuses {
		if e.Status == s {
			return true
		}
	}
	return false
}

func redactString(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return httpretry.Redact(u)
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}
