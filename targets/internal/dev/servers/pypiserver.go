package servers

import (
	"context"
	"fmt"
	"net"
	"os"
	"time"
)

// PyPIServerBinary finds pypi-server: $PYRELEASE_PYPISERVER, else the one
// .ci/run installed into the tools venv of its cache.
func PyPIServerBinary() (string, error) {
	return Tool("PYRELEASE_PYPISERVER", "pytools-*/bin/pypi-server")
}

// PyPIServer is a pypiserver serving a directory of distributions as a
// PEP 503 index: the stand-in for the public index in tests, which must
// never reach the real one.
type PyPIServer struct {
	URL       string // http://127.0.0.1:PORT/
	SimpleURL string // URL + "simple/"
	process
	dir string
}

// StartPyPIServer starts pypi-server from bin serving packagesDir on a
// free loopback port.
//
// Its fallback (a redirect to the public index for a project it does not
// hold) is disabled, so a missing package is a 404 and the test fails
// instead of quietly downloading. It is read-only: with no password file,
// an upload is refused (401), and nothing is written to packagesDir.
func StartPyPIServer(ctx context.Context, bin, packagesDir string) (*PyPIServer, error) {
	if fi, err := os.Stat(packagesDir); err != nil {
		return nil, fmt.Errorf("pypiserver: packages directory: %w", err)
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("pypiserver: packages directory %s is not a directory", packagesDir)
	}
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	s := &PyPIServer{URL: "http://" + addr + "/", dir: packagesDir}
	s.SimpleURL = s.URL + "simple/"
	// -v logs each request, so a failure's error shows what a client asked
	// for and got (a 404 names the missing project).
	args := []string{"run", "--host", host, "--port", port, "--disable-fallback", "--log-stream", "stderr", "-v", packagesDir}
	if err := s.start(packagesDir, os.Environ(), bin, args...); err != nil {
		return nil, fmt.Errorf("pypiserver: %w", err)
	}
	if err := s.waitReady(ctx, s.SimpleURL, 30*time.Second); err != nil {
		return nil, fmt.Errorf("pypiserver: %w", err)
	}
	return s, nil
}

func (s *PyPIServer) String() string { return "pypiserver at " + s.URL + " serving " + s.dir }
