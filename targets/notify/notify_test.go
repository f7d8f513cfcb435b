package notify

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/httpretry"
)

// secret is the part of a hook URL that works as a password; no error may
// contain it.
const secret = "T0000/B0000/XXXXsecretXXXX"

// hookServer answers each request with the next of answers, the last one
// repeating, and records the requests.
type hookServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []recorded
}

type recorded struct {
	method, path, contentType string
	body                      []byte
}

type answer struct {
	status int
	body   string
}

func newHookServer(t *testing.T, answers ...answer) *hookServer {
	t.Helper()
	s := &hookServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.requests = append(s.requests, recorded{method: r.Method, path: r.URL.Path, contentType: r.Header.Get("Content-Type"), body: body})
		a := answers[min(len(s.requests), len(answers))-1]
		s.mu.Unlock()
		w.WriteHeader(a.status)
		io.WriteString(w, a.body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *hookServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

func (s *hookServer) hookURL() string { return s.URL + "/services/" + secret }

// noWait retries at once and counts the waits.
func noWait(sleeps *atomic.Int32) httpretry.Policy {
	return httpretry.Policy{
		Attempts: 3,
		Sleep: func(ctx context.Context, d time.Duration) error {
			sleeps.Add(1)
			return ctx.Err()
		},
	}
}

// assertNoSecret fails when err's text holds any part of the secret path.
func assertNoSecret(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, part := range append(strings.Split(secret, "/"), "services") {
		if strings.Contains(err.Error(), part) {
			t.Errorf("error text contains the secret %q: %v", part, err)
		}
	}
}

var release = releases["one-file"]

func TestSendSlackOK(t *testing.T) {
	srv := newHookServer(t, answer{status: 200, body: "ok"})
	var sleeps atomic.Int32
	sent, err := Send(t.Context(), Options{SlackURL: srv.hookURL(), HTTPClient: srv.Client(), Retry: noWait(&sleeps)}, release)
	if err != nil {
		t.Fatal(err)
	}
	want := "slack " + srv.URL + "/REDACTED"
	if len(sent) != 1 || sent[0] != want {
		t.Errorf("sent = %q, want [%q]", sent, want)
	}
	if srv.count() != 1 {
		t.Fatalf("%d requests, want 1", srv.count())
	}
	req := srv.requests[0]
	payload, _ := SlackPayload(release)
	if req.method != http.MethodPost || req.path != "/services/"+secret || req.contentType != "application/json" || !bytes.Equal(req.body, payload) {
		t.Errorf("request = %s %s %s %q, want POST of SlackPayload as application/json to the hook's path", req.method, req.path, req.contentType, req.body)
	}
}

func TestSendFailures(t *testing.T) {
	tests := map[string]struct {
		answers  []answer
		requests int
		want     []string // in the error text
	}{
		"slack 200 without ok": {
			answers:  []answer{{status: 200, body: "invalid_token"}},
			requests: 1,
			want:     []string{`answered 200 OK "invalid_token"; want 200 "ok"`},
		},
		"slack 404 no_service": {
			answers:  []answer{{status: 404, body: "no_service"}},
			requests: 1,
			want:     []string{`answered 404 Not Found "no_service"; want 200 "ok"`},
		},
		"slack 400 invalid_payload": {
			answers:  []answer{{status: 400, body: "invalid_payload\n"}},
			requests: 1,
			want:     []string{`400 Bad Request "invalid_payload"`},
		},
		"5xx until the attempts are spent": {
			answers:  []answer{{status: 503, body: "down for\nmaintenance"}},
			requests: 3,
			want:     []string{`answered 503 Service Unavailable "down for maintenance" after 3 attempts`},
		},
		"long body cut to one line": {
			answers:  []answer{{status: 500, body: strings.Repeat("é\n", 300)}},
			requests: 3,
			want:     []string{`"` + strings.TrimSpace(strings.Repeat("é ", 67)) + `…"`},
		},
		"body echoing the URL": {
			answers:  []answer{{status: 403, body: "no hook at /services/" + secret}},
			requests: 1,
			want:     []string{`"no hook at REDACTED"`},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			srv := newHookServer(t, tt.answers...)
			var sleeps atomic.Int32
			sent, err := Send(t.Context(), Options{SlackURL: srv.hookURL(), HTTPClient: srv.Client(), Retry: noWait(&sleeps)}, release)
			if err == nil {
				t.Fatalf("no error; sent %q", sent)
			}
			if len(sent) != 0 {
				t.Errorf("sent = %q, want none", sent)
			}
			var he *HookError
			if !errors.As(err, &he) || he.Kind != KindSlack {
				t.Errorf("err = %#v, want a slack *HookError", err)
			}
			for _, w := range append(tt.want, "notify: slack "+srv.URL+"/REDACTED: ") {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			if srv.count() != tt.requests {
				t.Errorf("%d requests, want %d", srv.count(), tt.requests)
			}
			assertNoSecret(t, err)
		})
	}
}

func TestSendRetries503(t *testing.T) {
	srv := newHookServer(t, answer{status: 503, body: "busy"}, answer{status: 200, body: "ok"})
	var sleeps atomic.Int32
	sent, err := Send(t.Context(), Options{SlackURL: srv.hookURL(), HTTPClient: srv.Client(), Retry: noWait(&sleeps)}, release)
	if err != nil {
		t.Fatal(err)
	}
	if len(sent) != 1 || srv.count() != 2 || sleeps.Load() != 1 {
		t.Errorf("sent %q after %d requests and %d waits, want 1 hook, 2 requests, 1 wait", sent, srv.count(), sleeps.Load())
	}
}

func TestSendConnectionRefused(t *testing.T) {
	srv := newHookServer(t, answer{status: 200, body: "ok"})
	url := srv.hookURL()
	srv.Close()
	var sleeps atomic.Int32
	_, err := Send(t.Context(), Options{SlackURL: url, WebhookURL: url + "?token=abc", Retry: noWait(&sleeps)}, release)
	if err == nil {
		t.Fatal("no error from a closed server")
	}
	for _, w := range []string{
		"notify: slack " + srv.URL + "/REDACTED: after 3 attempts: ",
		"notify: webhook " + srv.URL + "/REDACTED: after 3 attempts: ",
		"connection refused",
	} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
	assertNoSecret(t, err)
	if strings.Contains(err.Error(), "abc") {
		t.Errorf("error text contains the query token: %v", err)
	}
}

func TestSendOneHookFailing(t *testing.T) {
	tests := map[string]struct {
		slack, webhook answer
		failing, sent  string
	}{
		"slack fails": {
			slack: answer{status: 404, body: "no_service"}, webhook: answer{status: 204},
			failing: KindSlack, sent: KindWebhook,
		},
		"webhook fails": {
			slack: answer{status: 200, body: "ok"}, webhook: answer{status: 410, body: "gone"},
			failing: KindWebhook, sent: KindSlack,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			slack := newHookServer(t, tt.slack)
			webhook := newHookServer(t, tt.webhook)
			var sleeps atomic.Int32
			o := Options{SlackURL: slack.hookURL(), WebhookURL: webhook.hookURL(), Retry: noWait(&sleeps)}
			sent, err := Send(t.Context(), o, release)
			if slack.count() != 1 || webhook.count() != 1 {
				t.Errorf("requests: slack %d, webhook %d, want 1 each", slack.count(), webhook.count())
			}
			if len(sent) != 1 || !strings.HasPrefix(sent[0], tt.sent+" ") {
				t.Errorf("sent = %q, want the %s hook only", sent, tt.sent)
			}
			if err == nil || !strings.HasPrefix(err.Error(), "notify: "+tt.failing+" ") || strings.Count(err.Error(), "notify: ") != 1 {
				t.Errorf("err = %v, want one error naming the %s hook", err, tt.failing)
			}
			assertNoSecret(t, err)
		})
	}
}

func TestSendWebhook(t *testing.T) {
	srv := newHookServer(t, answer{status: 202, body: "queued"})
	var sleeps atomic.Int32
	sent, err := Send(t.Context(), Options{WebhookURL: srv.hookURL(), HTTPClient: srv.Client(), Retry: noWait(&sleeps)}, release)
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := WebhookPayload(release)
	if len(sent) != 1 || sent[0] != "webhook "+srv.URL+"/REDACTED" || srv.count() != 1 || !bytes.Equal(srv.requests[0].body, payload) {
		t.Errorf("sent %q in %d requests, want the WebhookPayload posted once", sent, srv.count())
	}
}

// failingTransport fails the test on any request.
type failingTransport struct{ t *testing.T }

func (f failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.t.Errorf("unexpected request: %s %s", r.Method, r.URL.Host)
	return nil, errors.New("no requests expected")
}

func TestSendNoRequest(t *testing.T) {
	tests := map[string]struct {
		opts Options
		sent []string
	}{
		"no hook configured": {},
		"blank hooks":        {opts: Options{SlackURL: " ", WebhookURL: "\n"}},
		"dry run": {
			opts: Options{SlackURL: "https://hooks.example/services/" + secret, WebhookURL: "http://127.0.0.1:9/hook?token=" + secret, DryRun: true},
			sent: []string{"slack https://hooks.example/REDACTED", "webhook http://127.0.0.1:9/REDACTED"},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			tt.opts.HTTPClient = &http.Client{Transport: failingTransport{t}}
			sent, err := Send(t.Context(), tt.opts, release)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(sent, ",") != strings.Join(tt.sent, ",") {
				t.Errorf("sent = %q, want %q", sent, tt.sent)
			}
		})
	}
}

func TestSendDryRunChecks(t *testing.T) {
	o := Options{SlackURL: "ftp://hooks.example/services/" + secret, DryRun: true}
	if _, err := Send(t.Context(), o, release); !errors.Is(err, ErrBadURL) {
		t.Errorf("bad URL under DryRun: err = %v, want ErrBadURL", err)
	}
	o.SlackURL = "https://hooks.example/services/" + secret
	if _, err := Send(t.Context(), o, Release{Project: "greet"}); !errors.Is(err, ErrIncomplete) {
		t.Errorf("incomplete release under DryRun: err = %v, want ErrIncomplete", err)
	}
}

func TestSendBadURL(t *testing.T) {
	tests := map[string]struct {
		url, want string
	}{
		"no scheme":   {url: "hooks.example/services/" + secret, want: "notify: slack: hook URL: want an absolute http or https URL"},
		"ftp":         {url: "ftp://hooks.example/services/" + secret, want: "notify: slack ftp://hooks.example/REDACTED: want an absolute http or https URL"},
		"unparseable": {url: "https://hooks.example/services/" + secret + "%zz", want: "notify: slack: hook URL: want an absolute http or https URL"},
		"control":     {url: "https://hooks.example/services/" + secret + "\x7f", want: "notify: slack: hook URL: "},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			o := Options{SlackURL: tt.url, HTTPClient: &http.Client{Transport: failingTransport{t}}}
			sent, err := Send(t.Context(), o, release)
			if !errors.Is(err, ErrBadURL) || len(sent) != 0 {
				t.Fatalf("sent %q, err = %v, want ErrBadURL", sent, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q lacks %q", err, tt.want)
			}
			assertNoSecret(t, err)
		})
	}
}

func TestSendCancelled(t *testing.T) {
	srv := newHookServer(t, answer{status: 503})
	ctx, cancel := context.WithCancel(t.Context())
	retry := httpretry.Policy{Sleep: func(ctx context.Context, d time.Duration) error {
		cancel()
		return context.Cause(ctx)
	}}
	_, err := Send(ctx, Options{SlackURL: srv.hookURL(), HTTPClient: srv.Client(), Retry: retry}, release)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	assertNoSecret(t, err)
}

// TestSendDefaultClientRefusesRedirects: net/http would turn the POST into
// a GET, and the page it lands on would pass for a delivered notification.
func TestSendDefaultClientRefusesRedirects(t *testing.T) {
	var gets atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			gets.Add(1)
			io.WriteString(w, "ok")
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusFound)
	}))
	defer srv.Close()
	var sleeps atomic.Int32
	_, err := Send(t.Context(), Options{WebhookURL: srv.URL + "/services/" + secret, Retry: noWait(&sleeps)}, release)
	if err == nil || !strings.Contains(err.Error(), "answered 302 Found") || gets.Load() != 0 {
		t.Errorf("err = %v after %d GETs, want a 302 error and no GET", err, gets.Load())
	}
	assertNoSecret(t, err)
}

func TestFromEnv(t *testing.T) {
	env := map[string]string{
		EnvSlackURL:   "https://hooks.example/services/x\n",
		EnvWebhookURL: "  https://example.com/hook  ",
	}
	o := FromEnv(func(k string) string { return env[k] })
	if o.SlackURL != "https://hooks.example/services/x" || o.WebhookURL != "https://example.com/hook" || o.DryRun || o.HTTPClient != nil {
		t.Errorf("FromEnv = %+v, want the trimmed URLs and nothing else", o)
	}
	if o := FromEnv(func(string) string { return "" }); len(o.hooks()) != 0 {
		t.Errorf("FromEnv of an empty environment has hooks: %+v", o)
	}
}
