// Package pyenv holds what every part of pyrelease that runs Python tools
// needs alike: an environment in which only the command line decides what
// pip does, and the check that a tool printed the version it should.
package pyenv

import (
	"os"
	"slices"
	"strings"
)

// PipEnv is env without any PIP_* setting and with no pip configuration
// file, so only the command line decides where pip looks: a PIP_FIND_LINKS
// or PIP_INDEX_URL of the machine must not change what gets installed.
func PipEnv(env []string) []string {
	out := make([]string, 0, len(env)+3)
	for _, kv := range env {
		if !strings.HasPrefix(strings.ToUpper(kv), "PIP_") {
			out = append(out, kv)
		}
	}
	return append(out,
		"PIP_CONFIG_FILE="+os.DevNull,
		"PIP_DISABLE_PIP_VERSION_CHECK=1",
		"PIP_NO_INPUT=1",
	)
}

// InstallEnv is the user's environment for a pip that installs into a
// place pyrelease chose, without the settings that would install somewhere
// else or refuse a local wheel (PIP_TARGET, PIP_USER, PIP_REQUIRE_HASHES,
// ...): where packages come from stays the user's choice (PIP_INDEX_URL,
// PIP_EXTRA_INDEX_URL, PIP_FIND_LINKS, PIP_CERT, pip.conf), where they go
// is not.
func InstallEnv(env []string) []string {
	drop := []string{"TARGET", "PREFIX", "ROOT", "USER", "NO_DEPS", "REQUIRE_HASHES", "EDITABLE", "PYTHON", "REQUIRE_VIRTUALENV", "DRY_RUN", "REPORT"}
	out := make([]string, 0, len(env)+2)
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if name, ok := strings.CutPrefix(strings.ToUpper(k), "PIP_"); ok && slices.Contains(drop, name) {
			continue
		}
		out = append(out, kv)
	}
	return append(out, "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_INPUT=1")
}

// HasVersion reports whether out mentions version as a whole word:
// 0.2.0 is in "greet 0.2.0", "greet v0.2.0." and "greet, version 0.2.0
// (Python 3.11)", but not in "greet 0.2.0.dev3", "greet 10.2.0" or
// "greet 0.2.0rc1".
func HasVersion(out, version string) bool {
	if version == "" {
		return false
	}
	isWord := func(c byte) bool {
		return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	for from := 0; ; {
		i := strings.Index(out[from:], version)
		if i < 0 {
			return false
		}
		start, end := from+i, from+i+len(version)
		from = start + 1
		if start > 0 {
			prev := out[start-1]
			vPrefix := (prev == 'v' || prev == 'V') && (start == 1 || !isWord(out[start-2]))
			if (isWord(prev) && !vPrefix) || prev == '.' || prev == '+' || prev == '-' {
				continue
			}
		}
		if end < len(out) {
			next := out[end]
			if isWord(next) {
				continue
			}
			if (next == '.' || next == '+' || next == '-') && end+1 < len(out) && isWord(out[end+1]) {
				continue
			}
		}
		return true
	}
}

// WithExtras is a wheel's path as a requirement with extras, as pip and uv
// take it: dist/x.whl[cli,http2].
func WithExtras(wheel string, extras []string) string {
	if len(extras) == 0 {
		return wheel
	}
	return wheel + "[" + strings.Join(extras, ",") + "]"
}
