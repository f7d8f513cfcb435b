package freeze

import "testing"

func TestContainsVersion(t *testing.T) {
	tests := map[string]struct {
		out, version string
		want         bool
	}{
		"plain":            {out: "greet 2.0\n", version: "2.0", want: true},
		"v prefix":         {out: "greet v2.0.", version: "2.0", want: true},
		"in parentheses":   {out: "greet, version 2.0 (Python 3.11)", version: "2.0", want: true},
		"longer release":   {out: "greet 2.0.1", version: "2.0", want: false},
		"dev release":      {out: "greet 2.0.dev3", version: "2.0", want: false},
		"bigger major":     {out: "greet 12.0", version: "2.0", want: false},
		"local version":    {out: "greet 2.0+abc", version: "2.0", want: false},
		"later occurrence": {out: "greet 12.0 (was 2.0)", version: "2.0", want: true},
		"empty version":    {out: "greet", version: "", want: false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := containsVersion(tc.out, tc.version); got != tc.want {
				t.Errorf("containsVersion(%q, %q) = %v, want %v", tc.out, tc.version, got, tc.want)
			}
		})
	}
}

func TestLineTailKeepsLastLines(t *testing.T) {
	tail := &lineTail{max: 2}
	for _, s := range []string{"one\ntw", "o\nthree\n", "four"} {
		tail.Write([]byte(s))
	}
	if got := tail.String(); got != "three\nfour" {
		t.Errorf("tail = %q, want three and four", got)
	}
}
