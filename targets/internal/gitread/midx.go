package gitread

import (
	"bytes"
	"path/filepath"
)

// readMidx reads what the approximate object count needs from a
// multi-pack-index: the names of the packs it covers (as .idx names) and
// its number of objects. A missing or unreadable file covers nothing,
// which is how git treats it too.
func readMidx(path string) (map[string]bool, uint64) {
	m, err := mapFile(path)
	if err != nil {
		return nil, 0
	}
	defer m.Close()
	d := m.data
	if len(d) < 12 || string(d[:4]) != "MIDX" || d[4] != 1 || d[5] != 1 {
		return nil, 0
	}
	chunks := int(d[6])
	if d[7] != 0 { // incremental multi-pack-index layers are not read
		return nil, 0
	}
	var pnam, oidf []byte
	toc := 12
	if len(d) < toc+(chunks+1)*12 {
		return nil, 0
	}
	for i := 0; i < chunks; i++ {
		e := d[toc+i*12:]
		next := d[toc+(i+1)*12:]
		start, end := be64(e[4:]), be64(next[4:])
		if start > end || end > uint64(len(d)) {
			return nil, 0
		}
		switch string(e[:4]) {
		case "PNAM":
			pnam = d[start:end]
		case "OIDF":
			oidf = d[start:end]
		}
	}
	if len(oidf) < 256*4 {
		return nil, 0
	}
	packs := map[string]bool{}
	for _, name := range bytes.Split(pnam, []byte{0}) {
		if len(name) == 0 {
			continue
		}
		n := string(name)
		// Names are stored as .idx (older writers stored .pack).
		if ext := filepath.Ext(n); ext == ".pack" {
			n = n[:len(n)-len(ext)] + ".idx"
		}
		packs[n] = true
	}
	return packs, uint64(be32(oidf[255*4:]))
}
