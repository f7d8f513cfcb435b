package gitread

import (
	"bytes"
	"strconv"
)

// packIndex is a mapped .idx file (version 1 or 2). Lookups binary-search
// the sorted names inside the fan-out bucket of the first byte, so finding
// an object touches a few pages instead of decoding the whole index.
type packIndex struct {
	path    string
	m       *mapping
	n       uint32
	v1      bool
	fanout  []byte // 256 big-endian counts
	names   []byte // v2: n*HashLen; v1: n*(4+HashLen) with the offset first
	off32   []byte // v2 only
	off64   []byte // v2 only
	entrySz int
}

func openPackIndex(path string) (*packIndex, error) {
	m, err := mapFile(path)
	if err != nil {
		return nil, err
	}
	x, err := parsePackIndex(path, m)
	if err != nil {
		m.Close()
		return nil, err
	}
	return x, nil
}

func parsePackIndex(path string, m *mapping) (*packIndex, error) {
	d := m.data
	x := &packIndex{path: path, m: m}
	const fanLen = 256 * 4
	if len(d) >= 8 && bytes.Equal(d[:4], []byte{0xff, 't', 'O', 'c'}) {
		if v := be32(d[4:]); v != 2 {
			return nil, &FileError{Path: path, Reason: "pack index version " + strconv.Itoa(int(v)) + " (expected 2)", Err: ErrUnsupported}
		}
		if len(d) < 8+fanLen {
			return nil, corrupt(path, "pack index truncated")
		}
		x.fanout = d[8 : 8+fanLen]
		x.n = be32(x.fanout[255*4:])
		n := int(x.n)
		need := 8 + fanLen + n*HashLen + n*4 + n*4 + 2*HashLen
		if len(d) < need {
			return nil, corrupt(path, "pack index truncated: %d objects need %d bytes, have %d", n, need, len(d))
		}
		p := 8 + fanLen
		x.names = d[p : p+n*HashLen]
		p += n*HashLen + n*4 // skip CRCs
		x.off32 = d[p : p+n*4]
		p += n * 4
		x.off64 = d[p : len(d)-2*HashLen]
		x.entrySz = HashLen
	} else {
		if len(d) < fanLen {
			return nil, corrupt(path, "pack index truncated")
		}
		x.v1 = true
		x.fanout = d[:fanLen]
		x.n = be32(x.fanout[255*4:])
		n := int(x.n)
		if len(d) < fanLen+n*(4+HashLen)+2*HashLen {
			return nil, corrupt(path, "pack index truncated: %d objects", n)
		}
		x.names = d[fanLen : fanLen+n*(4+HashLen)]
		x.entrySz = 4 + HashLen
	}
	return x, nil
}

func (x *packIndex) nameAt(i uint32) []byte {
	p := int(i) * x.entrySz
	if x.v1 {
		p += 4
	}
	return x.names[p : p+HashLen]
}

// OIDAt is the object name at index position i.
func (x *packIndex) OIDAt(i uint32) OID {
	var o OID
	copy(o[:], x.nameAt(i))
	return o
}

// search returns the position of id, or where it would be inserted.
func (x *packIndex) search(id OID) (uint32, bool) {
	lo := uint32(0)
	if id[0] > 0 {
		lo = be32(x.fanout[(int(id[0])-1)*4:])
	}
	hi := be32(x.fanout[int(id[0])*4:])
	if hi > x.n || lo > hi {
		return 0, false
	}
	for lo < hi {
		mid := lo + (hi-lo)/2
		c := bytes.Compare(x.nameAt(mid), id[:])
		switch {
		case c == 0:
			return mid, true
		case c < 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return lo, false
}

func (x *packIndex) offsetAt(i uint32) (uint64, bool) {
	if x.v1 {
		return uint64(be32(x.names[int(i)*x.entrySz:])), true
	}
	o := be32(x.off32[int(i)*4:])
	if o&0x80000000 == 0 {
		return uint64(o), true
	}
	k := int(o & 0x7fffffff)
	if (k+1)*8 > len(x.off64) {
		return 0, false
	}
	return be64(x.off64[k*8:]), true
}
