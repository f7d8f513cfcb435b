package testenv

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/servers"
)

// Index is a real package index on loopback (pypiserver) serving the
// wheelhouse .ci/run downloads from targets/testdata/projects/requirements.txt:
// the only index a test's pip, uv or build isolation may reach.
type Index struct {
	*servers.PyPIServer
	Wheelhouse string // the directory it serves
}

// StartIndex starts a pypiserver over the wheelhouse and stops it when the
// test ends. A project that is not in the wheelhouse is a 404, never a
// redirect to the public index. Without pypi-server or the wheelhouse the
// test skips, or fails under CI=true.
func StartIndex(t testing.TB) *Index {
	t.Helper()
	bin, err := servers.PyPIServerBinary()
	if err != nil {
		Missing(t, "pypi-server: %v", err)
	}
	wheelhouse := Wheelhouse(t)
	s, err := servers.StartPyPIServer(context.Background(), bin, wheelhouse)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return &Index{PyPIServer: s, Wheelhouse: wheelhouse}
}

// PipEnv is the environment that points pip and uv at this index alone: no
// find-links (the machine sets PIP_FIND_LINKS), no extra index, no config
// file, no cache (which could satisfy a requirement the index lacks), no
// prompt. Plain http needs no trusted host: pip and uv treat loopback as
// secure. Append it to an environment cleared of PIP_* and UV_* (Env does
// both): pip cannot be told to forget some inherited settings, such as
// PIP_NO_INDEX, through a variable.
func (ix *Index) PipEnv() []string {
	return []string{
		"PIP_INDEX_URL=" + ix.SimpleURL,
		"PIP_EXTRA_INDEX_URL=",
		"PIP_FIND_LINKS=",
		"PIP_CONFIG_FILE=" + os.DevNull, // pip reads no config file at all then
		"PIP_NO_CACHE_DIR=1",
		"PIP_DISABLE_PIP_VERSION_CHECK=1",
		"PIP_NO_INPUT=1",
		"UV_DEFAULT_INDEX=" + ix.SimpleURL,
		"UV_INDEX_URL=" + ix.SimpleURL, // the older name, for older uv
		"UV_NO_CONFIG=1",
		"UV_NO_CACHE=1",
		"UV_PYTHON_DOWNLOADS=never",
	}
}

// Env is base without its PIP_* and UV_* variables, plus PipEnv: the
// environment for a command that must install from this index only, as
// in cmd.Env = ix.Env(os.Environ()).
func (ix *Index) Env(base []string) []string {
	env := make([]string, 0, len(base)+12)
	for _, kv := range base {
		if strings.HasPrefix(kv, "PIP_") || strings.HasPrefix(kv, "UV_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, ix.PipEnv()...)
}

// Wheelhouse returns the directory of wheels .ci/run downloaded from
// targets/testdata/projects/requirements.txt ($PYRELEASE_WHEELHOUSE).
func Wheelhouse(t testing.TB) string {
	t.Helper()
	return cached(t, "PYRELEASE_WHEELHOUSE", "wheelhouse-*")
}

// Twine returns the pinned twine .ci/run installed ($PYRELEASE_TWINE).
func Twine(t testing.TB) string {
	t.Helper()
	return cached(t, "PYRELEASE_TWINE", "pytools-*/bin/twine")
}

// Twine6 returns the twine 6 .ci/run installed beside the current one
// ($PYRELEASE_TWINE6): twine 6.1, the last that allows --skip-existing with an
// index other than PyPI's.
func Twine6(t testing.TB) string {
	t.Helper()
	return cached(t, "PYRELEASE_TWINE6", "twine6-*/bin/twine")
}

// UV returns the pinned uv .ci/run installed ($PYRELEASE_UV).
func UV(t testing.TB) string {
	t.Helper()
	return cached(t, "PYRELEASE_UV", "pytools-*/bin/uv")
}

// Pipx returns the pipx of .ci/run's pipx venv ($PYRELEASE_PIPX).
func Pipx(t testing.TB) string {
	t.Helper()
	return cached(t, "PYRELEASE_PIPX", "pipx-*/bin/pipx")
}

// PyBuild returns the Python of .ci/run's tools venv, which has the pinned
// build (python -m build) ($PYRELEASE_PYBUILD).
func PyBuild(t testing.TB) string {
	t.Helper()
	return cached(t, "PYRELEASE_PYBUILD", "pytools-*/bin/python")
}

// BackendsPython returns the Python of a venv with every line of
// requirements.txt installed, the build backends among them, for builds
// without isolation ($PYRELEASE_BACKENDS_PYTHON). It has pip only if
// requirements.txt pins it.
func BackendsPython(t testing.TB) string {
	t.Helper()
	return cached(t, "PYRELEASE_BACKENDS_PYTHON", "backends-*/bin/python")
}

// cached finds what .ci/run installed, or skips (fails under CI=true).
func cached(t testing.TB, env, glob string) string {
	t.Helper()
	p, err := servers.Tool(env, glob)
	if err != nil {
		Missing(t, "%v", err)
	}
	return p
}

// SetuptoolsSCMPython returns the Python of .ci/run's release-tools venv,
// which has the pinned setuptools-scm ($PYRELEASE_SETUPTOOLS_SCM_PYTHON):
// `python -m setuptools_scm` is the oracle for versions of real tag styles.
func SetuptoolsSCMPython(t testing.TB) string {
	t.Helper()
	return cached(t, "PYRELEASE_SETUPTOOLS_SCM_PYTHON", "reltools-*/bin/python")
}

// Towncrier returns the pinned towncrier .ci/run installed
// ($PYRELEASE_TOWNCRIER).
func Towncrier(t testing.TB) string {
	t.Helper()
	return cached(t, "PYRELEASE_TOWNCRIER", "reltools-*/bin/towncrier")
}
