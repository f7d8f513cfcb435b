package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/servers"
)

// Gitea is a real Gitea server on loopback with its PyPI package
// registry: the package index the release tests upload to.
type Gitea struct {
	*servers.Gitea
	t testing.TB
}

// GiteaUser is an account of the test server with a package token.
type GiteaUser = servers.GiteaUser

// StartGitea starts Gitea (the binary named by PYRELEASE_GITEA, or gitea on
// PATH; its options/ and templates/ must sit beside it, as .ci/run lays
// them out) with a fresh SQLite database, and stops it when the test ends.
// Under CI=true a missing binary fails the test.
func StartGitea(t testing.TB) *Gitea {
	t.Helper()
	bin, err := servers.Binary("PYRELEASE_GITEA", "gitea")
	if err != nil {
		Missing(t, "%v", err)
	}
	g, err := servers.StartGitea(context.Background(), bin, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Stop)
	return &Gitea{Gitea: g, t: t}
}

// User creates an account with a token allowed to write packages.
func (g *Gitea) User(name string) GiteaUser {
	g.t.Helper()
	u, err := g.Gitea.User(context.Background(), name)
	if err != nil {
		g.t.Fatal(err)
	}
	return u
}

// API calls Gitea's REST API (path below /api/v1/) as auth: "user:password"
// for Basic authentication, else a token. body, when not nil, goes as JSON;
// the answer is decoded into out when it is not nil. An error status fails
// t, the test making the call (a subtest may call a parent's server).
func (g *Gitea) API(t testing.TB, auth, method, path string, body, out any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, g.URL+"api/v1/"+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if user, password, ok := strings.Cut(auth, ":"); ok {
		req.SetBasicAuth(user, password)
	} else {
		req.Header.Set("Authorization", "token "+auth)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %s\n%s", method, path, resp.Status, got)
	}
	if out != nil {
		if err := json.Unmarshal(got, out); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, got)
		}
	}
}
