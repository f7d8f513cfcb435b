//go:build !linux

package version

import "io/fs"

// statMatches compares what the platform's stat offers: size and mtime.
func statMatches(e *indexEntry, fi fs.FileInfo) bool {
	mt := fi.ModTime()
	return e.size == uint32(fi.Size()) && e.mtimeS == uint32(mt.Unix()) && e.mtimeNs == uint32(mt.Nanosecond())
}
