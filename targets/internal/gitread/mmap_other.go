//go:build !unix

package gitread

// mapFile reads the whole file where mmap is not available.
func mapFile(path string) (*mapping, error) { return readMapping(path) }

// Close releases the mapping.
func (m *mapping) Close() error {
	if m != nil {
		m.data = nil
	}
	return nil
}
