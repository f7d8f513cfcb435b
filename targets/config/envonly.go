package config

import (
	"regexp"
	"strings"
)

// Environment variables of the settings only the environment gives: they
// differ per CI job (a matrix job's platform) or are credentials, so
// pyproject.toml has no key for them.
const (
	EnvPlatform    = "PYRELEASE_PLATFORM"
	EnvGitToken    = "PYRELEASE_GIT_TOKEN"
	envGitHubToken = "GITHUB_TOKEN"
)

// EnvKeys documents the settings read from the environment only, as Keys
// documents those of [tool.pyrelease]; Name is empty.
var EnvKeys = []Key{
	{
		Env: EnvPlatform, Type: "string", Default: "this machine's, such as linux-x86_64",
		Doc: `Platform tag of the archives and installers bdist and installer make, as {os}-{machine}; it names files, so the jobs of a build matrix that target another platform than their machine's name their files apart, and does not cross-compile.`,
	},
	{
		Env: EnvGitToken, Type: "string", Default: "GITHUB_TOKEN",
		Doc: `Token bump authenticates its push to an HTTPS remote with; it is removed from everything pyrelease prints.`,
	},
}

// validPlatform is what a platform tag may hold: it becomes part of file
// names and store keys.
var validPlatform = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._]*-[A-Za-z0-9._-]+$`)

// applyEnvOnly reads the settings that have no key in the file.
func (c *Config) applyEnvOnly(getenv func(string) string) error {
	if v := strings.TrimSpace(getenv(EnvPlatform)); v != "" {
		if !validPlatform.MatchString(v) {
			return &ValueError{Env: EnvPlatform, Want: "an {os}-{machine} tag of letters, digits, '.', '_' and '-', such as linux-x86_64", Got: quoteShort(v), Err: ErrInvalid}
		}
		c.Platform = v
	}
	token := strings.TrimSpace(getenv(EnvGitToken))
	if token == "" {
		token = strings.TrimSpace(getenv(envGitHubToken))
	}
	c.GitToken = Secret(token)
	return nil
}

// Secret is a credential read from the environment. fmt prints it
// redacted, so a Config printed whole shows no token; Reveal gives the
// value to the one call that sends it.
type Secret string

// String is the redacted form: "" when unset, else xxxxx.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "xxxxx"
}

// GoString is String, for %#v.
func (s Secret) GoString() string { return `"` + s.String() + `"` }

// Reveal is the secret's value.
func (s Secret) Reveal() string { return string(s) }
