package wheel

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestVerifyCapsTheProblemList(t *testing.T) {
	const bad = 100_000
	ms := rewriteRecord([]verifyMember{
		{Name: "greet/__init__.py", Data: []byte("")},
		{Name: "greet-1.0.dist-info/METADATA", Data: []byte("Metadata-Version: 2.1\nName: greet\nVersion: 1.0\n")},
		{Name: "greet-1.0.dist-info/WHEEL", Data: []byte("Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")},
		{Name: "greet-1.0.dist-info/RECORD"},
	})
	var rows strings.Builder
	for i := range bad {
		fmt.Fprintf(&rows, "greet/ghost%d.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n", i)
	}
	ms[3].Data = append([]byte(rows.String()), ms[3].Data...)
	whl := filepath.Join(t.TempDir(), "greet-1.0-py3-none-any.whl")
	writeWheelMembers(t, whl, ms)

	_, err := Verify(context.Background(), whl, VerifyOptions{})
	var ve *VerifyError
	if !errors.As(err, &ve) {
		t.Fatalf("Verify = %v, want a *VerifyError", err)
	}
	if len(ve.Problems) != maxProblems || ve.More < bad-maxProblems {
		t.Errorf("%d problems listed and %d more, want %d and at least %d", len(ve.Problems), ve.More, maxProblems, bad-maxProblems)
	}
	msg := err.Error()
	if n := strings.Count(msg, "\n") + 1; n != maxProblems+1 || len(msg) > 10_000 {
		t.Errorf("error has %d lines and %d bytes, want %d short lines", n, len(msg), maxProblems+1)
	}
	last := msg[strings.LastIndexByte(msg, '\n')+1:]
	if want := "wheel: greet-1.0-py3-none-any.whl: … and " + strconv.Itoa(ve.More) + " more problems"; last != want {
		t.Errorf("last line = %q, want %q", last, want)
	}
}
