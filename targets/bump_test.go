package targets

import (
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/pep440"
)

func TestNextSemver(t *testing.T) {
	tests := map[string]struct {
		tag, part string
		want      string
		err       string
	}{
		"major":                 {tag: "v1.2.3", part: "major", want: "2.0.0"},
		"minor":                 {tag: "v1.2.3", part: "minor", want: "1.3.0"},
		"patch":                 {tag: "1.2.3", part: "patch", want: "1.2.4"},
		"patch of a pre":        {tag: "v1.3.0-rc.1", part: "patch", want: "1.3.0"},
		"rc after rc":           {tag: "v1.3.0-rc.1", part: "rc", want: "1.3.0-rc.2"},
		"pre after rc":          {tag: "v1.3.0-rc.2", part: "pre", want: "1.3.0-rc.3"},
		"beta after alpha":      {tag: "v1.3.0-alpha.4", part: "beta", want: "1.3.0-beta.1"},
		"alpha on a release":    {tag: "v1.2.3", part: "alpha", want: "1.2.4-alpha.1"},
		"release of a pre":      {tag: "v1.3.0-rc.2", part: "release", want: "1.3.0"},
		"no tag starts at zero": {tag: "", part: "minor", want: "0.1.0"},
		"alpha after rc":        {tag: "v1.3.0-rc.1", part: "alpha", err: "would go backwards"},
		"release of a release":  {tag: "v1.3.0", part: "release", err: "is a release already"},
		"pre of a release":      {tag: "v1.3.0", part: "pre", err: "is not a pre-release"},
		"post is PEP 440 only":  {tag: "v1.3.0", part: "post", err: "not a SemVer bump"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			current := pep440.MustParse("0.0.0")
			got, err := nextSemver(tt.tag, current, tt.part)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tt.want {
				t.Errorf("nextSemver(%q, %s) = %s, want %s", tt.tag, tt.part, got, tt.want)
			}
			// What is written to version files is its PEP 440 twin.
			if _, err := pep440.Parse(got.String()); err != nil {
				t.Errorf("%s has no PEP 440 form: %v", got, err)
			}
		})
	}
}
