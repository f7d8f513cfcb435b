package store

import (
	"context"
	"io"
	"path"
	"slices"
	"strings"
	"time"
)

// validKey accepts clean relative slash paths.
func validKey(key string) bool {
	if key == "" || strings.HasPrefix(key, "/") || strings.Contains(key, `\`) || path.Clean(key) != key {
		return false
	}
	return !slices.Contains(strings.Split(key, "/"), "..")
}

// hiddenUnder reports whether key has a segment starting with '.' that the
// prefix did not ask for.
func hiddenUnder(key, prefix string) bool {
	return !strings.HasPrefix(prefix, ".") && inHiddenDir(key)
}

// sweepIncoming removes objects under .incoming older than cutoff: what
// publishers killed mid-upload left there.
func sweepIncoming(ctx context.Context, st Store, cutoff time.Time) []string {
	objs, err := st.List(ctx, IncomingDir+"/")
	if err != nil {
		return nil
	}
	var removed []string
	for _, obj := range objs {
		if obj.ModTime.Before(cutoff) && st.Delete(ctx, obj.Key) == nil {
			removed = append(removed, obj.Key)
		}
	}
	return removed
}

// ctxReader stops a long copy when the context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// progressReader reports bytes as they are read.
type progressReader struct {
	r        io.Reader
	progress func(int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.progress(int64(n))
	}
	return n, err
}
