package testenv

import (
	"context"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/servers"
)

// MinIO is a real MinIO server on loopback, owned by one test.
type MinIO struct {
	*servers.MinIO
	t testing.TB
}

// StartMinIO starts MinIO (the binary named by PYRELEASE_MINIO, or minio
// on PATH) with its data in a temporary directory and stops it when the
// test ends. Under CI=true a missing binary fails the test.
func StartMinIO(t testing.TB) *MinIO {
	t.Helper()
	bin, err := servers.Binary("PYRELEASE_MINIO", "minio")
	if err != nil {
		Missing(t, "%v", err)
	}
	m, err := servers.StartMinIO(context.Background(), bin, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Stop)
	return &MinIO{MinIO: m, t: t}
}

// Start restarts the server on the same address and data.
func (m *MinIO) Start() {
	m.t.Helper()
	if err := m.MinIO.Start(context.Background()); err != nil {
		m.t.Fatal(err)
	}
}

// MakeBucket creates a bucket; a public one can be read anonymously.
func (m *MinIO) MakeBucket(name string, public bool) {
	m.t.Helper()
	if err := m.MinIO.MakeBucket(context.Background(), name, public); err != nil {
		m.t.Fatal(err)
	}
}

// SetEnv applies Env to the test's process environment.
func (m *MinIO) SetEnv(t *testing.T) {
	for _, kv := range m.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}
