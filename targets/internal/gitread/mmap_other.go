//go:build !unix

package version

// mapFile reads the whole file where mmap is not available.
func mapFile(path string) (*mapping, error) { return readMapping(path) }

func (m *mapping) close() error {
	if m != nil {
		m.data = nil
	}
	return nil
}
