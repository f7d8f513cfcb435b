package run

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestTailKeepsTheLastLines(t *testing.T) {
	tail := &Tail{Lines: 3}
	for i := 1; i <= 10; i++ {
		fmt.Fprintf(tail, "line %d\n", i)
	}
	fmt.Fprint(tail, "part")
	fmt.Fprint(tail, "ial")
	if got, want := tail.String(), "line 9\nline 10\npartial"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestTailSplitWrites(t *testing.T) {
	tail := &Tail{Lines: 2}
	for _, s := range []string{"one\ntw", "o\nthree\n", "four"} {
		tail.Write([]byte(s))
	}
	if got := tail.String(); got != "three\nfour" {
		t.Errorf("tail = %q, want three and four", got)
	}
}

func TestTailBoundsBytes(t *testing.T) {
	tail := &Tail{Bytes: 8}
	tail.Write([]byte(strings.Repeat("x", 100) + "end\n"))
	if got := tail.String(); got != "xxxxend" {
		t.Errorf("tail = %q, want the last 8 bytes without the newline", got)
	}
	runaway := &Tail{Lines: 2}
	runaway.Write(bytes.Repeat([]byte("y"), 1<<20))
	if n := len(runaway.String()); n != defaultTailBytes {
		t.Errorf("a line without newlines kept %d bytes, want %d", n, defaultTailBytes)
	}
}

func TestTailTeeSerialises(t *testing.T) {
	tail := &Tail{}
	var echo bytes.Buffer
	w := tail.Tee(&echo)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				fmt.Fprintf(w, "writer %d line %d\n", i, j)
			}
		}()
	}
	wg.Wait()
	if echo.String()+"" == "" || strings.TrimSuffix(echo.String(), "\n") != tail.String() {
		t.Fatalf("the echo and the tail differ:\n%d bytes\n%d bytes", echo.Len(), len(tail.String()))
	}
	for _, l := range strings.Split(tail.String(), "\n") {
		if !strings.HasPrefix(l, "writer ") || strings.Count(l, "writer") != 1 {
			t.Fatalf("interleaved line %q", l)
		}
	}
	if tail.Tee(nil) != tail {
		t.Error("Tee(nil) should be the tail itself")
	}
}
