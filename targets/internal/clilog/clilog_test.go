package clilog

import (
	"bytes"
	"log/slog"
	"testing"
)

func TestLines(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, slog.LevelInfo).With("target", "bump")
	log.Debug("hidden")
	log.Info("tagged", "tag", "v1.2.0", "note", "two words")
	log.Warn("no tag", "distance", 3)
	want := "pyrelease: tagged target=bump tag=v1.2.0 note=\"two words\"\n" +
		"pyrelease: warning: no tag target=bump distance=3\n"
	if got := buf.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
