package progress

import (
	"bytes"
	"os"
	"testing"
)

func TestNoBarsOffTerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	for name, out := range map[string]any{"buffer": &bytes.Buffer{}, "pipe": w} {
		b := New(out.(interface{ Write([]byte) (int, error) }), func(string) string { return "" })
		if f := b.File("x.whl", 10); f != nil {
			t.Errorf("%s: a bar was made for a non-terminal", name)
		}
		b.Wait()
	}
	var nilBars *Bars
	if nilBars.File("x", 1) != nil {
		t.Error("nil Bars made a bar")
	}
	nilBars.Wait()
}

func TestIsCI(t *testing.T) {
	for v, want := range map[string]bool{"": false, "false": false, "0": false, "true": true, "1": true, "yes": true} {
		if got := isCI(func(string) string { return v }); got != want {
			t.Errorf("isCI(%q) = %v", v, got)
		}
	}
}
