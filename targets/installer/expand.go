package installer

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
)

// maxExpanded bounds how far a .run installer's payload may expand when
// the smoke test unpacks it. makeself checks only that the disk has room
// for the size its header declares, which a hostile or corrupt file can
// understate; a gzip bomb would then fill the disk. A few frozen tools
// take tens or hundreds of MiB.
const maxExpanded = 4 << 30

// makeselfSkip is the header line that says how many lines of script come
// before the payload.
var makeselfSkip = regexp.MustCompile(`(?m)^skip="(\d+)"$`)

// checkRunExpansion decompresses the gzip payload of a makeself installer
// without writing it anywhere and returns a *TooLargeError when it expands
// beyond limit bytes.
func checkRunExpansion(path string, limit int64) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("installer: %w", err)
	}
	defer f.Close()
	// The header is a shell script of some 20 KiB; the skip variable
	// sits near its top.
	const headMax = 256 << 10
	br := bufio.NewReaderSize(f, headMax)
	head, _ := br.Peek(headMax)
	m := makeselfSkip.FindSubmatch(head)
	if m == nil {
		return fmt.Errorf("installer: %s: no makeself header (skip=\"N\" line) in its first 256 KiB", path)
	}
	skip, err := strconv.Atoi(string(m[1]))
	if err != nil || skip <= 0 || skip > bytes.Count(head, []byte{'\n'}) {
		return fmt.Errorf("installer: %s: makeself header skips %q lines, more than it has", path, m[1])
	}
	for range skip {
		if _, err := br.ReadSlice('\n'); err != nil {
			return fmt.Errorf("installer: %s: reading the makeself header: %w", path, err)
		}
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return fmt.Errorf("installer: %s: payload is not gzip, as makeself writes it by default: %w", path, err)
	}
	n, err := io.Copy(io.Discard, io.LimitReader(zr, limit+1))
	if err != nil {
		return fmt.Errorf("installer: %s: payload: %w", path, err)
	}
	if n > limit {
		return &TooLargeError{Installer: path, Limit: limit}
	}
	return nil
}
