// Command archivecmd is what the bench runs as our side of the archive
// rows' peak memory: archive.Create of a directory, as bdist calls it.
//
//	archivecmd gen DIR        write the benchmark tree into DIR
//	archivecmd create OUT DIR pack DIR into OUT (.tar.gz or .zip)
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/pyrelease/pyrelease/targets/archive"
	"github.com/pyrelease/pyrelease/targets/internal/dev/benchtree"
)

func main() {
	var err error
	switch {
	case len(os.Args) == 3 && os.Args[1] == "gen":
		_, err = benchtree.Write(os.Args[2])
	case len(os.Args) == 4 && os.Args[1] == "create":
		err = archive.Create(context.Background(), archive.Options{Out: os.Args[2], Dir: os.Args[3]})
	default:
		err = fmt.Errorf("usage: archivecmd gen DIR | archivecmd create OUT DIR")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "archivecmd:", err)
		os.Exit(1)
	}
}
