package installer

import (
	"strings"
	"testing"
)

func TestTail(t *testing.T) {
	long := strings.Repeat("line of output\n", 200) + "the last line"
	got := tail(long)
	if len(got) > outputTail+3 || !strings.HasSuffix(got, "the last line") || !strings.HasPrefix(got, "...") {
		t.Errorf("tail kept %d bytes, ending %q; want at most %d ending with the last line", len(got), got[len(got)-20:], outputTail)
	}
	if got := tail("  short\n"); got != "short" {
		t.Errorf("tail(short) = %q, want %q", got, "short")
	}
}
