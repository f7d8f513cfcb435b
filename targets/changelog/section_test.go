package changelog

import (
	"errors"
	"testing"
)

func TestSection(t *testing.T) {
	kac := "# Changelog\n\n## [Unreleased]\n\n## [1.3.0] - 2024-12-19\n\n### Added\n\n- Greets in French.\n\n### Fixed\n\n- Exit status.\n\n## [1.2.0] - 2024-01-01\n\n- First.\n\n[1.3.0]: https://example.test/compare/v1.2.0...v1.3.0\n"
	rst := "Changelog\n=========\n\n1.3.0 (2024-12-19)\n------------------\n\nFeatures\n~~~~~~~~\n\n- Greets in French.\n\n1.2.0 (2024-01-01)\n------------------\n\n- First.\n"
	pallets := "Version 1.3.0\n-------------\n\nReleased 2024-12-19\n\n-   Greets in French.\n\nVersion 1.2.0\n-------------\n\nReleased 2024-01-01\n\n-   First.\n"
	for name, c := range map[string]struct {
		file, content, version string
		want                   string
		err                    error
	}{
		"keep a changelog keeps subsections": {file: "CHANGELOG.md", content: kac, version: "1.3.0",
			want: "### Added\n\n- Greets in French.\n\n### Fixed\n\n- Exit status."},
		"the last section ends at the file's end": {file: "CHANGELOG.md", content: kac, version: "1.2.0",
			want: "- First.\n\n[1.3.0]: https://example.test/compare/v1.2.0...v1.3.0"},
		"a v in the version":          {file: "CHANGELOG.md", content: kac, version: "v1.3.0", want: "### Added\n\n- Greets in French.\n\n### Fixed\n\n- Exit status."},
		"a v in the heading":          {file: "CHANGES.md", content: "## v2.0.0 (2025-01-02)\r\n\r\n- Big.\r\n\r\n## v1.0.0 (2024-01-01)\r\n", version: "2.0.0", want: "- Big."},
		"rst keeps lower levels":      {file: "CHANGES.rst", content: rst, version: "1.3.0", want: "Features\n~~~~~~~~\n\n- Greets in French."},
		"pallets drops released line": {file: "CHANGES.rst", content: pallets, version: "1.3.0", want: "-   Greets in French."},
		"empty section":               {file: "CHANGELOG.md", content: "## 1.0.1 (2024-02-02)\n\n## 1.0.0 (2024-01-01)\n\n- x\n", version: "1.0.1", want: ""},
		"no such version":             {file: "CHANGELOG.md", content: kac, version: "9.9.9", err: ErrNoSection},
		"unreleased is not a version": {file: "CHANGELOG.md", content: kac, version: "Unreleased", err: ErrNoSection},
		"bad version":                 {file: "CHANGELOG.md", content: kac, version: "1.0 beta", err: ErrBadVersion},
		"heading in a code fence":     {file: "CHANGELOG.md", content: "## 1.1.0 (2024-02-02)\n\n```\n## 1.0.0\n```\n\n## 1.0.0 (2024-01-01)\n", version: "1.1.0", want: "```\n## 1.0.0\n```"},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := Section([]byte(c.content), c.file, c.version)
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("err = %v, want %v", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("Section =\n%q\nwant\n%q", got, c.want)
			}
		})
	}
}
