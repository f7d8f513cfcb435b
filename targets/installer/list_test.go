package installer

import (
	"slices"
	"strings"
	"testing"
)

func TestParseListing(t *testing.T) {
	tests := map[string]struct {
		out  string
		want []string
	}{
		"with -ba": {
			out:  "Path = greet.exe\nSize = 27\n\nPath = uninstall.exe\nSize = \n",
			want: []string{"greet.exe", "uninstall.exe"},
		},
		"with archive header": {
			out:  "Listing archive: x.exe\n\n--\nPath = x.exe\nType = Nsis\n\n----------\nPath = $PLUGINSDIR/a.dll\r\nSize = 1\n\nPath = greet.exe\n",
			want: []string{"$PLUGINSDIR/a.dll", "greet.exe"},
		},
		"spaces in name": {out: "Path = my tool.exe\n", want: []string{"my tool.exe"}},
		"empty":          {out: "", want: nil},
		"empty path":     {out: "Path = \n", want: nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := parseListing(tc.out); !slices.Equal(got, tc.want) {
				t.Errorf("parseListing = %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzParseListing(f *testing.F) {
	f.Add("Path = greet.exe\nSize = 27\n\nPath = uninstall.exe\n")
	f.Add("--\nPath = x.exe\n\n----------\nPath = a\n")
	f.Fuzz(func(t *testing.T, out string) {
		for _, p := range parseListing(out) {
			if p == "" || strings.ContainsAny(p, "\n") {
				t.Fatalf("parseListing returned %q", p)
			}
		}
	})
}

// FuzzNSISQuote checks that a quoted string has no unescaped quote or
// variable reference and that undoing NSIS's escapes gives the input back.
func FuzzNSISQuote(f *testing.F) {
	for _, s := range []string{"greet", `$INSTDIR`, `say "hi"`, "a\nb", `$\"`, `C:\x\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := nsisQuote(s)
		if len(q) < 2 || q[0] != '"' || q[len(q)-1] != '"' {
			t.Fatalf("nsisQuote(%q) = %s: not quoted", s, q)
		}
		var b strings.Builder
		body := q[1 : len(q)-1]
		for i := 0; i < len(body); i++ {
			c := body[i]
			switch {
			case c == '"' || c == '\n' || c == '\r':
				t.Fatalf("nsisQuote(%q) = %s: raw %q inside", s, q, c)
			case c != '$':
				b.WriteByte(c)
			case i+1 < len(body) && body[i+1] == '$':
				b.WriteByte('$')
				i++
			case i+2 < len(body) && body[i+1] == '\\':
				b.WriteByte(map[byte]byte{'"': '"', 'n': '\n', 'r': '\r', 't': '\t'}[body[i+2]])
				i += 2
			default:
				t.Fatalf("nsisQuote(%q) = %s: unescaped $ at %d", s, q, i)
			}
		}
		if b.String() != s {
			t.Fatalf("unescaping %s gives %q, want %q", q, b.String(), s)
		}
	})
}

func FuzzNSISVersion(f *testing.F) {
	for _, s := range []string{"1.2.0", "1.2.0rc1", "1!2.0.post1+x", "70000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := NSISVersion(s)
		if err != nil {
			return
		}
		parts := strings.Split(v, ".")
		if len(parts) != 4 {
			t.Fatalf("NSISVersion(%q) = %q: want four parts", s, v)
		}
	})
}
