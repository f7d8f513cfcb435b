package dist

import (
	"fmt"
	"path/filepath"
)

// ChangedError is an artifact whose file is not what the manifest
// records: changed, or gone, since it was built or fetched.
type ChangedError struct {
	Name   string // the artifact's file name
	Path   string // where the file was looked for
	Want   string // the sha256 the manifest records
	Got    string // the file's sha256; empty when it could not be read
	Reason error  // why it could not be read, when it could not
}

func (e *ChangedError) Error() string {
	if e.Reason != nil {
		return fmt.Sprintf("dist: %s is missing or unreadable (%v): %s records sha256 %s", e.Name, e.Reason, ManifestRel, e.Want)
	}
	return fmt.Sprintf("dist: %s changed since it was built or fetched: sha256 %s, %s records %s", e.Name, e.Got, ManifestRel, e.Want)
}

// Unwrap returns why the file could not be read, if that is what failed.
func (e *ChangedError) Unwrap() error { return e.Reason }

// File is the artifact's local path in the dist directory dir.
func (a Artifact) File(dir string) string {
	return filepath.Join(dir, filepath.FromSlash(a.Path))
}

// Verify hashes the artifact's file in the dist directory dir and compares
// it with the sha256 the manifest records; a mismatch or a missing file is
// a *ChangedError.
func (a Artifact) Verify(dir string) error {
	path := a.File(dir)
	sum, _, err := hashFile(path)
	if err != nil {
		return &ChangedError{Name: a.Name, Path: path, Want: a.SHA256, Reason: err}
	}
	return a.Check(path, sum)
}

// Check compares a sha256 the caller computed while reading the file at
// path for its own purpose (an upload, say) with the recorded one, so that
// the file is read once.
func (a Artifact) Check(path, sum string) error {
	if sum != a.SHA256 {
		return &ChangedError{Name: a.Name, Path: path, Want: a.SHA256, Got: sum}
	}
	return nil
}
