package installer

import (
	"os"
	"path/filepath"
	"testing"
)

// fakeTool writes a shell script standing in for a frozen binary: it
// prints "NAME VERSION" for --version and exits 3 on anything else.
func fakeTool(t *testing.T, dir, name, version string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	script := "#!/bin/sh\nif [ \"$1\" = --version ]; then echo \"" + name + " " + version + "\"; exit 0; fi\nexit 3\n"
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// heads are the first bytes of a program of each format, enough for Sniff.
var heads = map[Format]string{
	FormatPE:      "MZ\x90\x00\x03\x00\x00\x00",
	FormatELF:     "\x7fELF\x02\x01\x01\x00",
	FormatMachO:   "\xcf\xfa\xed\xfe\x0c\x00\x00\x01",
	FormatZipapp:  "#!/usr/bin/env python3\nPK\x03\x04\x14\x00",
	FormatScript:  "#!/bin/sh\necho hi\n",
	FormatUnknown: "hello, world\n",
}

// fakeProgram writes a file that starts as a program of format does, for
// the checks that look at nothing else.
func fakeProgram(t *testing.T, dir, name string, format Format) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(heads[format]+"payload of "+name+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}
