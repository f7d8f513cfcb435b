package config

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestLoadRefusesDeepNesting(t *testing.T) {
	const n = 1_000_000
	tests := map[string]struct {
		toml      string
		line, col int
	}{
		"arrays in another tool's table": {
			toml: header + "[tool.other]\na = " + strings.Repeat("[", n) + strings.Repeat("]", n) + "\n",
			line: 4, col: 5 + maxNesting,
		},
		"inline tables": {
			toml: header + "[tool.other]\nb = " + strings.Repeat("{x = ", n) + "1" + strings.Repeat("}", n) + "\n",
			line: 4, col: 5 + 5*maxNesting,
		},
		"after a multi-line string": {
			toml: header + "[tool.other]\ns = '''\n[[[\n'''\nc = " + strings.Repeat("[", n) + strings.Repeat("]", n) + "\n",
			line: 7, col: 5 + maxNesting,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dir, file := project(t, tc.toml)
			start := time.Now()
			_, err := LoadEnv(dir, nil)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("LoadEnv took %v", d)
			}
			var se *SyntaxError
			if !errors.As(err, &se) || !errors.Is(err, ErrSyntax) {
				t.Fatalf("err = %v, want a *SyntaxError", err)
			}
			if se.File != file || se.Line != tc.line || se.Column != tc.col {
				t.Errorf("SyntaxError at %s:%d:%d, want %s:%d:%d", se.File, se.Line, se.Column, file, tc.line, tc.col)
			}
			if msg := err.Error(); !strings.Contains(msg, file) || !strings.Contains(msg, strconv.Itoa(maxNesting)) {
				t.Errorf("error %q does not name the file and the limit", msg)
			}
		})
	}
}

func TestLoadAllowsNestingUpToTheLimit(t *testing.T) {
	// Brackets in strings and comments do not count.
	noise := "s = \"" + strings.Repeat("[", 2*maxNesting) + "\"\nl = '" + strings.Repeat("{", 2*maxNesting) +
		"'\nm = \"\"\"\n" + strings.Repeat("[", 2*maxNesting) + "\n\"\"\"\n# " + strings.Repeat("[", 2*maxNesting) + "\n"
	toml := header + "[tool.other]\n" + noise + "a = " + strings.Repeat("[", maxNesting) + strings.Repeat("]", maxNesting) + "\n" +
		"[tool.pyrelease]\npush = false\n"
	dir, _ := project(t, toml)
	c, err := LoadEnv(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Tool["push"] != false {
		t.Errorf("tool.pyrelease push = %v, want false", c.Tool["push"])
	}
}
