package wheel

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// Kinds of distribution, as Info.Kind and NameError.Kind spell them.
const (
	KindWheel = "wheel"
	KindSdist = "sdist"
)

var (
	// ErrInvalid is wrapped by every VerifyError: the file exists but an
	// index (or an installer) would refuse it.
	ErrInvalid = errors.New("distribution failed verification")
	// ErrName is wrapped by every NameError.
	ErrName = errors.New("not a valid distribution file name")
	// ErrMetadata is wrapped by every MetadataError.
	ErrMetadata = errors.New("not valid core metadata")
	// ErrUnknownKind is returned by Verify for a file that is neither a
	// wheel (.whl) nor an sdist (.tar.gz, or a legacy .zip).
	ErrUnknownKind = errors.New("not a wheel or sdist file name")
)

// NameError says why a wheel or sdist file name was rejected.
type NameError struct {
	Filename string
	Kind     string // KindWheel or KindSdist
	Reason   string
}

func (e *NameError) Error() string {
	return fmt.Sprintf("wheel: %q is not a valid %s file name: %s", e.Filename, e.Kind, e.Reason)
}

// Unwrap makes errors.Is(err, ErrName) hold.
func (e *NameError) Unwrap() error { return ErrName }

// MetadataError says which line of a METADATA or PKG-INFO file could not be
// read and why.
type MetadataError struct {
	Line   int // 1-based; 0 when the problem is not on one line
	Reason string
}

func (e *MetadataError) Error() string {
	if e.Line == 0 {
		return "wheel: metadata: " + e.Reason
	}
	return fmt.Sprintf("wheel: metadata: line %d: %s", e.Line, e.Reason)
}

// Unwrap makes errors.Is(err, ErrMetadata) hold.
func (e *MetadataError) Unwrap() error { return ErrMetadata }

// Problem is one verification failure: which file, which entry in it (a zip
// or tar member, a METADATA field), what was found and what was expected.
type Problem struct {
	File   string // the distribution's base name
	Entry  string // member path or "METADATA: Version"; empty for the file as a whole
	Reason string
}

func (p Problem) Error() string { return "wheel: " + p.Detail() }

// Detail is the problem without the package prefix, for callers that
// report it under their own name (mage check).
func (p Problem) Detail() string {
	if p.Entry == "" {
		return p.File + ": " + p.Reason
	}
	return p.File + ": " + p.Entry + ": " + p.Reason
}

// VerifyError lists every problem found in one file, so a single run shows
// all that must be fixed.
type VerifyError struct {
	File     string // the path given to Verify
	Problems []Problem
	More     int // problems found beyond those listed, which are capped
}

// Error gives one problem per line, then how many more were not listed.
func (e *VerifyError) Error() string {
	lines := make([]string, len(e.Problems), len(e.Problems)+1)
	for i, p := range e.Problems {
		lines[i] = p.Error()
	}
	if e.More > 0 {
		lines = append(lines, "wheel: "+e.MoreDetail())
	}
	return strings.Join(lines, "\n")
}

// MoreDetail is the line that counts the problems not listed, without the
// package prefix; "" when every problem is listed.
func (e *VerifyError) MoreDetail() string {
	if e.More == 0 {
		return ""
	}
	name := filepath.Base(e.File)
	if len(e.Problems) > 0 {
		name = e.Problems[0].File
	}
	return fmt.Sprintf("%s: … and %d more problems", name, e.More)
}

// Unwrap makes errors.Is(err, ErrInvalid) hold.
func (e *VerifyError) Unwrap() error { return ErrInvalid }
