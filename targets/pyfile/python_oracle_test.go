package pyfile

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// oracle prints the line of the first module-level assignment of a plain
// one-line string literal to a version name, as Python's own parser sees
// the file, or 0.
const oracle = `
import ast, sys

def first(path):
    src = open(path, encoding="utf-8-sig", newline="").read()
    lines = src.splitlines()
    for node in ast.parse(src).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target = node.target
        else:
            continue
        v = node.value
        if not (isinstance(target, ast.Name) and target.id in ("VERSION", "__version__", "version")):
            continue
        if not (isinstance(v, ast.Constant) and isinstance(v.value, str)) or v.lineno != node.lineno or node.col_offset != 0:
            continue
        seg = lines[v.lineno - 1][v.col_offset:v.end_col_offset]
        rest = lines[v.lineno - 1][v.end_col_offset:].strip()
        plain = seg[0] in "'\"" and seg[:3] not in ('"""', "'''") and v.value and not any(c in v.value for c in "'\"\\")
        if plain and (rest == "" or rest.startswith("#")):
            return v.lineno
    return 0

for path in sys.argv[1:]:
    print(first(path))
`

// TestPythonAgrees checks the tokenizer against Python's parser on files
// that mix strings, comments, brackets and continuations.
func TestPythonAgrees(t *testing.T) {
	python := testenv.Require(t, "python3")
	files := map[string]string{
		"docstring":         "\"\"\"VERSION = '0'\n\"\"\"\nVERSION = '1'\n",
		"nested quotes":     "x = \"it's\"  # VERSION = '0'\ny = '\"'\n__version__ = \"1\"\n",
		"raw escape":        "x = r'\\''\nversion = '1'\n",
		"brackets":          "d = {\n  'a': [1,\n2],\n}\nVERSION = '1'\n",
		"continued call":    "f(1,\n  VERSION)\nVERSION = \"1\"\n",
		"backslash":         "x = 1 \\\n  + 2\nversion = '1'\n",
		"string in parens":  "x = ('''\n)\nVERSION = '0'\n''')\nVERSION = '1'\n",
		"class body":        "class A:\n    VERSION = '0'\nVERSION = '1'\n",
		"semicolon":         "x = 1; VERSION = '0'\nVERSION = '1'\n",
		"crlf":              "x = [\r\n1]\r\n__version__ = '1'\r\n",
		"bare cr comment":   "# c\r\"\"\"\n__version__ = '0'\n\"\"\"\n__version__ = '1'\n",
		"bare cr only":      "x = [\r1]\r# c\r__version__ = '1'\r",
		"mixed endings":     "x = 1 \\\r+ 2\r\n'''\rVERSION = '0'\n'''\r\nVERSION = '1'\r",
		"nothing":           "VERSION = 1\nversion = get()\n",
		"annotated":         "VERSION: str = '1'\n",
		"escaped newline":   "x = 'a\\\nVERSION = \"0\"'\nVERSION = '1'\n",
		"comment backslash": "# a \\\nVERSION = '1'\n",
		"bytes":             "VERSION = b'0'\nVERSION = '1'\n",
		"two-line string":   "x = \"\"\"a\n\"\"\" ; y = '''b\nVERSION = '0'\n'''\nVERSION = '1.0.0'\n",
	}
	dir := t.TempDir()
	var names, paths []string
	for name, src := range files {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".py")
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		names, paths = append(names, name), append(paths, path)
	}
	out, err := exec.Command(python, append([]string{"-c", oracle}, paths...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	lines := strings.Fields(string(out))
	if len(lines) != len(names) {
		t.Fatalf("python printed %q for %d files", out, len(names))
	}
	for i, name := range names {
		t.Run(name, func(t *testing.T) {
			src := files[name]
			want, err := strconv.Atoi(lines[i])
			if err != nil {
				t.Fatalf("python said %q", lines[i])
			}
			got := 0
			if s, err := locatePython(name, []byte(src)); err == nil {
				// Python numbers lines ended by "\r\n" or a bare "\r" too.
				before := strings.ReplaceAll(src[:s.start], "\r\n", "\n")
				got = 1 + strings.Count(before, "\n") + strings.Count(before, "\r")
			}
			if got != want {
				t.Errorf("found the version on line %d, Python on line %d\n%s", got, want, src)
			}
		})
	}
}
