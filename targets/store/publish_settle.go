package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"golang.org/x/sync/errgroup"
)

// settle checks the files put in place over whatever was there: a
// branch's files, and a tag's forced or orphaned ones. A file put
// create-only replaced nothing.
func (r *publishRun) settle(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.o.Concurrency)
	for i, f := range r.files {
		if !f.placed || f.createOnly && !f.overwrote {
			continue
		}
		a := r.arts[i]
		g.Go(func() error {
			return settle(gctx, r.o.Store, r.res.Files[i].Key, r.src(a), f.sc, r.putOptions(a), r.log)
		})
	}
	return g.Wait()
}

// PutOptions of sidecars, which change when their file is replaced.
var sidecarOptions = PutOptions{ContentType: "application/json", CacheControl: shortCache}

// settleRounds is how many times settle puts a file back before it gives up.
const settleRounds = 3

// settle runs once sc is written beside a file put in place over whatever
// was there (a branch's files; a tag's, when forced or orphaned). Another
// job publishing the same name with other bytes may have put its file
// there after ours and written its sidecar before ours, leaving our
// sidecar beside its bytes. So the file is checked after the sidecar:
// still ours, or another job's with that job's sidecar, the pair agrees;
// other bytes beside our sidecar are replaced with ours and the sidecar is
// written again. Whoever writes a sidecar last checks after it, and every
// put is followed by a sidecar, so once every publisher returned without
// error the last sidecar describes the file: the last writer wins, file
// and sidecar together.
func settle(ctx context.Context, st Store, key, src string, sc Sidecar, po PutOptions, log *slog.Logger) error {
	for round := 0; ; round++ {
		err := st.Verify(ctx, key, sc.Size, sc.SHA256)
		var me *MismatchError
		switch {
		case err == nil:
			return nil
		case errors.Is(err, ErrNotExist):
			// Removed since, as a newer build prunes an older one: its
			// sidecar goes next.
			return nil
		case !errors.As(err, &me):
			return err
		}
		if cur, err := readSidecar(ctx, st, key+SidecarExt); err == nil && st.Verify(ctx, key, cur.Size, cur.SHA256) == nil {
			log.Warn("another job published this file after this one, with other bytes; the store keeps its", "key", key, "sha256", cur.SHA256, "built", sc.SHA256)
			return nil
		}
		if round == settleRounds {
			return fmt.Errorf("store: publish: %s: replaced with other bytes (sha256 %s) %d times before its sidecar could describe it, want sha256 %s: another job keeps publishing this file; run again once it is done",
				st.Location(key), me.GotSHA256, round+1, sc.SHA256)
		}
		log.Warn("another job replaced this file before its sidecar was written; putting it back", "key", key, "found", me.GotSHA256, "built", sc.SHA256)
		if err := put(ctx, st, key, src, po); err != nil {
			return err
		}
		if err := st.PutBytes(ctx, key+SidecarExt, sc.Marshal(), sidecarOptions); err != nil {
			return err
		}
	}
}

// put uploads the file at src and puts it in place over what is at key.
func put(ctx context.Context, st Store, key, src string, po PutOptions) error {
	up, err := st.Upload(ctx, key, src, po)
	if err != nil {
		return err
	}
	if err := up.Place(ctx); err != nil {
		_ = up.Discard(ctx)
		return err
	}
	return nil
}
