//go:build unix

package gitread

import (
	"os"
	"syscall"
)

// mapFile maps a whole file read-only. Pack indexes, packs and the
// commit-graph are read at random offsets many times per call, and mapping
// them lets the kernel page in only what the search touches.
func mapFile(path string) (*mapping, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := st.Size()
	if size == 0 {
		return &mapping{}, nil
	}
	if int64(int(size)) != size {
		return nil, &FileError{Path: path, Reason: "file too large to map", Err: ErrUnsupported}
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		// Some file systems cannot map; reading is slower but correct.
		return readMapping(path)
	}
	return &mapping{data: data, mapped: true}, nil
}

// Close unmaps the file.
func (m *mapping) Close() error {
	if m == nil || !m.mapped {
		return nil
	}
	m.mapped = false
	d := m.data
	m.data = nil
	return syscall.Munmap(d)
}
