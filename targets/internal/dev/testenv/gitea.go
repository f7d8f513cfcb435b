package testenv

import (
	"context"
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
