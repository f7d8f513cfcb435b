package pypi

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// ErrConflict is wrapped when the index already holds a file of the
	// same name with different content: the name can never be reused, so a
	// new version is the only way forward.
	ErrConflict = errors.New("file already exists on the index with different content")
	// ErrNoIndexURL is returned by Resolve when the simple index cannot be
	// derived from the upload URL and none was configured.
	ErrNoIndexURL = errors.New("cannot derive the simple index URL")
	// ErrNoSection is returned by Resolve for a repository name that is
	// neither pypi, testpypi, a URL, nor a section of the .pypirc.
	ErrNoSection = errors.New("no such repository")
	// ErrDistribution is wrapped by ReadFile's errors about the file's
	// content: not a wheel or sdist, or no readable core metadata.
	ErrDistribution = errors.New("not an uploadable distribution")
	// ErrNoIdentity is returned by MintToken when the environment holds no
	// CI identity token to exchange.
	ErrNoIdentity = errors.New("no CI identity token for trusted publishing")
	// ErrNotServed is wrapped by Verify's error when the index does not
	// list every uploaded file with its sha256 in time.
	ErrNotServed = errors.New("uploaded files are not served by the index")
)

// credentialsHint follows a 401 or 403: the usual causes, in the order
// they are worth checking.
const credentialsHint = "the index refused the credentials: check PYRELEASE_TOKEN / TWINE_PASSWORD or trusted publishing"

// UploadError is an upload the index refused or that could not be made.
// It never holds credentials: URL is redacted and Message is scrubbed.
type UploadError struct {
	File     string // file name
	URL      string // upload URL, redacted
	Status   int    // HTTP status; 0 when no answer came
	Message  string // the index's own words, one line, shortened
	Location string // where a 3xx answer pointed
	Err      error  // the underlying failure, if any
}

func (e *UploadError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "pypi: uploading %s to %s", e.File, e.URL)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.Status)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	switch {
	case e.Status >= 300 && e.Status <= 399:
		loc := e.Location
		if loc == "" {
			loc = "(no Location)"
		}
		fmt.Fprintf(&b, ": the index redirects to %s; set that URL as the upload URL instead (PyPI's is %s)", loc, pypiUploadURL)
	case e.Status == 401 || e.Status == 403:
		b.WriteString(": " + credentialsHint)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap gives the underlying failure: an *httpretry.Error, a context
// error, or ErrConflict.
func (e *UploadError) Unwrap() error { return e.Err }

// PypircError is a .pypirc that configparser would not read either.
type PypircError struct {
	Path   string
	Line   int // 1-based; 0 when the problem is not on one line
	Reason string
}

func (e *PypircError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("pypi: %s: %s", e.Path, e.Reason)
	}
	return fmt.Sprintf("pypi: %s:%d: %s", e.Path, e.Line, e.Reason)
}

// MintError is a trusted-publishing exchange that failed. Message is what
// the index or the CI said; it never contains a token.
type MintError struct {
	Step    string // "audience", "identity" or "mint"
	URL     string // redacted
	Status  int    // HTTP status; 0 when no answer came
	Message string
	Err     error
}

func (e *MintError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "pypi: trusted publishing: %s: %s", e.Step, e.URL)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.Status)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

// Unwrap gives the underlying failure.
func (e *MintError) Unwrap() error { return e.Err }

// VerifyError lists what the index did not serve as uploaded.
type VerifyError struct {
	Project   string
	IndexURL  string            // redacted
	Missing   []string          // file names not listed
	Different map[string]string // file name -> sha256 the index lists
	Err       error             // the last listing failure, if any
}

func (e *VerifyError) Error() string {
	var parts []string
	if len(e.Missing) > 0 {
		parts = append(parts, "not listed: "+strings.Join(e.Missing, ", "))
	}
	if len(e.Different) > 0 {
		var d []string
		for _, name := range sortedKeys(e.Different) {
			d = append(d, fmt.Sprintf("%s (index sha256 %s)", name, e.Different[name]))
		}
		parts = append(parts, "different content: "+strings.Join(d, ", "))
	}
	if e.Err != nil {
		parts = append(parts, "last listing failed: "+e.Err.Error())
	}
	return fmt.Sprintf("pypi: verify %s at %s: %s: %s", e.Project, e.IndexURL, ErrNotServed, strings.Join(parts, "; "))
}

// Unwrap makes errors.Is(err, ErrNotServed) hold.
func (e *VerifyError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrNotServed, e.Err}
	}
	return []error{ErrNotServed}
}
