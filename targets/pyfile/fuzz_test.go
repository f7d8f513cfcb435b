package pyfile

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	toml "github.com/pelletier/go-toml/v2"
)

// checkRewrite holds for every kind of file: after a successful rewrite the
// same place is found again and holds the new version, and every byte
// outside the old value is unchanged.
func checkRewrite(t *testing.T, name string, content []byte, version string) []byte {
	t.Helper()
	before, err := locate(name, nil, content)
	out, rerr := Rewrite(name, nil, content, version)
	if cerr := checkVersion(name, version); cerr != nil {
		if !errors.Is(rerr, ErrBadVersion) {
			t.Fatalf("Rewrite(%q) = %v, want ErrBadVersion", version, rerr)
		}
		return nil
	}
	if err != nil {
		if rerr == nil {
			t.Fatalf("Rewrite succeeded where locate failed: %v", err)
		}
		return nil
	}
	if rerr != nil {
		t.Fatalf("Rewrite failed where locate succeeded: %v", rerr)
	}
	if !bytes.Equal(out[:before.start], content[:before.start]) || !bytes.Equal(out[before.start+len(version):], content[before.end:]) {
		t.Fatalf("bytes outside the version changed:\n%q\n->\n%q", content, out)
	}
	after, err := locate(name, nil, out)
	if err != nil {
		t.Fatalf("rewritten file has no version: %v\n%q", err, out)
	}
	if after.value != version || after.start != before.start {
		t.Fatalf("after rewrite found %q at %d, want %q at %d\n%q", after.value, after.start, version, before.start, out)
	}
	return out
}

func seed(f *testing.F, match func(name string) bool) {
	for _, tc := range parseCases {
		if tc.pattern == "" && match(filepath.Base(tc.name)) {
			f.Add([]byte(tc.content), "2.0.0")
		}
	}
	f.Add([]byte("x = '''\nVERSION = \"0\"\n"), "1.0")
	f.Add([]byte("VERSION = \"1\"\n"), "1.0 \"")
}

func FuzzRewritePy(f *testing.F) {
	seed(f, func(name string) bool { return strings.HasSuffix(name, ".py") })
	f.Fuzz(func(t *testing.T, content []byte, version string) {
		checkRewrite(t, "pkg/version.py", content, version)
	})
}

func FuzzRewriteTOML(f *testing.F) {
	seed(f, func(name string) bool { return name == "pyproject.toml" })
	f.Fuzz(func(t *testing.T, content []byte, version string) {
		out := checkRewrite(t, "pyproject.toml", content, version)
		if out == nil {
			return
		}
		// The TOML decoder, not just our own scan, sees the new version.
		var doc struct {
			Project struct{ Version string }
			Tool    struct{ Poetry struct{ Version string } }
		}
		err := toml.Unmarshal(out, &doc)
		got := doc.Project.Version
		if got == "" {
			got = doc.Tool.Poetry.Version
		}
		if err != nil || got != version {
			t.Fatalf("decoded version %q (%v), want %q\n%q", got, err, version, out)
		}
	})
}

func FuzzRewriteSetupCfg(f *testing.F) {
	seed(f, func(name string) bool { return name == "setup.cfg" })
	f.Fuzz(func(t *testing.T, content []byte, version string) {
		checkRewrite(t, "setup.cfg", content, version)
	})
}
