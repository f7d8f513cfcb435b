// Package benchtree writes the tree the archive benchmarks pack: about
// 200 MB shaped like a bdist group. The Go benchmark of package archive and
// the whole-command bench (which also measures peak memory) use the same
// bytes.
package benchtree

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// Write creates the tree under dir: three frozen binaries (mostly
// already-compressed bytes, some text) and a library of 400 Python-like
// text files. It returns the total size.
func Write(dir string) (int64, error) {
	var total int64
	write := func(name, data string, perm os.FileMode) error {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(data), perm); err != nil {
			return err
		}
		total += int64(len(data))
		return os.Chmod(p, perm) // past the umask
	}
	for i := range 3 {
		if err := write(fmt.Sprintf("bin/tool%d", i), Mixed(uint64(10+i), 55<<20), 0o755); err != nil {
			return 0, err
		}
	}
	r := rand.New(rand.NewPCG(7, 7))
	words := []string{"self", "return", "def", "import", "class", "value", "name", "config", "if", "else", "for", "in", "None", "True", "path", "data"}
	for i := range 400 {
		var sb strings.Builder
		for sb.Len() < 90<<10 {
			sb.WriteString(strings.Repeat("    ", r.IntN(4)))
			for range 3 + r.IntN(8) {
				sb.WriteString(words[r.IntN(len(words))])
				fmt.Fprintf(&sb, "_%d ", r.IntN(300))
			}
			sb.WriteString("\n")
		}
		if err := write(fmt.Sprintf("lib/pkg%02d/mod%03d.py", i%20, i), sb.String(), 0o644); err != nil {
			return 0, err
		}
	}
	return total, nil
}

// Mixed returns n bytes like a frozen binary: mostly random (already
// compressed) with stretches of repetitive text.
func Mixed(seed uint64, n int) string {
	r := rand.New(rand.NewPCG(seed, seed))
	var key [32]byte
	key[0] = byte(seed)
	random := rand.NewChaCha8(key)
	var b bytes.Buffer
	for b.Len() < n {
		if r.IntN(4) == 0 {
			for range 200 {
				b.WriteString("def greet(name):\n    return f\"hello {name}\"\n")
			}
			continue
		}
		chunk := make([]byte, 16<<10)
		_, _ = random.Read(chunk)
		b.Write(chunk)
	}
	return b.String()[:n]
}
