package version

import (
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
)

// FuzzDescribeString checks that String can be read back: the tag, the
// distance and the abbreviated name survive whatever the tag is called.
func FuzzDescribeString(f *testing.F) {
	f.Add("v1.2.0", 5, []byte{0xab, 0xc1, 0x23, 0x4f}, 7, false)
	f.Add("", 12, []byte{1, 2, 3, 4, 5}, 9, true)
	f.Add("release-1-g2", 0, []byte{0xff}, 2, true)
	f.Fuzz(func(t *testing.T, tag string, dist int, raw []byte, n int, dirty bool) {
		short := hex.EncodeToString(raw)
		if n < 0 || n > len(short) {
			n = len(short)
		}
		short = short[:n]
		if dist < 0 {
			dist = -dist
		}
		if dist < 0 {
			dist = 0
		}
		d := Description{Tag: tag, Distance: dist, Short: short, Dirty: dirty}
		s := d.String()
		rest := s
		if dirty {
			var ok bool
			if rest, ok = strings.CutSuffix(s, "-dirty"); !ok {
				t.Fatalf("%q lacks -dirty", s)
			}
		}
		if tag == "" {
			if rest != short {
				t.Fatalf("no tag: %q, want just %q", s, short)
			}
			return
		}
		i := strings.LastIndex(rest, "-g")
		j := strings.LastIndex(rest[:max(i, 0)], "-")
		if i < 0 || j < 0 || rest[:j] != tag || rest[i+2:] != short {
			t.Fatalf("%q does not split into %q, %d, %q", s, tag, dist, short)
		}
		if got, err := strconv.Atoi(rest[j+1 : i]); err != nil || got != dist {
			t.Fatalf("%q: distance %q, want %d", s, rest[j+1:i], dist)
		}
	})
}

func FuzzParseIndex(f *testing.F) {
	f.Add([]byte("DIRC\x00\x00\x00\x02\x00\x00\x00\x00" + strings.Repeat("\x00", 20)))
	f.Fuzz(func(t *testing.T, data []byte) {
		idx, err := parseIndex(data)
		if err != nil {
			return
		}
		for _, e := range idx.entries {
			if e.stage() > 3 {
				t.Fatalf("stage %d", e.stage())
			}
		}
	})
}
