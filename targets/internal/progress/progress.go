// Package progress shows transfers: one bar per file on a terminal, and
// nothing extra elsewhere (CI logs get the callers' one line per file).
package progress

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"
)

// Bars is a set of progress bars; the zero value and nil show nothing.
type Bars struct {
	p    *mpb.Progress
	mu   sync.Mutex
	bars []*mpb.Bar
}

// New returns bars drawn on w when w is a terminal and the environment is
// not CI; otherwise bars that draw nothing.
func New(w io.Writer, getenv func(string) string) *Bars {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) || isCI(getenv) {
		return &Bars{}
	}
	if width, _, err := term.GetSize(int(f.Fd())); err != nil || width < 40 {
		return &Bars{} // a terminal without a size (some CI runners) cannot show bars
	}
	return &Bars{p: mpb.New(mpb.WithOutput(w), mpb.WithWidth(32))}
}

func isCI(getenv func(string) string) bool {
	v := strings.ToLower(getenv("CI"))
	return v != "" && v != "false" && v != "0"
}

// File adds a bar for one file of total bytes and returns the function
// that advances it (negative counts step back, for a restarted transfer);
// a nil function when nothing is drawn or the size is unknown (total < 0).
func (b *Bars) File(name string, total int64) func(n int64) {
	if b == nil || b.p == nil || total < 0 {
		return nil
	}
	bar := b.p.AddBar(total,
		mpb.PrependDecorators(decor.Name(filepath.Base(name), decor.WCSyncSpaceR)),
		mpb.AppendDecorators(decor.CountersKibiByte("% .1f / % .1f", decor.WCSyncSpace), decor.Percentage(decor.WCSyncSpace)),
	)
	b.mu.Lock()
	b.bars = append(b.bars, bar)
	b.mu.Unlock()
	return func(n int64) { bar.IncrInt64(n) }
}

// Wait draws the bars' final state and stops. Bars that did not reach
// their total (a failed or skipped transfer) are aborted, so Wait does not
// block on them.
func (b *Bars) Wait() {
	if b == nil || b.p == nil {
		return
	}
	b.mu.Lock()
	for _, bar := range b.bars {
		if !bar.Completed() {
			bar.Abort(false)
		}
	}
	b.mu.Unlock()
	b.p.Wait()
}
