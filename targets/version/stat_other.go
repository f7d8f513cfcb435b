//go:build !linux

package version

import "io/fs"

// statMatches compares what every platform's stat offers: size and
// modification time (nanoseconds only when the index recorded them).
func statMatches(e *indexEntry, fi fs.FileInfo) bool {
	mt := fi.ModTime()
	return e.size == uint32(fi.Size()) && e.mtimeS == uint32(mt.Unix()) &&
		(e.mtimeNs == 0 || e.mtimeNs == uint32(mt.Nanosecond()))
}
