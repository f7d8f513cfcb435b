package archive

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"sync"
	"time"

	"github.com/klauspost/compress/flate"
)

// zipped is one file deflated ahead of writing. data is nil when deflate
// did not make the file smaller: it is then stored, read again at write
// time, so incompressible binaries are not held in memory twice.
type zipped struct {
	data *bytes.Buffer
	crc  uint32
	err  error
}

// writeZip deflates files in parallel, up to o.Concurrency at a time, and
// writes them in sorted order. Headers carry only the MS-DOS time (no
// extended-timestamp extra field), Unix modes, and no data descriptors, so
// the bytes depend on the files and o alone. Memory is bounded by
// o.Concurrency compressed files.
func writeZip(parent context.Context, w io.Writer, items []item, o Options) error {
	ctx, cancel := context.WithCancel(parent)
	results := make([]chan zipped, len(items))
	for i := range results {
		results[i] = make(chan zipped, 1)
	}
	sem := make(chan struct{}, o.Concurrency)
	pool := sync.Pool{New: func() any {
		fw, _ := flate.NewWriter(nil, o.Level) // level checked by Create
		return fw
	}}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i, it := range items {
			if it.dir {
				continue
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] <- deflateFile(ctx, it, &pool)
			}()
		}
	}()
	defer func() {
		cancel()
		wg.Wait() // no worker outlives the call
	}()

	date, clock := dosTime(o.Mtime)
	zw := zip.NewWriter(w)
	buf := make([]byte, 256<<10)
	for i, it := range items {
		// The derived ctx learns of a cancellation asynchronously; asking
		// the caller's keeps a cancelled Create from finishing its work.
		if err := parent.Err(); err != nil {
			return err
		}
		fh := &zip.FileHeader{Name: it.name, ModifiedDate: date, ModifiedTime: clock}
		if it.dir {
			fh.Name += "/"
			fh.SetMode(fs.ModeDir | it.mode)
			if _, err := zw.CreateRaw(fh); err != nil {
				return fmt.Errorf("archive: %s: %w", it.name, err)
			}
			continue
		}
		var z zipped
		select {
		case z = <-results[i]:
		case <-ctx.Done():
			return ctx.Err()
		}
		if z.err != nil {
			return z.err
		}
		fh.SetMode(it.mode)
		fh.CRC32 = z.crc
		fh.UncompressedSize64 = uint64(it.size)
		if z.data != nil {
			fh.Method = zip.Deflate
			fh.CompressedSize64 = uint64(z.data.Len())
		} else {
			fh.Method = zip.Store
			fh.CompressedSize64 = uint64(it.size)
		}
		fw, err := zw.CreateRaw(fh)
		if err != nil {
			return fmt.Errorf("archive: %s: %w", it.name, err)
		}
		if z.data != nil {
			_, err = fw.Write(z.data.Bytes())
		} else {
			crc := crc32.NewIEEE()
			err = copyFile(ctx, io.MultiWriter(fw, crc), it, buf)
			if err == nil && crc.Sum32() != z.crc {
				err = fmt.Errorf("archive: %s: file changed while packing", it.source)
			}
		}
		if err != nil {
			return err
		}
		<-sem
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	return nil
}

func deflateFile(ctx context.Context, it item, pool *sync.Pool) zipped {
	fw := pool.Get().(*flate.Writer)
	defer pool.Put(fw)
	data := bytes.NewBuffer(make([]byte, 0, it.size/2+512))
	fw.Reset(data)
	crc := crc32.NewIEEE()
	if err := copyFile(ctx, io.MultiWriter(fw, crc), it, make([]byte, 256<<10)); err != nil {
		return zipped{err: err}
	}
	if err := fw.Close(); err != nil {
		return zipped{err: fmt.Errorf("archive: %s: %w", it.name, err)}
	}
	if int64(data.Len()) >= it.size {
		data = nil
	}
	return zipped{data: data, crc: crc.Sum32()}
}

// dosTime encodes t (as UTC) in the MS-DOS date and time zip headers carry,
// clamped to the range they can hold (1980-2107, two-second steps).
func dosTime(t time.Time) (date, clock uint16) {
	t = t.UTC()
	if t.Year() < 1980 {
		t = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if t.Year() > 2107 {
		t = time.Date(2107, 12, 31, 23, 59, 58, 0, time.UTC)
	}
	date = uint16(t.Day() + int(t.Month())<<5 + (t.Year()-1980)<<9)
	clock = uint16(t.Second()/2 + t.Minute()<<5 + t.Hour()<<11)
	return date, clock
}
