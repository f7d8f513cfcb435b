package version

import (
	"encoding/hex"
)

// hashLen is the size of a SHA-1 object name; SHA-256 repositories are
// refused when the repository is opened.
const hashLen = 20

// hexLen is the length of an object name in hex.
const hexLen = 2 * hashLen

// oid is a binary object name. Arrays keep it usable as a map key and
// comparable without allocation.
type oid [hashLen]byte

func (o oid) String() string { return hex.EncodeToString(o[:]) }

func (o oid) isZero() bool { return o == oid{} }

// parseOID reads exactly hexLen lowercase or uppercase hex digits.
func parseOID(s []byte) (oid, bool) {
	var o oid
	if len(s) != hexLen {
		return o, false
	}
	s = s[:hexLen]
	bad := byte(0)
	for i := 0; i < hashLen; i++ {
		hi, lo := hexVal[s[2*i]], hexVal[s[2*i+1]]
		bad |= hi | lo
		o[i] = hi<<4 | lo&0xf
	}
	return o, bad&0xf0 == 0
}

func parseOIDString(s string) (oid, bool) { return parseOID([]byte(s)) }

// hexVal maps a byte to its hex value, or 0xff: parsing object names is
// on the walk's hot path when commits come from objects.
var hexVal = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c-'a') + 10
		t[c-'a'+'A'] = byte(c-'a') + 10
	}
	return t
}()

func unhex(c byte) (byte, bool) {
	v := hexVal[c]
	return v, v != 0xff
}

// hexDigit returns the i-th hex digit of o (0 <= i < hexLen).
func (o oid) hexDigit(i int) byte {
	b := o[i/2]
	if i%2 == 0 {
		b >>= 4
	}
	return b & 0xf
}

// commonHexPrefix is the number of leading hex digits a and b share.
func commonHexPrefix(a, b oid) int {
	for i := 0; i < hashLen; i++ {
		if a[i] != b[i] {
			if a[i]>>4 == b[i]>>4 {
				return 2*i + 1
			}
			return 2 * i
		}
	}
	return hexLen
}
