package gitread

import (
	"encoding/hex"
)

// HashLen is the size of a SHA-1 object name; SHA-256 repositories are
// refused when the repository is opened.
const HashLen = 20

// HexLen is the length of an object name in hex.
const HexLen = 2 * HashLen

// OID is a binary object name. Arrays keep it usable as a map key and
// comparable without allocation.
type OID [HashLen]byte

// String is the full hex name.
func (o OID) String() string { return hex.EncodeToString(o[:]) }

// IsZero reports whether o is the null object name.
func (o OID) IsZero() bool { return o == OID{} }

// ParseOID reads exactly HexLen lowercase or uppercase hex digits.
func ParseOID(s []byte) (OID, bool) {
	var o OID
	if len(s) != HexLen {
		return o, false
	}
	s = s[:HexLen]
	bad := byte(0)
	for i := 0; i < HashLen; i++ {
		hi, lo := hexVal[s[2*i]], hexVal[s[2*i+1]]
		bad |= hi | lo
		o[i] = hi<<4 | lo&0xf
	}
	return o, bad&0xf0 == 0
}

// ParseOIDString is ParseOID of a string.
func ParseOIDString(s string) (OID, bool) { return ParseOID([]byte(s)) }

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

// hexDigit returns the i-th hex digit of o (0 <= i < HexLen).
func (o OID) hexDigit(i int) byte {
	b := o[i/2]
	if i%2 == 0 {
		b >>= 4
	}
	return b & 0xf
}

// commonHexPrefix is the number of leading hex digits a and b share.
func commonHexPrefix(a, b OID) int {
	for i := 0; i < HashLen; i++ {
		if a[i] != b[i] {
			if a[i]>>4 == b[i]>>4 {
				return 2*i + 1
			}
			return 2 * i
		}
	}
	return HexLen
}
