//go:build linux

package version

import (
	"io/fs"
	"syscall"
)

// statMatches compares the stat data git records in the index, truncated
// to 32 bits as the index stores them. Nanoseconds are compared only when
// the index recorded them (git built without USE_NSEC writes zeros).
func statMatches(e *indexEntry, fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	mt := fi.ModTime()
	return e.size == uint32(fi.Size()) &&
		e.mtimeS == uint32(mt.Unix()) && nsecMatch(e.mtimeNs, mt.Nanosecond()) &&
		e.ctimeS == uint32(st.Ctim.Sec) && nsecMatch(e.ctimeNs, int(st.Ctim.Nsec)) &&
		e.ino == uint32(st.Ino) && e.uid == st.Uid && e.gid == st.Gid
}

func nsecMatch(recorded uint32, actual int) bool { return recorded == 0 || recorded == uint32(actual) }
