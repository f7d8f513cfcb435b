package config

import (
	"net/url"
	"strings"
)

// Release is [tool.pyrelease.release]: where mage release uploads and how
// long it waits for the index to serve the files, and the branch it may
// release from without a tag. PYRELEASE_REPOSITORY, PYRELEASE_INDEX_URL,
// PYRELEASE_VERIFY_TIMEOUT and PYRELEASE_RELEASE_BRANCH override the keys.
//
//	[tool.pyrelease.release]
//	repository = "testpypi"        # or "pypi", an upload URL, or a .pypirc section
//	index-url = "https://index.example.test/simple/"
//	verify-timeout = 600
//	release-branch = "pypi-release"
type Release struct {
	Repository    string // "pypi", "testpypi", an upload URL or a .pypirc section; "" = TWINE_REPOSITORY, else "pypi"
	IndexURL      string // simple index the release is verified against; "" = derived from the repository
	VerifyTimeout int    // seconds to wait for the index to list every file; default 600
	// Branch is the release branch: a push there releases the version
	// file's version and tags it after the upload; "" = tags only.
	Branch string
}

const releaseTable = toolTableName + ".release"

// Names of the [tool.pyrelease.release] keys.
const (
	relKeyRepository    = "repository"
	relKeyIndexURL      = "index-url"
	relKeyVerifyTimeout = "verify-timeout"
	relKeyBranch        = "release-branch"
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
	{
		Name: relKeyBranch, Env: "PYRELEASE_RELEASE_BRANCH", Type: "string", Default: "",
		Doc: `Branch that releases without a tag: on it (HEAD, or the branch CI builds), release uploads the version file's version and, once the index serves it, creates and pushes that version's tag (tag-format) to remote; empty means release runs on tags only.`,
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
		relKeyBranch: func(r *Release, v any) error {
			return setChecked(relKeyBranch, v, checkBranchName, &r.Branch)
		},
	}
}

// checkBranchName accepts a short branch name as git would (no
// refs/heads/ prefix, no spaces, no ".."): it is compared with HEAD's
// branch and the branch CI names, both short. Empty means none.
func checkBranchName(s string) *ValueError {
	bad := strings.HasPrefix(s, "refs/") || strings.HasPrefix(s, "-") || strings.HasPrefix(s, "/") ||
		strings.HasSuffix(s, "/") || strings.HasSuffix(s, ".lock") || strings.Contains(s, "..") ||
		strings.ContainsAny(s, " \t\n~^:?*[\\")
	if s != "" && bad {
		return &ValueError{Want: `a branch name such as "pypi-release" (without refs/heads/)`, Got: quoteShort(s), Err: ErrInvalid}
	}
	return nil
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
