package config

import (
	"net/url"
	"strings"
)

// Release is [tool.pyrelease.release]: where mage release uploads and how
// long it waits for the index to serve the files. PYRELEASE_REPOSITORY,
// PYRELEASE_INDEX_URL and PYRELEASE_VERIFY_TIMEOUT override the keys.
//
//	[tool.pyrelease.release]
//	repository = "testpypi"        # or "pypi", an upload URL, or a .pypirc section
//	index-url = "https://test.pypi.org/simple/"
//	verify-timeout = 600
type Release struct {
	Repository    string // "pypi", "testpypi", an upload URL or a .pypirc section; "" = TWINE_REPOSITORY, else "pypi"
	IndexURL      string // simple index the release is verified against; "" = derived from the repository
	VerifyTimeout int    // seconds to wait for the index to list every file; default 600
}

const releaseTable = toolTableName + ".release"

// Names of the [tool.pyrelease.release] keys.
const (
	relKeyRepository    = "repository"
	relKeyIndexURL      = "index-url"
	relKeyVerifyTimeout = "verify-timeout"
)

// ReleaseKeys lists every [tool.pyrelease.release] setting in the order the
// documentation shows them.
var ReleaseKeys = []Key{
	{
		Name: relKeyRepository, Env: "PYRELEASE_REPOSITORY", Type: "string", Default: "",
		Doc: `Where release uploads: "pypi", "testpypi", an upload URL (such as a Gitea, devpi or pypiserver index), or a section of ~/.pypirc; empty means TWINE_REPOSITORY, else "pypi".`,
	},
	{
		Name: relKeyIndexURL, Env: "PYRELEASE_INDEX_URL", Type: "string", Default: "",
		Doc: `Simple index (PEP 503) the uploaded files are read back from; empty means derived from the repository, which works for PyPI, TestPyPI, Gitea, devpi and pypiserver.`,
	},
	{
		Name: relKeyVerifyTimeout, Env: "PYRELEASE_VERIFY_TIMEOUT", Type: "integer", Default: "600",
		Doc: `Seconds release waits for the index to list every uploaded file with its sha256 before it fails.`,
	},
}

func defaultRelease() Release {
	return Release{VerifyTimeout: 600}
}

func releaseSetters() map[string]func(r *Release, v any) error {
	return map[string]func(r *Release, v any) error{
		relKeyRepository: func(r *Release, v any) error {
			return setChecked(relKeyRepository, v, func(s string) *ValueError {
				if strings.TrimSpace(s) == "" {
					return &ValueError{Want: `"pypi", "testpypi", an upload URL or a .pypirc section`, Got: `""`, Err: ErrInvalid}
				}
				return nil
			}, &r.Repository)
		},
		relKeyIndexURL: func(r *Release, v any) error {
			return setChecked(relKeyIndexURL, v, func(s string) *ValueError {
				if s == "" {
					return nil
				}
				if u, err := url.Parse(s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
					return &ValueError{Want: "an http or https URL without credentials", Got: quoteShort(redactUserinfo(s)), Err: ErrInvalid}
				}
				return nil
			}, &r.IndexURL)
		},
		relKeyVerifyTimeout: func(r *Release, v any) error {
			return setInt(relKeyVerifyTimeout, v, 0, 86400, "an integer number of seconds from 0 to 86400", &r.VerifyTimeout)
		},
	}
}

// redactUserinfo hides a password in a URL-looking string.
func redactUserinfo(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		u.User = url.User("REDACTED")
		return u.String()
	}
	return s
}

// releaseTableDef is [tool.pyrelease.release] for the decoder.
func releaseTableDef() subTable[Release] {
	return subTable[Release]{name: releaseTable, keys: ReleaseKeys, set: releaseSetters(),
		intWant: map[string]string{relKeyVerifyTimeout: "an integer number of seconds"}}
}

// decodeRelease reads [tool.pyrelease.release] strictly, over the defaults.
func decodeRelease(file string, raw any, c *Config) error {
	r := defaultRelease()
	if err := releaseTableDef().decode(file, raw, &r); err != nil {
		return err
	}
	c.Release = r
	return nil
}

// applyReleaseEnv lets the PYRELEASE_* variables of ReleaseKeys override
// the file, with the same checks.
func (c *Config) applyReleaseEnv(getenv func(string) string) error {
	return releaseTableDef().applyEnv(getenv, &c.Release)
}
