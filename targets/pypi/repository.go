// Package pypi uploads wheels and sdists to a Python package index the way
// twine does (the legacy upload API: a multipart form POST), then checks
// that the index serves them. It reads .pypirc and twine's environment
// variables, exchanges a CI identity for a short-lived token (trusted
// publishing), and treats a file the index already holds with the same
// sha256 as uploaded, so a release job can be run again after a failure.
package pypi

import (
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/pyrelease/pyrelease/targets/internal/httpretry"
)

// Well-known repositories, as twine knows them.
const (
	pypiUploadURL     = "https://upload.pypi.org/legacy/"
	pypiIndexURL      = "https://pypi.org/simple/"
	pypiJSONURL       = "https://pypi.org/pypi/"
	testpypiUploadURL = "https://test.pypi.org/legacy/"
	testpypiIndexURL  = "https://test.pypi.org/simple/"
	testpypiJSONURL   = "https://test.pypi.org/pypi/"
)

// TokenUsername is the user name that goes with an API token.
const TokenUsername = "__token__"

// Repository is where files are uploaded and where they are then looked
// up. Password is a secret: String, GoString and LogValue leave it out.
type Repository struct {
	Name      string // "pypi", "testpypi", a .pypirc section name, or "" when given as a URL
	UploadURL string // e.g. https://upload.pypi.org/legacy/
	IndexURL  string // PEP 503/691 simple index base, e.g. https://pypi.org/simple/
	JSONURL   string // JSON API base (https://pypi.org/pypi/), "" when the index has none
	Username  string
	Password  string // secret: never in String(), errors or logs
}

// String names the repository and its upload URL, without credentials.
func (r Repository) String() string {
	u := redactString(r.UploadURL)
	if r.Name == "" {
		return u
	}
	return r.Name + " (" + u + ")"
}

// GoString keeps %#v from printing the password.
func (r Repository) GoString() string {
	return fmt.Sprintf("pypi.Repository{Name:%q, UploadURL:%q, IndexURL:%q, JSONURL:%q, Username:%q, Password:%s}",
		r.Name, redactString(r.UploadURL), redactString(r.IndexURL), redactString(r.JSONURL), r.Username, hidden(r.Password))
}

// LogValue keeps slog from printing the password.
func (r Repository) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", r.Name),
		slog.String("upload_url", redactString(r.UploadURL)),
		slog.String("index_url", redactString(r.IndexURL)),
		slog.String("username", r.Username),
		slog.String("password", hidden(r.Password)),
	)
}

func hidden(secret string) string {
	if secret == "" {
		return "<empty>"
	}
	return "<hidden>"
}

// ResolveOptions say which repository to use and where to find its
// configuration.
type ResolveOptions struct {
	Repository string // "pypi" (default) | "testpypi" | an upload URL | a .pypirc section
	IndexURL   string // override of the simple index URL (for indexes where it cannot be derived)
	Pypirc     string // path; default ~/.pypirc (HOME from Getenv)
	Getenv     func(string) string
}

// Resolve finds the upload URL, index URL and credentials of a repository.
//
// The repository is o.Repository, else TWINE_REPOSITORY, else "pypi". A
// URL is used as the upload URL; a name is looked up in the .pypirc, with
// the usual URLs for pypi and testpypi when their sections have none.
// TWINE_REPOSITORY_URL, when set, replaces the upload URL, and then the
// .pypirc is not read, as twine does for --repository-url: credentials kept
// for one index must not be sent to another.
//
// Credentials, first that applies: PYRELEASE_TOKEN (with user name
// __token__); TWINE_USERNAME and TWINE_PASSWORD, each falling back to the
// .pypirc section's username and password; a password without a user name
// goes with __token__. No credentials is not an error: trusted publishing
// may supply them later.
func Resolve(o ResolveOptions) (Repository, error) {
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	name := o.Repository
	if name == "" {
		name = getenv("TWINE_REPOSITORY")
	}
	if name == "" {
		name = "pypi"
	}
	var r Repository
	switch override := getenv("TWINE_REPOSITORY_URL"); {
	case override != "":
		r.UploadURL = override
	case strings.Contains(name, "://"):
		r.UploadURL = name
	default:
		var err error
		if r, err = fromPypirc(name, o, getenv); err != nil {
			return Repository{}, err
		}
	}
	u, err := url.Parse(r.UploadURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Repository{}, fmt.Errorf("pypi: upload URL %q of repository %q is not an http or https URL", redactString(r.UploadURL), name)
	}
	if _, _, known := knownIndex(u); known && u.Scheme == "http" {
		// As twine does: PyPI is only reachable over TLS.
		u.Scheme = "https"
		r.UploadURL = u.String()
	}
	if u.User != nil {
		// Credentials in the URL are the weakest source; the URL itself
		// must not carry them into logs.
		if r.Username == "" && r.Password == "" {
			r.Username = u.User.Username()
			r.Password, _ = u.User.Password()
		}
		u.User = nil
		r.UploadURL = u.String()
	}
	if o.IndexURL != "" {
		r.IndexURL, r.JSONURL = withSlash(o.IndexURL), ""
		if known, json, ok := knownIndex(u); ok && known == r.IndexURL {
			r.JSONURL = json
		}
	} else if r.IndexURL, r.JSONURL, err = deriveIndex(u); err != nil {
		return Repository{}, err
	}
	switch {
	case getenv("PYRELEASE_TOKEN") != "":
		r.Username, r.Password = TokenUsername, getenv("PYRELEASE_TOKEN")
	default:
		if v := getenv("TWINE_USERNAME"); v != "" {
			r.Username = v
		}
		if v := getenv("TWINE_PASSWORD"); v != "" {
			r.Password = v
		}
		if r.Username == "" && r.Password != "" {
			r.Username = TokenUsername
		}
	}
	return r, nil
}

// fromPypirc looks a repository name up in the .pypirc.
func fromPypirc(name string, o ResolveOptions, getenv func(string) string) (Repository, error) {
	path, explicit := o.Pypirc, o.Pypirc != ""
	if home := getenv("HOME"); !explicit && home != "" {
		path = filepath.Join(home, ".pypirc")
	}
	rc := &pypirc{path: path}
	if path != "" {
		var err error
		if rc, err = loadPypirc(path, explicit); err != nil {
			return Repository{}, err
		}
	}
	r := Repository{Name: name}
	// Unlike twine, a section is used even when [distutils] index-servers
	// does not list it: the section itself says what was meant.
	switch {
	case rc.has(name):
		r.UploadURL, _ = rc.get(name, "repository")
		r.Username, _ = rc.get(name, "username")
		r.Password, _ = rc.get(name, "password")
	case name == "pypi" || name == "testpypi":
	default:
		listed := ""
		for _, s := range rc.indexServers() {
			if s == name {
				listed = " (index-servers lists it, but there is no such section)"
			}
		}
		where := path
		if where == "" {
			where = "~/.pypirc (HOME is not set)"
		}
		return Repository{}, fmt.Errorf("pypi: %w %q: not pypi, testpypi, an upload URL, nor a section of %s%s", ErrNoSection, name, where, listed)
	}
	// [server-login] is obsolete but twine still reads it as the default.
	if r.Username == "" {
		r.Username, _ = rc.get("server-login", "username")
	}
	if r.Password == "" {
		r.Password, _ = rc.get("server-login", "password")
	}
	if r.UploadURL == "" {
		switch name {
		case "pypi":
			r.UploadURL = pypiUploadURL
		case "testpypi":
			r.UploadURL = testpypiUploadURL
		default:
			return Repository{}, fmt.Errorf("pypi: %s: section [%s] has no repository = URL", path, name)
		}
	}
	return r, nil
}

// knownIndex gives the simple and JSON URLs of PyPI and TestPyPI.
func knownIndex(u *url.URL) (index, json string, ok bool) {
	switch strings.TrimSuffix(u.Host+u.Path, "/") {
	case "upload.pypi.org/legacy":
		return pypiIndexURL, pypiJSONURL, true
	case "test.pypi.org/legacy":
		return testpypiIndexURL, testpypiJSONURL, true
	}
	return "", "", false
}

var (
	// Gitea and Forgejo: /api/packages/{owner}/pypi.
	giteaPath = regexp.MustCompile(`^(/.*)?/api/packages/[^/]+/pypi$`)
	// Artifactory: /artifactory/api/pypi/{repo}.
	artifactoryPath = regexp.MustCompile(`^(/.*)?/api/pypi/[^/]+$`)
	// Nexus: /repository/{name}.
	nexusPath = regexp.MustCompile(`^/repository/[^/]+$`)
	// devpi: /{user}/{index}; devpi's own routes start with '+'.
	devpiPath = regexp.MustCompile(`^/[^/+][^/]*/[^/+][^/]*$`)
)

// deriveIndex finds the simple index (and JSON API) of the index an upload
// URL belongs to, for the index servers whose layout is known.
func deriveIndex(u *url.URL) (index, json string, err error) {
	if index, json, ok := knownIndex(u); ok {
		return index, json, nil
	}
	origin := u.Scheme + "://" + u.Host
	p := strings.TrimSuffix(u.EscapedPath(), "/")
	switch {
	case strings.HasSuffix(p, "/legacy"):
		// Warehouse: uploads go to upload.X/legacy/, the index is X.
		host := strings.TrimPrefix(u.Host, "upload.")
		base := u.Scheme + "://" + host + strings.TrimSuffix(p, "/legacy")
		return base + "/simple/", base + "/pypi/", nil
	case giteaPath.MatchString(p), artifactoryPath.MatchString(p), nexusPath.MatchString(p):
		return origin + p + "/simple/", "", nil
	case devpiPath.MatchString(p):
		return origin + p + "/+simple/", "", nil
	case p == "":
		// pypiserver takes uploads at its root.
		return origin + "/simple/", "", nil
	}
	return "", "", fmt.Errorf("pypi: %w from upload URL %s: set index-url in [tool.pyrelease.release]", ErrNoIndexURL, httpretry.Redact(u))
}

func withSlash(s string) string {
	if strings.HasSuffix(s, "/") {
		return s
	}
	return s + "/"
}

// redactString is httpretry.Redact for a URL held as text; text that does
// not parse is replaced whole, since it may be anything.
func redactString(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return "<unparsable URL>"
	}
	return httpretry.Redact(u)
}
