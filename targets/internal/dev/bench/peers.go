package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/pyrelease/pyrelease/targets/internal/dev/servers"
)

// peerPins are the Python tools pyrelease is compared with, each at the
// newest release the package index served when they were last raised. The
// table prints them; raising one is a new venv (its directory is named by
// the pins' hash), installed on the next run. pip is there because a user
// who installs build has it beside it, and build uses it to make its
// isolated environments (without it, it falls back to ensurepip in each,
// seconds more per build).
var peerPins = []string{
	"pip==26.3",
	"uv==0.13.9",
	"twine==7.0.0",
	"build==1.6.1",
	"setuptools-scm==10.3.4",
	"dunamai==1.26.5",
	"pyinstaller==6.22.3",
}

// peers is the venv the pinned peers are installed in.
type peers struct {
	dir string
}

// bin is the path of one of the venv's commands.
func (p peers) bin(name string) string { return filepath.Join(p.dir, "bin", name) }

// version is the pinned version of a peer, for the table.
func (p peers) version(project string) string { return pinnedVersion(project) }

// named renders a peer with its version, as the table names it.
func (p peers) named(project, what string) string {
	return strings.TrimSpace(project + " " + p.version(project) + " " + what)
}

func pinnedVersion(project string) string {
	for _, pin := range peerPins {
		if name, v, ok := strings.Cut(pin, "=="); ok && name == project {
			return v
		}
	}
	return "?"
}

// installPeers returns the venv of the pinned peers, installing it first
// when no complete one is cached: as .ci/run installs its tools, with
// Debian's Python (a venv without pip, which is quick) and the pip of
// .ci/run's pytools venv, from the user's index configuration. It is built
// in place, since a venv cannot be moved, and marked complete last, so a
// killed install is redone. It must run before useLocalIndex, which points
// pip at the bench's local index.
func installPeers(ctx context.Context) (peers, error) {
	cache := servers.CacheDir()
	if cache == "" {
		return peers{}, fmt.Errorf("peers: no cache directory (set PYRELEASE_CI_CACHE)")
	}
	sum := sha256.Sum256([]byte(strings.Join(peerPins, "\n") + "\n"))
	p := peers{dir: filepath.Join(cache, "benchtools-"+hex.EncodeToString(sum[:])[:12])}
	mark := filepath.Join(p.dir, ".complete")
	if _, err := os.Stat(mark); err == nil {
		return p, nil
	}
	python, err := servers.Tool("PYRELEASE_PYBUILD", "pytools-*/bin/python")
	if err != nil {
		return peers{}, fmt.Errorf("peers: the pip of .ci/run's tools: %w", err)
	}
	fmt.Fprintf(os.Stderr, "bench: installing %s into %s\n", strings.Join(peerPins, " "), p.dir)
	if err := os.RemoveAll(p.dir); err != nil {
		return peers{}, err
	}
	for _, argv := range [][]string{
		{"/usr/bin/python3", "-m", "venv", "--without-pip", p.dir},
		append([]string{python, "-m", "pip", "--python", p.bin("python"), "install", "-q"}, peerPins...),
	} {
		cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return peers{}, fmt.Errorf("peers: %s: %w", strings.Join(argv, " "), err)
		}
	}
	if err := os.WriteFile(mark, nil, 0o644); err != nil {
		return peers{}, err
	}
	return p, nil
}

// peersLine names every pinned peer, for the table's caption.
func peersLine() string {
	return "Peers (pinned, installed by the bench): " + strings.Join(peerPins, ", ")
}
