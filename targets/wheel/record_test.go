package wheel

import (
	"strings"
	"testing"
)

func TestParseRecord(t *testing.T) {
	const good = "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"
	tests := map[string]struct {
		in    string
		paths []string
		bad   []string
	}{
		"pip style":    {in: "a.py," + good + ",0\r\nx.dist-info/RECORD,,\r\n", paths: []string{"a.py", "x.dist-info/RECORD"}},
		"quoted comma": {in: `"a,b.py",` + good + ",0\n", paths: []string{"a,b.py"}},
		"padding":      {in: "a.py," + good + "=,0\n", bad: []string{"not urlsafe base64 without padding"}},
		"std base64":   {in: "a.py,sha256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU,0\n", bad: []string{"not urlsafe base64"}},
		"md5":          {in: "a.py,md5=1B2M2Y8AsgTpgAmY7PhCfg,0\n", bad: []string{`hash algorithm "md5": expected sha256`}},
		"short digest": {in: "a.py,sha256=AAAA,0\n", bad: []string{"a sha256 digest is 32 bytes, found 3"}},
		"no equals":    {in: "a.py,sha256,0\n", bad: []string{`hash "sha256": expected sha256=`}},
		"bad size":     {in: "a.py," + good + ",-1\nb.py," + good + ",1e3\n", bad: []string{`a.py: size "-1"`, `b.py: size "1e3"`}},
		"columns":      {in: "a.py," + good + "\n", bad: []string{"line 1: expected 3 columns (path,hash,size), found 2"}},
		"bad csv":      {in: "\"a.py,x,1\n", bad: []string{"not valid CSV"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			entries, bad := parseRecord([]byte(tc.in))
			if len(bad) != len(tc.bad) {
				t.Fatalf("findings = %q; want %q", bad, tc.bad)
			}
			for i, w := range tc.bad {
				if !strings.Contains(bad[i], w) {
					t.Errorf("finding %d = %q; want %q", i, bad[i], w)
				}
			}
			if tc.bad == nil {
				var paths []string
				for _, e := range entries {
					paths = append(paths, e.Path)
				}
				if strings.Join(paths, "|") != strings.Join(tc.paths, "|") {
					t.Errorf("paths = %q; want %q", paths, tc.paths)
				}
			}
		})
	}
}

func TestPathProblem(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"plain":        {in: "greet/cli.py"},
		"dir":          {in: "greet/"},
		"dots in name": {in: "greet/..hidden/a..b"},
		"dotdot":       {in: "greet/../x", want: `".." segment`},
		"dotdot end":   {in: "greet/..", want: `".." segment`},
		"absolute":     {in: "/etc/passwd", want: "absolute path"},
		"drive":        {in: "C:/x", want: "drive letter"},
		"backslash":    {in: `greet\x.py`, want: "backslash"},
		"empty":        {in: "", want: "empty path"},
		"nul":          {in: "a\x00b", want: "NUL"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := pathProblem(tc.in)
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Errorf("pathProblem(%q) = %q; want %q", tc.in, got, tc.want)
			}
		})
	}
}

func FuzzParseRecord(f *testing.F) {
	f.Add([]byte("a.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\nx/RECORD,,\n"))
	f.Add([]byte("\"a\nb\",,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, _ := parseRecord(data)
		for _, e := range entries {
			if e.Algo != "" && len(e.Digest) != recordAlgos[e.Algo]().Size() {
				t.Fatalf("entry %q kept a digest of the wrong size", e.Path)
			}
			if e.Algo != "" && !strings.HasPrefix(recordHash(e.Algo, e.Digest), e.Algo+"=") {
				t.Fatalf("recordHash does not round-trip for %q", e.Path)
			}
		}
	})
}
