package gitread

import (
	"encoding/binary"
	"errors"
	"math/bits"
)

// prefixInflater decodes the first bytes of a zlib stream. A commit's
// header is a few hundred bytes, and for streams that short the cost of
// inflating is building the Huffman tables, not decoding: compress/flate
// clears and fills 512-entry tables (and allocates link tables) for each
// of the three codes of every block. This decoder sizes each lookup table
// to the code's longest length (at most 9 bits), decodes longer codes
// along the canonical code, and stops as soon as it has the bytes asked
// for. It is used for nothing larger than commit headers.
type prefixInflater struct {
	src    []byte
	pos    int
	bitBuf uint64
	bitCnt uint
	out    []byte
	want   int
	lens   [320]uint16
	lit    huffman
	dist   huffman
}

type huffman struct {
	count  [16]uint16
	symbol [288]uint16
	tb     uint        // lookup table bits
	table  [512]uint16 // symbol<<4 | code length; 0 means a longer code
}

const maxTableBits = 9

var errInflate = errors.New("bad deflate stream")

const maxBits = 15

var (
	lenBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lenExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	dstBase  = [30]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	dstExtra = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	clOrder  = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

// fixedTables are the fixed Huffman codes of block type 1.
var fixedLit, fixedDist = func() (huffman, huffman) {
	var l [320]uint16
	for i := 0; i < 144; i++ {
		l[i] = 8
	}
	for i := 144; i < 256; i++ {
		l[i] = 9
	}
	for i := 256; i < 280; i++ {
		l[i] = 7
	}
	for i := 280; i < 288; i++ {
		l[i] = 8
	}
	var lit, dist huffman
	lit.build(l[:288])
	for i := 0; i < 30; i++ {
		l[i] = 5
	}
	dist.build(l[:30])
	return lit, dist
}()

// build makes the canonical code tables; it reports false for an
// over-subscribed code.
func (h *huffman) build(lengths []uint16) bool {
	h.count = [16]uint16{}
	for _, l := range lengths {
		h.count[l]++
	}
	left := 1
	for l := 1; l <= maxBits; l++ {
		left <<= 1
		left -= int(h.count[l])
		if left < 0 {
			return false
		}
	}
	var offs, next [16]uint16
	maxLen := 0
	code := uint16(0)
	for l := 1; l <= maxBits; l++ {
		if l < maxBits {
			offs[l+1] = offs[l] + h.count[l]
		}
		code = (code + h.count[l-1]) << 1
		if l == 1 {
			code = 0
		}
		next[l] = code
		if h.count[l] != 0 {
			maxLen = l
		}
	}
	h.tb = uint(min(maxLen, maxTableBits))
	size := 1 << h.tb
	clear(h.table[:size])
	for sym, l := range lengths {
		if l == 0 {
			continue
		}
		h.symbol[offs[l]] = uint16(sym)
		offs[l]++
		c := next[l]
		next[l]++
		if uint(l) > h.tb {
			continue
		}
		r := int(reverseBits(c, uint(l)))
		e := uint16(sym)<<4 | l
		for k := r; k < size; k += 1 << l {
			h.table[k] = e
		}
	}
	return true
}

func reverseBits(c uint16, n uint) uint16 { return bits.Reverse16(c) >> (16 - n) }

// inflatePrefix returns the first want bytes of the zlib stream src (or
// all of it when shorter), decoded into dst's storage.
func (z *prefixInflater) inflatePrefix(src []byte, want int, dst []byte) ([]byte, error) {
	if len(src) < 2 || src[0]&0x0f != 8 || (uint(src[0])<<8|uint(src[1]))%31 != 0 || src[1]&0x20 != 0 {
		return nil, errInflate
	}
	z.src, z.pos, z.bitBuf, z.bitCnt = src, 2, 0, 0
	z.out, z.want = dst[:0], want
	for len(z.out) < want {
		last, err := z.bits(1)
		if err != nil {
			return nil, err
		}
		typ, err := z.bits(2)
		if err != nil {
			return nil, err
		}
		switch typ {
		case 0:
			err = z.stored()
		case 1:
			err = z.codes(&fixedLit, &fixedDist)
		case 2:
			err = z.dynamic()
		default:
			err = errInflate
		}
		if err != nil {
			return nil, err
		}
		if last == 1 {
			break
		}
	}
	if len(z.out) > want {
		z.out = z.out[:want]
	}
	return z.out, nil
}

func (z *prefixInflater) bits(n uint) (uint32, error) {
	if z.bitCnt < n {
		z.refill()
		if z.bitCnt < n {
			return 0, errInflate
		}
	}
	v := uint32(z.bitBuf & (1<<n - 1))
	z.bitBuf >>= n
	z.bitCnt -= n
	return v, nil
}

func (z *prefixInflater) stored() error {
	// Drop the rest of the current byte and give back whole bytes the
	// bit buffer read ahead.
	z.pos -= int(z.bitCnt / 8)
	z.bitBuf, z.bitCnt = 0, 0
	if z.pos+4 > len(z.src) {
		return errInflate
	}
	n := int(z.src[z.pos]) | int(z.src[z.pos+1])<<8
	if z.src[z.pos+2] != ^z.src[z.pos] || z.src[z.pos+3] != ^z.src[z.pos+1] {
		return errInflate
	}
	z.pos += 4
	if z.pos+n > len(z.src) {
		return errInflate
	}
	z.out = append(z.out, z.src[z.pos:z.pos+n]...)
	z.pos += n
	return nil
}

// refill tops the bit buffer up to at least 57 bits, or to the end of
// the input.
func (z *prefixInflater) refill() {
	if z.pos+8 <= len(z.src) {
		z.bitBuf |= binary.LittleEndian.Uint64(z.src[z.pos:]) << z.bitCnt
		z.pos += int(63-z.bitCnt) >> 3
		z.bitCnt |= 56
		return
	}
	for z.bitCnt <= 56 && z.pos < len(z.src) {
		z.bitBuf |= uint64(z.src[z.pos]) << z.bitCnt
		z.pos++
		z.bitCnt += 8
	}
}

// decode reads one symbol: a table lookup for short codes, the canonical
// code bit by bit for longer ones.
func (z *prefixInflater) decode(h *huffman) (int, error) {
	if z.bitCnt < maxBits {
		z.refill()
	}
	if h.tb > 0 {
		e := h.table[z.bitBuf&(1<<h.tb-1)]
		if n := uint(e & 15); n != 0 {
			if n > z.bitCnt {
				return 0, errInflate
			}
			z.bitBuf >>= n
			z.bitCnt -= n
			return int(e >> 4), nil
		}
	}
	code, first, index := 0, 0, 0
	buf := z.bitBuf
	for l := uint(1); l <= maxBits && l <= z.bitCnt; l++ {
		code |= int(buf & 1)
		buf >>= 1
		count := int(h.count[l])
		if code-count < first {
			z.bitBuf = buf
			z.bitCnt -= l
			return int(h.symbol[index+(code-first)]), nil
		}
		index += count
		first += count
		first <<= 1
		code <<= 1
	}
	return 0, errInflate
}

func (z *prefixInflater) codes(lit, dist *huffman) error {
	for len(z.out) < z.want {
		sym, err := z.decode(lit)
		if err != nil {
			return err
		}
		switch {
		case sym < 256:
			z.out = append(z.out, byte(sym))
		case sym == 256:
			return nil
		default:
			sym -= 257
			if sym >= 29 {
				return errInflate
			}
			e, err := z.bits(uint(lenExtra[sym]))
			if err != nil {
				return err
			}
			n := int(lenBase[sym]) + int(e)
			ds, err := z.decode(dist)
			if err != nil {
				return err
			}
			if ds >= 30 {
				return errInflate
			}
			e, err = z.bits(uint(dstExtra[ds]))
			if err != nil {
				return err
			}
			d := int(dstBase[ds]) + int(e)
			if d > len(z.out) {
				return errInflate
			}
			for start := len(z.out) - d; n > 0; n-- {
				z.out = append(z.out, z.out[start])
				start++
			}
		}
	}
	return nil
}

func (z *prefixInflater) dynamic() error {
	nlen, err := z.bits(5)
	if err != nil {
		return err
	}
	ndist, err := z.bits(5)
	if err != nil {
		return err
	}
	ncode, err := z.bits(4)
	if err != nil {
		return err
	}
	nl, nd := int(nlen)+257, int(ndist)+1
	if nl > 286 || nd > 30 {
		return errInflate
	}
	var cl [19]uint16
	for i := 0; i < int(ncode)+4; i++ {
		v, err := z.bits(3)
		if err != nil {
			return err
		}
		cl[clOrder[i]] = uint16(v)
	}
	var clh huffman
	if !clh.build(cl[:]) {
		return errInflate
	}
	lens := z.lens[:nl+nd]
	for i := 0; i < len(lens); {
		sym, err := z.decode(&clh)
		if err != nil {
			return err
		}
		if sym < 16 {
			lens[i] = uint16(sym)
			i++
			continue
		}
		var l uint16
		var rep uint32
		switch sym {
		case 16:
			if i == 0 {
				return errInflate
			}
			l = lens[i-1]
			rep, err = z.bits(2)
			rep += 3
		case 17:
			rep, err = z.bits(3)
			rep += 3
		default:
			rep, err = z.bits(7)
			rep += 11
		}
		if err != nil {
			return err
		}
		if i+int(rep) > len(lens) {
			return errInflate
		}
		for ; rep > 0; rep-- {
			lens[i] = l
			i++
		}
	}
	if lens[256] == 0 || !z.lit.build(lens[:nl]) || !z.dist.build(lens[nl:]) {
		return errInflate
	}
	return z.codes(&z.lit, &z.dist)
}
