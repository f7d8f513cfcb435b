package freeze

import (
	"testing"
)

func TestLineTailKeepsLastLines(t *testing.T) {
	tail := &lineTail{max: 2}
	for _, s := range []string{"one\ntw", "o\nthree\n", "four"} {
		tail.Write([]byte(s))
	}
	if got := tail.String(); got != "three\nfour" {
		t.Errorf("tail = %q, want three and four", got)
	}
}
