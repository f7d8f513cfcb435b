package installer

import (
	"strings"
	"testing"
)

func TestHasVersion(t *testing.T) {
	tests := map[string]struct {
		output, version string
		want            bool
	}{
		"plain":          {output: "greet 1.2.0\n", version: "1.2.0", want: true},
		"v prefix":       {output: "greet v1.2.0", version: "1.2.0", want: true},
		"sentence":       {output: "This is greet version 1.2.0.", version: "1.2.0", want: true},
		"parenthesised":  {output: "greet (1.2.0)", version: "1.2.0", want: true},
		"other version":  {output: "greet 1.1.9", version: "1.2.0", want: false},
		"pre-release":    {output: "greet 1.2.0rc1", version: "1.2.0", want: false},
		"longer major":   {output: "greet 11.2.0", version: "1.2.0", want: false},
		"longer release": {output: "greet 1.2.0.1", version: "1.2.0", want: false},
		"empty output":   {output: "", version: "1.2.0", want: false},
		"empty version":  {output: "greet 1.2.0", version: "", want: false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := HasVersion(tc.output, tc.version); got != tc.want {
				t.Errorf("HasVersion(%q, %q) = %v, want %v", tc.output, tc.version, got, tc.want)
			}
		})
	}
}

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
