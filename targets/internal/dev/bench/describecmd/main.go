// Command describecmd prints what `git describe --tags --long [--dirty]`
// prints, using package version and nothing else: the bench's measure of
// the describe itself as a command, without the start-up cost of a
// magefile binary that links every target.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/pyrelease/pyrelease/targets/version"
)

func main() {
	dirty := len(os.Args) > 1 && os.Args[1] == "--dirty"
	d, err := version.Describe(context.Background(), version.Options{Dir: ".", Dirty: dirty})
	if err != nil {
		fmt.Fprintln(os.Stderr, "describe:", err)
		os.Exit(1)
	}
	fmt.Println(d.String())
}
