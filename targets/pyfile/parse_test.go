package pyfile

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// Each case reads content, then rewrites it to 9.9.9 and compares with
// rewritten (when the case succeeds).
var parseCases = map[string]struct {
	name      string
	pattern   string
	content   string
	want      string
	rewritten string
	err       error
}{
	"py double quotes": {
		name:      "pkg/version.py",
		content:   "VERSION = \"5.0.0\"\n",
		want:      "5.0.0",
		rewritten: "VERSION = \"9.9.9\"\n",
	},
	"py single quotes kept": {
		name:      "pkg/__init__.py",
		content:   "\"\"\"Docs.\"\"\"\n__version__ = '1.2'\n",
		want:      "1.2",
		rewritten: "\"\"\"Docs.\"\"\"\n__version__ = '9.9.9'\n",
	},
	"py annotation": {
		name:      "_version.py",
		content:   "__version__: str = \"1.0\"\n",
		want:      "1.0",
		rewritten: "__version__: str = \"9.9.9\"\n",
	},
	"py generic annotation": {
		name:      "_version.py",
		content:   "from typing import Final\nVERSION: Final[str] = \"2.0\"  # bumped by CI\n",
		want:      "2.0",
		rewritten: "from typing import Final\nVERSION: Final[str] = \"9.9.9\"  # bumped by CI\n",
	},
	"py no spaces": {
		name:      "v.py",
		content:   "VERSION=\"1\"",
		want:      "1",
		rewritten: "VERSION=\"9.9.9\"",
	},
	"py lowercase version": {
		name:      "v.py",
		content:   "version = '0.1.dev3'\r\n",
		want:      "0.1.dev3",
		rewritten: "version = '9.9.9'\r\n",
	},
	"py crlf kept": {
		name:      "v.py",
		content:   "import os\r\n\r\n__version__ = \"1.0\"\r\nx = 1\r\n",
		want:      "1.0",
		rewritten: "import os\r\n\r\n__version__ = \"9.9.9\"\r\nx = 1\r\n",
	},
	"py bom kept": {
		name:      "v.py",
		content:   "\ufeff__version__ = \"1.0\"\n",
		want:      "1.0",
		rewritten: "\ufeff__version__ = \"9.9.9\"\n",
	},
	"py first assignment wins": {
		name:      "v.py",
		content:   "VERSION = \"1.0\"\n__version__ = \"2.0\"\n",
		want:      "1.0",
		rewritten: "VERSION = \"9.9.9\"\n__version__ = \"2.0\"\n",
	},
	"py comment mentioning VERSION skipped": {
		name:      "v.py",
		content:   "# VERSION = \"0.0\"\n#VERSION = \"0.1\"\nVERSION = \"1.0\"\n",
		want:      "1.0",
		rewritten: "# VERSION = \"0.0\"\n#VERSION = \"0.1\"\nVERSION = \"9.9.9\"\n",
	},
	"py docstring mentioning VERSION skipped": {
		name:      "v.py",
		content:   "\"\"\"Usage:\n\nVERSION = \"0.0\"\n__version__ = '0.0'\n\"\"\"\nVERSION = \"1.0\"\n",
		want:      "1.0",
		rewritten: "\"\"\"Usage:\n\nVERSION = \"0.0\"\n__version__ = '0.0'\n\"\"\"\nVERSION = \"9.9.9\"\n",
	},
	"py single-quoted docstring with escaped quotes skipped": {
		name:      "v.py",
		content:   "'''a \\''' still\nVERSION = \"0.0\"\n'''\nVERSION = \"1.0\"\n",
		want:      "1.0",
		rewritten: "'''a \\''' still\nVERSION = \"0.0\"\n'''\nVERSION = \"9.9.9\"\n",
	},
	"py indented skipped": {
		name:      "v.py",
		content:   "if True:\n    VERSION = \"0.0\"\n\tVERSION = \"0.1\"\nVERSION = \"1.0\"\n",
		want:      "1.0",
		rewritten: "if True:\n    VERSION = \"0.0\"\n\tVERSION = \"0.1\"\nVERSION = \"9.9.9\"\n",
	},
	"py inside brackets skipped": {
		name:      "setup.py",
		content:   "setup(\nversion=\"0.0\",\n)\nVERSION = \"1.0\"\n",
		want:      "1.0",
		rewritten: "setup(\nversion=\"0.0\",\n)\nVERSION = \"9.9.9\"\n",
	},
	"py backslash continuation skipped": {
		name:      "v.py",
		content:   "x = 1 + \\\nversion = \"0.0\"\nVERSION = \"1.0\"\n",
		want:      "1.0",
		rewritten: "x = 1 + \\\nversion = \"0.0\"\nVERSION = \"9.9.9\"\n",
	},
	"py string with brackets does not confuse depth": {
		name:      "v.py",
		content:   "x = \"(\" # )\nVERSION = \"1.0\"\n",
		want:      "1.0",
		rewritten: "x = \"(\" # )\nVERSION = \"9.9.9\"\n",
	},
	"py other names ignored": {
		name:    "v.py",
		content: "MY_VERSION = \"1.0\"\nVERSION_INFO = \"1.0\"\nversions = \"1\"\n",
		err:     ErrNoVersion,
	},
	"py triple quotes are not versions": {
		name:    "v.py",
		content: "VERSION = \"\"\"1.0\"\"\"\n",
		err:     ErrNoVersion,
	},
	"py f-string is not a version": {
		name:    "v.py",
		content: "VERSION = f\"{major}.0\"\n__version__ = r'1.0'\n",
		err:     ErrNoVersion,
	},
	"py expression is not a version": {
		name:    "v.py",
		content: "VERSION = \"1.\" + \"0\"\nVERSION == \"1.0\"\n__version__ = get()\n",
		err:     ErrNoVersion,
	},
	"py empty string is not a version": {
		name:    "v.py",
		content: "__version__ = \"\"\n",
		err:     ErrNoVersion,
	},
	"py mismatched quotes are not a version": {
		name:    "v.py",
		content: "VERSION = \"1.0'\n",
		err:     ErrNoVersion,
	},
	"pyproject basic string": {
		name:      "pyproject.toml",
		content:   "[build-system]\nrequires = [\"hatchling\"]\n\n[project]\nname = \"x\"  # the name\nversion = \"1.2.3\"  # bumped by pyrelease\n\n[tool.x]\nversion = \"0\"\n",
		want:      "1.2.3",
		rewritten: "[build-system]\nrequires = [\"hatchling\"]\n\n[project]\nname = \"x\"  # the name\nversion = \"9.9.9\"  # bumped by pyrelease\n\n[tool.x]\nversion = \"0\"\n",
	},
	"pyproject literal string kept": {
		name:      "sub/pyproject.toml",
		content:   "[project]\nversion='1.0'\n",
		want:      "1.0",
		rewritten: "[project]\nversion='9.9.9'\n",
	},
	"pyproject multiline string": {
		name:      "pyproject.toml",
		content:   "[project]\nversion = \"\"\"1.0\"\"\"\n",
		want:      "1.0",
		rewritten: "[project]\nversion = \"\"\"9.9.9\"\"\"\n",
	},
	"pyproject escape in value": {
		name:      "pyproject.toml",
		content:   "[project]\nversion = \"1.\\u0030\"\n",
		want:      "1.0",
		rewritten: "[project]\nversion = \"9.9.9\"\n",
	},
	"pyproject crlf and comments": {
		name:      "pyproject.toml",
		content:   "# version = \"0\"\r\n[project] # main\r\n  version   =   \"1.0\"\r\n",
		want:      "1.0",
		rewritten: "# version = \"0\"\r\n[project] # main\r\n  version   =   \"9.9.9\"\r\n",
	},
	"pyproject dotted key": {
		name:      "pyproject.toml",
		content:   "project.name = \"x\"\nproject.version = \"1.0\"\n",
		want:      "1.0",
		rewritten: "project.name = \"x\"\nproject.version = \"9.9.9\"\n",
	},
	"pyproject inline table": {
		name:      "pyproject.toml",
		content:   "project = { name = \"x\", version = \"1.0\", urls = { version = \"no\" } }\n",
		want:      "1.0",
		rewritten: "project = { name = \"x\", version = \"9.9.9\", urls = { version = \"no\" } }\n",
	},
	"pyproject version in other tables ignored": {
		name:      "pyproject.toml",
		content:   "[tool.poetry]\nversion = \"0.0\"\n[project.urls]\nversion = \"0.1\"\n[project]\nversion = \"1.0\"\n",
		want:      "1.0",
		rewritten: "[tool.poetry]\nversion = \"0.0\"\n[project.urls]\nversion = \"0.1\"\n[project]\nversion = \"9.9.9\"\n",
	},
	"pyproject dynamic": {
		name:    "pyproject.toml",
		content: "[project]\nname = \"x\"\ndynamic = [\"readme\", \"version\"]\n",
		err:     ErrDynamicVersion,
	},
	"pyproject absent": {
		name:    "pyproject.toml",
		content: "[project]\nname = \"x\"\n[tool.poetry]\nversion = \"1.0\"\n",
		err:     ErrNoVersion,
	},
	"pyproject not a string": {
		name:    "pyproject.toml",
		content: "[project]\nversion = 1.0\n",
		err:     ErrNoVersion,
	},
	"pyproject array table": {
		name:    "pyproject.toml",
		content: "[[project]]\nversion = \"1.0\"\n",
		err:     ErrNoVersion,
	},
	"setup.cfg equals": {
		name:      "setup.cfg",
		content:   "[metadata]\nname = x\nversion = 1.0.0\n\n[options]\nversion = 0\n",
		want:      "1.0.0",
		rewritten: "[metadata]\nname = x\nversion = 9.9.9\n\n[options]\nversion = 0\n",
	},
	"setup.cfg colon and odd spacing kept": {
		name:      "setup.cfg",
		content:   "[metadata]\r\nVersion:\t1.0 \r\n",
		want:      "1.0",
		rewritten: "[metadata]\r\nVersion:\t9.9.9 \r\n",
	},
	"setup.cfg comments and continuations skipped": {
		name:      "setup.cfg",
		content:   "[options]\nversion = 0\n[metadata]\n# version = 0.1\n; version = 0.2\ndescription = a\n  version = 0.3\nversion=2.0\n",
		want:      "2.0",
		rewritten: "[options]\nversion = 0\n[metadata]\n# version = 0.1\n; version = 0.2\ndescription = a\n  version = 0.3\nversion=9.9.9\n",
	},
	"setup.cfg attr directive": {
		name:    "setup.cfg",
		content: "[metadata]\nversion = attr: pkg.__version__\n",
		err:     ErrDynamicVersion,
	},
	"setup.cfg file directive": {
		name:    "setup.cfg",
		content: "[metadata]\nversion = file: VERSION\n",
		err:     ErrDynamicVersion,
	},
	"setup.cfg wrong section": {
		name:    "setup.cfg",
		content: "[options]\nversion = 1.0\n",
		err:     ErrNoVersion,
	},
	"pattern one group": {
		name:      "Cargo.toml",
		pattern:   `(?m)^version = "([^"]+)"`,
		content:   "[package]\nversion = \"1.0.0\"\n",
		want:      "1.0.0",
		rewritten: "[package]\nversion = \"9.9.9\"\n",
	},
	"pattern named group": {
		name:      "README.md",
		pattern:   `(pip|uv) install x==(?P<version>\S+)`,
		content:   "Run pip install x==1.0 now, or pip install x==2.0.\n",
		want:      "1.0",
		rewritten: "Run pip install x==9.9.9 now, or pip install x==2.0.\n",
	},
	"pattern overrides detection": {
		name:      "pkg/version.py",
		pattern:   `MAJOR_MINOR = "(.*)"`,
		content:   "VERSION = \"1.0\"\nMAJOR_MINOR = \"1\"\n",
		want:      "1",
		rewritten: "VERSION = \"1.0\"\nMAJOR_MINOR = \"9.9.9\"\n",
	},
	"pattern without groups": {
		name:    "VERSION",
		pattern: `\d+`,
		content: "1\n",
		err:     ErrBadPattern,
	},
	"pattern with two unnamed groups": {
		name:    "VERSION",
		pattern: `(\d+)\.(\d+)`,
		content: "1.2\n",
		err:     ErrBadPattern,
	},
	"pattern without match": {
		name:    "VERSION",
		pattern: `v(\d+)`,
		content: "1.2\n",
		err:     ErrNoVersion,
	},
	"unknown kind": {
		name:    "VERSION",
		content: "1.0\n",
		err:     ErrUnknownKind,
	},
}

func TestParseAndRewrite(t *testing.T) {
	for name, tc := range parseCases {
		t.Run(name, func(t *testing.T) {
			var re *regexp.Regexp
			if tc.pattern != "" {
				re = regexp.MustCompile(tc.pattern)
			}
			got, err := Parse(tc.name, re, []byte(tc.content))
			if !errors.Is(err, tc.err) {
				t.Fatalf("Parse error = %v, want %v", err, tc.err)
			}
			if err != nil {
				if !strings.Contains(err.Error(), tc.name) {
					t.Errorf("error %q does not name the file %s", err, tc.name)
				}
				if _, rerr := Rewrite(tc.name, re, []byte(tc.content), "9.9.9"); !errors.Is(rerr, tc.err) {
					t.Errorf("Rewrite error = %v, want %v", rerr, tc.err)
				}
				return
			}
			if got != tc.want {
				t.Errorf("Parse = %q, want %q", got, tc.want)
			}
			out, err := Rewrite(tc.name, re, []byte(tc.content), "9.9.9")
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tc.rewritten {
				t.Errorf("Rewrite =\n%q\nwant\n%q", out, tc.rewritten)
			}
		})
	}
}

func TestErrorMessages(t *testing.T) {
	cases := map[string]struct {
		name, content string
		want          []string
	}{
		"py": {
			name:    "mitmproxy/version.py",
			content: "x = 1\n",
			want:    []string{"pyfile: mitmproxy/version.py: no ", "VERSION", "__version__", `"..."`},
		},
		"pyproject dynamic": {
			name:    "pyproject.toml",
			content: "[project]\ndynamic = [\"version\"]\n",
			want:    []string{"pyfile: pyproject.toml: ", "[project].version", "dynamic"},
		},
		"pyproject absent": {
			name:    "pyproject.toml",
			content: "[project]\nname = \"x\"\n",
			want:    []string{"pyfile: pyproject.toml: ", "[project].version"},
		},
		"pyproject invalid": {
			name:    "pyproject.toml",
			content: "[project]\nname = \"x\"\nname = \"y\"\n",
			want:    []string{"pyfile: pyproject.toml:3:", "invalid TOML"},
		},
		"setup.cfg": {
			name:    "setup.cfg",
			content: "[metadata]\nname = x\n",
			want:    []string{"pyfile: setup.cfg: ", "[metadata]"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(tc.name, nil, []byte(tc.content))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestNotFoundErrorFields(t *testing.T) {
	_, err := Parse("pkg/version.py", nil, []byte("x = 1\n"))
	var nf *NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("error %v is not a *NotFoundError", err)
	}
	if nf.Path != "pkg/version.py" || !strings.Contains(nf.Want, "__version__") {
		t.Errorf("NotFoundError = %+v", nf)
	}
}

func TestRewriteRejectsBadVersions(t *testing.T) {
	for name, v := range map[string]string{
		"empty":     "",
		"quote":     `1.0"`,
		"space":     "1.0 beta",
		"newline":   "1.0\n",
		"backslash": `1\0`,
		"hash":      "1#0",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Rewrite("v.py", nil, []byte("VERSION = \"1.0\"\n"), v)
			if !errors.Is(err, ErrBadVersion) {
				t.Errorf("Rewrite(%q) error = %v, want ErrBadVersion", v, err)
			}
		})
	}
	for _, v := range []string{"1.0", "1!2.0.post1+local_3-x", "v1.0rc1"} {
		if _, err := Rewrite("v.py", nil, []byte("VERSION = \"1.0\"\n"), v); err != nil {
			t.Errorf("Rewrite(%q): %v", v, err)
		}
	}
}
