package installer

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCheckRunExpansion(t *testing.T) {
	// A makeself-shaped file whose 64 MiB of zeros compress to 64 KiB.
	var bomb bytes.Buffer
	bomb.WriteString("#!/bin/sh\nskip=\"3\"\nexit 0\n")
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	if _, err := zw.Write(make([]byte, 64<<20)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bomb.run")
	if err := os.WriteFile(path, bomb.Bytes(), 0o755); err != nil {
		t.Fatal(err)
	}
	err := checkRunExpansion(path, 16<<20)
	var te *TooLargeError
	if !errors.As(err, &te) || !errors.Is(err, ErrTooLarge) || te.Limit != 16<<20 {
		t.Fatalf("checkRunExpansion(bomb) = %v, want a TooLargeError at 16 MiB", err)
	}
	if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, "16 MiB") {
		t.Errorf("error %q does not name the installer and the limit", msg)
	}
	if err := checkRunExpansion(path, 64<<20); err != nil {
		t.Errorf("checkRunExpansion within the limit = %v", err)
	}
	if err := os.WriteFile(path, []byte("#!/bin/sh\necho not makeself\n"), 0o755); err == nil {
		if err := checkRunExpansion(path, 64<<20); err == nil || !strings.Contains(err.Error(), "makeself header") {
			t.Errorf("checkRunExpansion(not makeself) = %v, want a header error", err)
		}
	}
}

// A .run that makeself built is read as makeself wrote it.
func TestCheckRunExpansionOfARealInstaller(t *testing.T) {
	path, _ := buildRunFixture(t, "1.2.0", time.Unix(1700000000, 0))
	if err := checkRunExpansion(path, maxExpanded); err != nil {
		t.Fatalf("checkRunExpansion: %v", err)
	}
	if err := checkRunExpansion(path, 1024); !errors.Is(err, ErrTooLarge) {
		t.Errorf("checkRunExpansion with a 1 KiB limit = %v, want ErrTooLarge", err)
	}
}
