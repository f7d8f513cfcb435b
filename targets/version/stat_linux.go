//go:build linux

package version

import (
	"io/fs"
	"syscall"
)

// statMatches compares the stat data git records in the index. Fields
// are truncated to 32 bits as in the index file.
func statMatches(e *indexEntry, fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	mt := fi.ModTime()
	return e.size == uint32(fi.Size()) &&
		e.mtimeS == uint32(mt.Unix()) && e.mtimeNs == uint32(mt.Nanosecond()) &&
		e.ctimeS == uint32(st.Ctim.Sec) && e.ctimeNs == uint32(st.Ctim.Nsec) &&
		e.ino == uint32(st.Ino) && e.uid == st.Uid && e.gid == st.Gid
}
