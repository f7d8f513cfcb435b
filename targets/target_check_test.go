package targets

import (
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/wheel"
)

func TestCheckErrorSaysHowManyMore(t *testing.T) {
	ve := &wheel.VerifyError{File: "dist/greet-1.0-py3-none-any.whl", More: 99_980}
	for range 20 {
		ve.Problems = append(ve.Problems, wheel.Problem{File: "greet-1.0-py3-none-any.whl", Entry: "greet/x.py", Reason: "in RECORD but not in the archive"})
	}
	msg := checkError(ve).Error()
	lines := strings.Split(msg, "\n")
	if len(lines) != 21 {
		t.Fatalf("%d lines, want 21:\n%s", len(lines), msg)
	}
	if want := "check: greet-1.0-py3-none-any.whl: … and 99980 more problems"; lines[20] != want {
		t.Errorf("last line = %q, want %q", lines[20], want)
	}
}
