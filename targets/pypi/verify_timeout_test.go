package pypi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// hangLimit bounds a call that might wait for ever: a hang then fails the
// test instead of blocking the run.
const hangLimit = 20 * time.Second

func guarded(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), hangLimit)
	t.Cleanup(cancel)
	return ctx
}

// TestVerifyTimeoutBoundsStuckListing checks that the verify timeout ends
// Verify even when the index stops sending in the middle of a listing,
// where the low-speed limit (30s by default) would take much longer.
func TestVerifyTimeoutBoundsStuckListing(t *testing.T) {
	files := []File{
		{Name: "greet_tool-1.0.tar.gz", SHA256: shaA},
		{Name: "greet_tool-1.0-py3-none-any.whl", SHA256: shaB},
	}
	page := fmt.Sprintf(`<a href="/f/greet_tool-1.0.tar.gz#sha256=%s">greet_tool-1.0.tar.gz</a>`, shaA)
	tests := map[string]struct {
		stuck func(w http.ResponseWriter, r *http.Request)
		want  []string
	}{
		"no answer": {
			stuck: func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
		},
		"half a page": {
			stuck: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				io.WriteString(w, "<!DOCTYPE html><html><body>"+page[:20])
				w.(http.Flusher).Flush()
				<-r.Context().Done()
			},
		},
		"after an incomplete listing": {
			stuck: func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
			want:  []string{"not listed: greet_tool-1.0-py3-none-any.whl"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var n atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 && len(tc.want) > 0 {
					io.WriteString(w, page)
					return
				}
				tc.stuck(w, r)
			}))
			defer srv.Close()
			c, _ := newClient(t)
			ctx := guarded(t)
			err := c.Verify(ctx, repoFor(srv.URL), "greet-tool", files, 500*time.Millisecond, 10*time.Millisecond)
			if ctx.Err() != nil {
				t.Fatalf("Verify outlasted the test's own limit of %s: err = %v", hangLimit, err)
			}
			var ve *VerifyError
			if !errors.As(err, &ve) || !errors.Is(err, ErrNotServed) || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want a *VerifyError wrapping ErrNotServed and DeadlineExceeded", err)
			}
			for _, want := range append([]string{"the verify timeout of 500ms passed", srv.URL + "/simple/"}, tc.want...) {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			noSecret(t, err)
		})
	}
}
