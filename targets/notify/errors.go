package notify

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/pyrelease/pyrelease/targets/internal/httpretry"
)

// Sentinels, matched with errors.Is.
var (
	// ErrBadURL is a hook URL that is not an absolute http or https URL.
	ErrBadURL = errors.New("want an absolute http or https URL")
	// ErrIncomplete is a Release without a project name or a version,
	// which no notification can be written about.
	ErrIncomplete = errors.New("release without a project name or a version")
)

// maxErrorBody is how much of a hook's answer an error quotes: enough for
// Slack's "invalid_payload" or a short JSON error, not a whole HTML page.
const maxErrorBody = 200

// HookError reports a hook that did not take the notification. Its fields
// hold nothing secret: the URL is cut to scheme://host/REDACTED.
type HookError struct {
	Kind       string // KindSlack or KindWebhook
	URL        string // scheme://host/REDACTED; "" when the URL is not absolute
	StatusCode int    // the last answer's status; 0 when none came
	Status     string // such as "404 Not Found"
	Body       string // the start of the last answer, on one line
	Want       string // what an accepted notification looks like, such as `200 "ok"`
	Attempts   int    // requests made
	Err        error  // ErrBadURL, a connection or context error, or nil after an unwanted answer
}

func (e *HookError) Error() string {
	var b strings.Builder
	b.WriteString("notify: ")
	b.WriteString(e.Kind)
	if e.URL != "" {
		b.WriteString(" " + e.URL)
	}
	b.WriteString(": ")
	switch {
	case errors.Is(e.Err, ErrBadURL) && e.URL == "":
		// Even a broken URL may hold the secret: none of it is shown.
		fmt.Fprintf(&b, "hook URL: %v", e.Err)
	case errors.Is(e.Err, ErrBadURL):
		b.WriteString(e.Err.Error())
	case e.StatusCode == 0 && e.Err != nil:
		fmt.Fprintf(&b, "after %s: %v", attempts(e.Attempts), e.Err)
	default:
		fmt.Fprintf(&b, "answered %s", e.Status)
		if e.Body != "" {
			fmt.Fprintf(&b, " %q", e.Body)
		}
		if e.Attempts > 1 {
			fmt.Fprintf(&b, " after %s", attempts(e.Attempts))
		}
		if e.Want != "" {
			fmt.Fprintf(&b, "; want %s", e.Want)
		}
		if e.Err != nil {
			fmt.Fprintf(&b, ": %v", e.Err)
		}
	}
	return b.String()
}

// Unwrap gives Err, so errors.Is(err, context.Canceled) holds for a
// cancelled send.
func (e *HookError) Unwrap() error { return e.Err }

func attempts(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return fmt.Sprintf("%d attempts", n)
}

// redactURL names a hook by scheme and host only: the path of a Slack
// webhook URL, and often the query of others, is the credential itself.
func redactURL(u *url.URL) string {
	return u.Scheme + "://" + u.Host + "/" + httpretry.Redacted
}

// scrub removes the secret parts of u from s. The errors and answers it is
// applied to should not quote the URL, but a proxy or an odd server may.
func scrub(s string, u *url.URL) string {
	secrets := []string{u.String(), u.EscapedPath(), u.Path, u.RawQuery}
	if u.User != nil {
		secrets = append(secrets, u.User.String())
	}
	for _, secret := range secrets {
		// A bare "/" is in every message and hides nothing.
		if len(secret) > 1 {
			s = strings.ReplaceAll(s, secret, httpretry.Redacted)
		}
	}
	return s
}

// scrubbed is err with its text scrubbed of u and its chain kept.
func scrubbed(err error, u *url.URL) error {
	msg := err.Error()
	if clean := scrub(msg, u); clean != msg {
		return &redactedError{msg: clean, err: err}
	}
	return err
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// shortBody puts an answer on one line and cuts it to maxErrorBody bytes,
// on a character boundary.
func shortBody(body string) string {
	body = strings.Join(strings.Fields(strings.ToValidUTF8(body, "\uFFFD")), " ")
	if len(body) <= maxErrorBody {
		return body
	}
	cut := maxErrorBody
	for cut > 0 && !utf8.RuneStart(body[cut]) {
		cut--
	}
	return body[:cut] + "…"
}
