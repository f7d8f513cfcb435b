package targets

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/pyrelease/pyrelease/targets/internal/atomicfile"
	"github.com/pyrelease/pyrelease/targets/vcs"
)

// Contributors writes CONTRIBUTORS: every author with their number of commits, as git shortlog -n -s HEAD prints them (mailmap honoured).
//
// Authors are counted over all of HEAD's history and grouped by name after
// .mailmap (and mailmap.file) rewriting, most commits first; in a shallow
// clone only the commits fetched are counted. No git binary is needed.
// Prints the file and the number of contributors.
func Contributors(ctx context.Context) (err error) {
	defer scrub(&err)
	p, err := load(ctx)
	if err != nil {
		return err
	}
	cs, err := vcs.Shortlog(ctx, vcs.ShortlogOptions{Dir: p.cfg.Dir, Mailmap: true})
	if err != nil {
		return err
	}
	// CI checkouts are often shallow (depth 1): say so rather than
	// quietly credit only the last committers.
	if shallow, err := vcs.IsShallow(p.cfg.Dir); err != nil {
		return err
	} else if shallow {
		p.log.Warn("shallow clone: CONTRIBUTORS counts only the commits fetched; run git fetch --unshallow first for the whole history")
	}
	const name = "CONTRIBUTORS"
	path := filepath.Join(p.cfg.Dir, name)
	if err := atomicfile.Write(path, []byte(vcs.FormatShortlog(cs)), 0o644); err != nil {
		return fmt.Errorf("contributors: writing %s: %w", path, err)
	}
	noun := "contributors"
	if len(cs) == 1 {
		noun = "contributor"
	}
	fmt.Fprintf(stdout, "%s %d %s\n", name, len(cs), noun)
	return nil
}
