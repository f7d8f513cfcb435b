package targets_test

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/config"
)

var update = flag.Bool("update", false, "rewrite the generated config reference in README.md and doc.go")

// The config reference in the README and in this package's doc is generated
// from config.Keys, config.SnapshotKeys, config.SmokeKeys, config.BdistKeys
// and config.ReleaseKeys; this test fails when they drift
// (fix: go test -update).
func TestConfigReferenceIsCurrent(t *testing.T) {
	for _, doc := range []struct {
		path       string
		begin, end string
		keys       []config.Key
		render     func([]config.Key) string
	}{
		{path: "../README.md", begin: "<!-- config-keys:begin -->\n", end: "<!-- config-keys:end -->", keys: config.Keys, render: keysMarkdown},
		{path: "doc.go", begin: "// config-keys:begin\n", end: "// config-keys:end", keys: config.Keys, render: keysComment},
		{path: "../README.md", begin: "<!-- snapshot-keys:begin -->\n", end: "<!-- snapshot-keys:end -->", keys: config.SnapshotKeys, render: keysMarkdown},
		{path: "doc.go", begin: "// snapshot-keys:begin\n", end: "// snapshot-keys:end", keys: config.SnapshotKeys, render: keysComment},
		{path: "../README.md", begin: "<!-- smoke-keys:begin -->\n", end: "<!-- smoke-keys:end -->", keys: config.SmokeKeys, render: keysMarkdown},
		{path: "doc.go", begin: "// smoke-keys:begin\n", end: "// smoke-keys:end", keys: config.SmokeKeys, render: keysComment},
		{path: "../README.md", begin: "<!-- bdist-keys:begin -->\n", end: "<!-- bdist-keys:end -->", keys: config.BdistKeys, render: keysMarkdown},
		{path: "doc.go", begin: "// bdist-keys:begin\n", end: "// bdist-keys:end", keys: config.BdistKeys, render: keysComment},
		{path: "../README.md", begin: "<!-- release-keys:begin -->\n", end: "<!-- release-keys:end -->", keys: config.ReleaseKeys, render: keysMarkdown},
		{path: "doc.go", begin: "// release-keys:begin\n", end: "// release-keys:end", keys: config.ReleaseKeys, render: keysComment},
		{path: "../README.md", begin: "<!-- forge-keys:begin -->\n", end: "<!-- forge-keys:end -->", keys: config.ForgeKeys, render: keysMarkdown},
		{path: "doc.go", begin: "// forge-keys:begin\n", end: "// forge-keys:end", keys: config.ForgeKeys, render: keysComment},
	} {
		updateBetween(t, doc.path, doc.begin, doc.end, doc.render(doc.keys))
	}
}

// updateBetween checks that the text between the markers begin and end of
// a generated section of path is want; with -update it rewrites it.
func updateBetween(t *testing.T, path, begin, end, want string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		t.Fatalf("%s: markers %q and %q not found", path, begin, end)
	}
	if got := text[i+len(begin) : j]; got != want {
		if !*update {
			t.Errorf("%s: a generated section is out of date; run go test ./targets -run %s -update\ngot:\n%s\nwant:\n%s", path, t.Name(), got, want)
			return
		}
		text = text[:i+len(begin)] + want + text[j:]
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func keysMarkdown(keys []config.Key) string {
	var b strings.Builder
	b.WriteString("| key | environment | type | default | meaning |\n|---|---|---|---|---|\n")
	for _, k := range keys {
		def := "`" + k.Default + "`"
		if k.Default == "" {
			def = "(unset)"
		}
		env := "`" + k.Env + "`"
		if k.Env == "" {
			env = "(file only)"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", k.Name, env, k.Type, def, strings.ReplaceAll(k.Doc, "|", `\|`))
	}
	return b.String()
}

func keysComment(keys []config.Key) string {
	var b strings.Builder
	for _, k := range keys {
		def := k.Default
		if def == "" {
			def = "unset"
		}
		env := k.Env + "; "
		if k.Env == "" {
			env = ""
		}
		fmt.Fprintf(&b, "//   - %s (%s%s; default %s): %s\n", k.Name, env, k.Type, def, k.Doc)
	}
	// gofmt separates a list from the paragraph after it.
	b.WriteString("//\n")
	return b.String()
}
