package gitread

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
)

// Commit-graph constants from git's commit-graph format.
const (
	graphParentNone = 0x70000000
	graphExtraEdges = 0x80000000
	graphLastEdge   = 0x80000000
	graphDataWidth  = HashLen + 16
)

// CommitGraph is a mapped commit-graph: one file or a chain of layers.
// Positions run across layers, base layer first, which is also how parent
// positions are stored in every layer.
type CommitGraph struct {
	layers []*graphLayer
	Total  uint32
}

type graphLayer struct {
	m    *mapping
	n    uint32
	base uint32 // commits in the layers below
	fan  []byte
	oidl []byte
	cdat []byte
	edge []byte
}

// LoadCommitGraph opens the first commit-graph found in the object
// directories, preferring a single file to a chain as git does. A graph
// that does not parse is ignored: every commit is then read from its
// object, which is slower but gives the same answer.
func LoadCommitGraph(dirs []string) *CommitGraph {
	for _, dir := range dirs {
		info := filepath.Join(dir, "info")
		if l, err := openGraphLayer(filepath.Join(info, "commit-graph"), 0, 0); err == nil {
			return &CommitGraph{layers: []*graphLayer{l}, Total: l.n}
		}
		if g := loadGraphChain(filepath.Join(info, "commit-graphs")); g != nil {
			return g
		}
	}
	return nil
}

// loadGraphChain keeps the longest valid prefix of the chain, as git does.
func loadGraphChain(dir string) *CommitGraph {
	f, err := os.Open(filepath.Join(dir, "commit-graph-chain"))
	if err != nil {
		return nil
	}
	defer f.Close()
	g := &CommitGraph{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		h := bytes.TrimSpace(sc.Bytes())
		if _, ok := ParseOID(h); !ok {
			break
		}
		l, err := openGraphLayer(filepath.Join(dir, "graph-"+string(h)+".graph"), len(g.layers), g.Total)
		if err != nil {
			break
		}
		g.layers = append(g.layers, l)
		g.Total += l.n
	}
	if len(g.layers) == 0 {
		return nil
	}
	return g
}

func openGraphLayer(path string, wantBase int, base uint32) (*graphLayer, error) {
	m, err := mapFile(path)
	if err != nil {
		return nil, err
	}
	l, err := parseGraphLayer(m.data, wantBase)
	if err != nil {
		m.Close()
		return nil, &FileError{Path: path, Reason: err.Error(), Err: ErrCorrupt}
	}
	l.m = m
	l.base = base
	return l, nil
}

func parseGraphLayer(d []byte, wantBase int) (*graphLayer, error) {
	if len(d) < 8 || string(d[:4]) != "CGPH" {
		return nil, errors.New("not a commit-graph")
	}
	if d[4] != 1 || d[5] != 1 {
		return nil, errors.New("unsupported commit-graph version or hash")
	}
	chunks := int(d[6])
	if int(d[7]) != wantBase {
		return nil, errors.New("commit-graph chain layer has the wrong number of bases")
	}
	toc := 8
	if len(d) < toc+(chunks+1)*12 {
		return nil, errors.New("commit-graph truncated")
	}
	l := &graphLayer{}
	for i := 0; i < chunks; i++ {
		e := d[toc+i*12:]
		start, end := be64(e[4:]), be64(d[toc+(i+1)*12+4:])
		if start > end || end > uint64(len(d)) {
			return nil, errors.New("commit-graph chunk out of range")
		}
		c := d[start:end]
		switch string(e[:4]) {
		case "OIDF":
			l.fan = c
		case "OIDL":
			l.oidl = c
		case "CDAT":
			l.cdat = c
		case "EDGE":
			l.edge = c
		}
	}
	if len(l.fan) != 256*4 || l.oidl == nil || l.cdat == nil {
		return nil, errors.New("commit-graph lacks a required chunk")
	}
	l.n = be32(l.fan[255*4:])
	if uint64(len(l.oidl)) < uint64(l.n)*HashLen || uint64(len(l.cdat)) < uint64(l.n)*graphDataWidth {
		return nil, errors.New("commit-graph chunk too short")
	}
	return l, nil
}

// Close unmaps the graph files.
func (g *CommitGraph) Close() {
	for _, l := range g.layers {
		l.m.Close()
	}
}

// Find returns a commit's graph position.
func (g *CommitGraph) Find(id OID) (uint32, bool) {
	for i := len(g.layers) - 1; i >= 0; i-- {
		l := g.layers[i]
		lo := uint32(0)
		if id[0] > 0 {
			lo = be32(l.fan[(int(id[0])-1)*4:])
		}
		hi := be32(l.fan[int(id[0])*4:])
		if hi > l.n {
			continue
		}
		for lo < hi {
			mid := lo + (hi-lo)/2
			c := bytes.Compare(l.oidl[int(mid)*HashLen:int(mid+1)*HashLen], id[:])
			switch {
			case c == 0:
				return l.base + mid, true
			case c < 0:
				lo = mid + 1
			default:
				hi = mid
			}
		}
	}
	return 0, false
}

func (g *CommitGraph) layer(pos uint32) (*graphLayer, uint32) {
	for i := len(g.layers) - 1; i > 0; i-- {
		if l := g.layers[i]; pos >= l.base {
			return l, pos - l.base
		}
	}
	return g.layers[0], pos
}

// OIDAt is the object name of the commit at a graph position.
func (g *CommitGraph) OIDAt(pos uint32) OID {
	l, i := g.layer(pos)
	var o OID
	copy(o[:], l.oidl[int(i)*HashLen:])
	return o
}

// TreeAt is the root tree of the commit at a graph position.
func (g *CommitGraph) TreeAt(pos uint32) OID {
	l, i := g.layer(pos)
	var o OID
	copy(o[:], l.cdat[int(i)*graphDataWidth:])
	return o
}

// DateAt is the 34-bit committer date stored in the graph.
func (g *CommitGraph) DateAt(pos uint32) uint64 {
	l, i := g.layer(pos)
	c := l.cdat[int(i)*graphDataWidth+HashLen+8:]
	return uint64(be32(c)&3)<<32 | uint64(be32(c[4:]))
}

// Parents appends a commit's parent positions to buf.
func (g *CommitGraph) Parents(pos uint32, buf []uint32) ([]uint32, error) {
	l, i := g.layer(pos)
	c := l.cdat[int(i)*graphDataWidth+HashLen:]
	p1, p2 := be32(c), be32(c[4:])
	if p1 == graphParentNone {
		return buf, nil
	}
	if p1 >= g.Total {
		return buf, errors.New("commit-graph parent out of range")
	}
	buf = append(buf, p1)
	if p2 == graphParentNone {
		return buf, nil
	}
	if p2&graphExtraEdges == 0 {
		if p2 >= g.Total {
			return buf, errors.New("commit-graph parent out of range")
		}
		return append(buf, p2), nil
	}
	for e := int(p2 &^ graphExtraEdges); ; e++ {
		if (e+1)*4 > len(l.edge) {
			return buf, errors.New("commit-graph extra edge out of range")
		}
		v := be32(l.edge[e*4:])
		p := v &^ graphLastEdge
		if p >= g.Total {
			return buf, errors.New("commit-graph parent out of range")
		}
		buf = append(buf, p)
		if v&graphLastEdge != 0 {
			return buf, nil
		}
	}
}
