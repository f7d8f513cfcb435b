package forge

import (
	"errors"
	"fmt"
)

// Sentinels, to test with errors.Is.
var (
	// ErrOptions means Publish was called with options it cannot act on: an
	// unknown forge, no repository, an asset without a file.
	ErrOptions = errors.New("bad options")
	// ErrConflict means the release already has an asset of that name with
	// other bytes. Assets, like files on a package index, are never
	// replaced: a release's files are what people already downloaded.
	ErrConflict = errors.New("asset already attached with other content")
	// ErrChanged means an asset's file does not have the sha256 the caller
	// gave for it: it changed since it was built.
	ErrChanged = errors.New("asset file changed")
	// ErrCorrupt means the forge computed another digest for an uploaded
	// asset than that of the file sent.
	ErrCorrupt = errors.New("asset arrived with other bytes")
)

// ConflictError is an asset the release already has under the same name
// with another sha256.
type ConflictError struct {
	Forge  string // "github", "gitlab" or "gitea"
	Tag    string // the release's tag
	Name   string // the asset's file name
	Local  string // sha256 of the file to publish
	Remote string // sha256 of the asset the forge serves
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("forge: %s: release %s already has %s with sha256 %s, not the %s of the file to publish: a published asset is never replaced (delete it on the forge by hand if it is wrong, or release a new version)",
		e.Forge, e.Tag, e.Name, e.Remote, e.Local)
}

// Unwrap makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// APIError is an answer of the forge's API other than success.
type APIError struct {
	Forge   string // "github", "gitlab" or "gitea"
	Doing   string // what was being done, such as "creating release v1.2.0"
	Method  string
	URL     string // without credentials
	Status  int    // the HTTP status
	Message string // the message the forge gave, if any
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("forge: %s: %s: %s %s: status %d", e.Forge, e.Doing, e.Method, e.URL, e.Status)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	switch e.Status {
	case 401:
		msg += " (expected a valid token: check the token variable)"
	case 403:
		msg += " (expected a token allowed to write releases and packages of the repository)"
	}
	return msg
}
