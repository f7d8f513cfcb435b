package archive

import (
	"errors"
	"fmt"
)

// Sentinels, matched with errors.Is; PathError wraps the first three.
var (
	// ErrUnsafePath is an archive path that is absolute, contains ".." or
	// empty elements, or a backslash: it could escape the extraction
	// directory or mean different things on Windows and Unix.
	ErrUnsafePath = errors.New("unsafe archive path")
	// ErrSymlink is a symbolic link among the sources (see the package doc).
	ErrSymlink = errors.New("symbolic links are not packed")
	// ErrNotRegular is a source that is neither a regular file nor a directory.
	ErrNotRegular = errors.New("not a regular file")
	// ErrDuplicate is two entries with the same archive path.
	ErrDuplicate = errors.New("duplicate archive path")
	// ErrFormat is an Out name whose suffix is not .tar.gz, .tgz or .zip.
	ErrFormat = errors.New("unknown archive format")
	// ErrOptions is an Options value that cannot describe an archive.
	ErrOptions = errors.New("bad options")
)

// PathError reports an entry or checksum file name that cannot be packed.
type PathError struct {
	Path string // the archive path, or the source path for ErrSymlink/ErrNotRegular
	Err  error  // one of the sentinels
}

func (e *PathError) Error() string {
	switch {
	case errors.Is(e.Err, ErrUnsafePath):
		return fmt.Sprintf("archive: %q: %v: want a relative slash path without \"..\", \".\", empty elements or backslashes", e.Path, e.Err)
	default:
		return fmt.Sprintf("archive: %s: %v", e.Path, e.Err)
	}
}

func (e *PathError) Unwrap() error { return e.Err }
