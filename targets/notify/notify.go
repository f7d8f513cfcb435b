// Package notify tells people that a release is out: a message to a Slack
// incoming webhook, and a JSON document to any other webhook.
//
// A webhook URL is a credential (whoever has it can post), so no error or
// return value of this package prints more of it than scheme://host.
package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/httpretry"
)

// Release is what a notification says.
type Release struct {
	Project, Version, Tag, Commit string
	// Repository is the index name or URL the files went to, such as
	// "pypi" or an upload URL; user and password in a URL are dropped.
	Repository string
	// ProjectURL is where users see the release, such as the project's
	// page for this version on the index.
	ProjectURL string
	// JobURL is the CI job that made the release.
	JobURL string
	Files  []File
}

// File is one released file.
type File struct {
	Name, URL, SHA256 string
	Size              int64 // bytes; 0 or less when not known
}

// Options say where to send notifications.
type Options struct {
	SlackURL   string // a Slack incoming webhook (SLACK_WEBHOOK_URL)
	WebhookURL string // any URL that takes a POSTed JSON document (PYRELEASE_WEBHOOK_URL)
	// HTTPClient sends the requests; default a client with a 30 s timeout
	// that does not follow redirects.
	HTTPClient *http.Client
	// Retry is how failed requests are retried.
	Retry httpretry.Policy
	// DryRun builds the payloads and checks the URLs but sends nothing.
	DryRun bool
}

// Environment variables read by FromEnv.
const (
	EnvSlackURL   = "SLACK_WEBHOOK_URL"
	EnvWebhookURL = "PYRELEASE_WEBHOOK_URL"
)

// Hook kinds, as they appear in Send's results and in HookError.Kind.
const (
	KindSlack   = "slack"
	KindWebhook = "webhook"
)

// defaultTimeout bounds each attempt when Options.HTTPClient is nil: a
// notification is not worth holding a release job for longer.
const defaultTimeout = 30 * time.Second

// maxBody is how much of an answer is read: Slack answers a word, and a
// failing generic hook's first lines are all an error message needs.
const maxBody = 4 << 10

// FromEnv reads the hook URLs from the environment through getenv
// (os.Getenv when nil). Values are trimmed, because secrets pasted into a
// CI settings page often keep a trailing newline.
func FromEnv(getenv func(string) string) Options {
	if getenv == nil {
		getenv = os.Getenv
	}
	return Options{
		SlackURL:   strings.TrimSpace(getenv(EnvSlackURL)),
		WebhookURL: strings.TrimSpace(getenv(EnvWebhookURL)),
	}
}

// hook is one configured destination.
type hook struct {
	kind    string
	raw     string
	payload func(Release) ([]byte, error)
	check   func(resp *http.Response, body string) bool // a success?
	want    string                                      // what check accepts, for errors
}

func (o Options) hooks() []hook {
	var hs []hook
	if s := strings.TrimSpace(o.SlackURL); s != "" {
		hs = append(hs, hook{kind: KindSlack, raw: s, payload: SlackPayload, check: slackOK, want: `200 "ok"`})
	}
	if s := strings.TrimSpace(o.WebhookURL); s != "" {
		hs = append(hs, hook{kind: KindWebhook, raw: s, payload: WebhookPayload, check: webhookOK, want: "a 2xx status"})
	}
	return hs
}

// Send posts to each configured hook; it returns one error joining every
// failure (each a *HookError naming the hook's kind and its URL as
// scheme://host/REDACTED), and nil when no hook is configured. A failing
// hook does not keep the others from being sent. sent names each hook that
// accepted the notification (under DryRun: each that would have been
// posted to) as "kind scheme://host/REDACTED", fit for a log line.
func Send(ctx context.Context, o Options, r Release) (sent []string, err error) {
	hs := o.hooks()
	if len(hs) == 0 {
		return nil, nil
	}
	c := o.HTTPClient
	if c == nil {
		c = defaultClient()
	}
	// Payloads first: a release they cannot describe is sent nowhere.
	payloads := make([][]byte, len(hs))
	for i, h := range hs {
		if payloads[i], err = h.payload(r); err != nil {
			return nil, err
		}
	}
	var errs []error
	for i, h := range hs {
		payload := payloads[i]
		u, err := hookURL(h.kind, h.raw)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		name := h.kind + " " + redactURL(u)
		if o.DryRun {
			sent = append(sent, name)
			continue
		}
		if err := o.post(ctx, c, h, u, payload); err != nil {
			errs = append(errs, err)
			continue
		}
		sent = append(sent, name)
	}
	return sent, errors.Join(errs...)
}

// defaultClient does not follow redirects: net/http turns a POST into a
// GET on 301 and 302, whose 200 would pass for a delivered notification.
func defaultClient() *http.Client {
	return &http.Client{
		Timeout: defaultTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// hookURL parses a hook URL without letting url.Parse's error, which
// quotes the whole URL, into the result.
func hookURL(kind, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, &HookError{Kind: kind, Err: ErrBadURL}
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, &HookError{Kind: kind, URL: redactURL(u), Err: ErrBadURL}
	}
	return u, nil
}

func (o Options) post(ctx context.Context, c *http.Client, h hook, u *url.URL, payload []byte) error {
	newReq := func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(payload))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "pyrelease-notify")
		return req, nil
	}
	resp, err := o.Retry.Do(ctx, c, newReq)
	fail := &HookError{Kind: h.kind, URL: redactURL(u), Attempts: 1, Want: h.want}
	var he *httpretry.Error
	if errors.As(err, &he) {
		fail.Attempts = he.Attempts
	}
	if resp == nil {
		if err == nil {
			err = errors.New("no response")
		}
		if he != nil && he.Err != nil {
			err = he.Err
		}
		fail.Err = scrubbed(err, u)
		return fail
	}
	data, readErr := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	_ = resp.Body.Close()
	body := string(data)
	// A broken read after the status still counts when the status and
	// what was read say the notification went through.
	if err == nil && h.check(resp, body) {
		return nil
	}
	fail.StatusCode, fail.Status = resp.StatusCode, resp.Status
	fail.Body = scrub(shortBody(body), u)
	if readErr != nil && err == nil {
		fail.Err = scrubbed(fmt.Errorf("reading the answer: %w", readErr), u)
	}
	return fail
}

// webhookOK accepts any 2xx: generic receivers answer 200, 202 or 204.
func webhookOK(resp *http.Response, _ string) bool {
	return resp.StatusCode >= 200 && resp.StatusCode <= 299
}
