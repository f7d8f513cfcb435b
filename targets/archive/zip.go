package archive

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/klauspost/compress/flate"
)

// zipped is one file deflated ahead of writing. data is nil when deflate
// did not make the file smaller: it is then stored, read again at write
// time, so incompressible binaries are not held in memory twice.
type zipped struct {
	data  *bytes.Buffer
	spill *os.File // the deflated bytes of a large file, instead of data
	size  int64    // deflated size, when spilled
	crc   uint32
	err   error
}

// spillOver is the size above which a file is deflated into a temporary
// file rather than memory: frozen binaries can be gigabytes, and memory
// must not grow with them.
const spillOver = 4 << 20

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
		// Results never written (an error or a cancellation came first)
		// may hold temporary files.
		for _, ch := range results {
			select {
			case z := <-ch:
				closeSpill(z.spill)
			default:
			}
		}
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
		switch {
		case z.spill != nil:
			fh.Method = zip.Deflate
			fh.CompressedSize64 = uint64(z.size)
		case z.data != nil:
			fh.Method = zip.Deflate
			fh.CompressedSize64 = uint64(z.data.Len())
		default:
			fh.Method = zip.Store
			fh.CompressedSize64 = uint64(it.size)
		}
		fw, err := zw.CreateRaw(fh)
		if err != nil {
			return fmt.Errorf("archive: %s: %w", it.name, err)
		}
		switch {
		case z.spill != nil:
			_, err = z.spill.Seek(0, io.SeekStart)
			if err == nil {
				_, err = io.CopyBuffer(fw, z.spill, buf)
			}
			closeSpill(z.spill)
		case z.data != nil:
			_, err = fw.Write(z.data.Bytes())
		default:
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
	var data *bytes.Buffer
	var spill *os.File
	var out io.Writer
	if it.size > spillOver {
		f, err := os.CreateTemp("", "pyrelease-zip-")
		if err != nil {
			return zipped{err: fmt.Errorf("archive: %s: %w", it.name, err)}
		}
		spill, out = f, f
	} else {
		data = bytes.NewBuffer(make([]byte, 0, it.size/2+512))
		out = data
	}
	fw.Reset(out)
	crc := crc32.NewIEEE()
	err := copyFile(ctx, io.MultiWriter(fw, crc), it, make([]byte, 256<<10))
	if err == nil {
		if err = fw.Close(); err != nil {
			err = fmt.Errorf("archive: %s: %w", it.name, err)
		}
	}
	if err != nil {
		closeSpill(spill)
		return zipped{err: err}
	}
	if spill != nil {
		size, err := spill.Seek(0, io.SeekCurrent)
		if err != nil || size >= it.size {
			closeSpill(spill)
			return zipped{crc: crc.Sum32(), err: wrapSeek(it, err)}
		}
		return zipped{spill: spill, size: size, crc: crc.Sum32()}
	}
	if int64(data.Len()) >= it.size {
		data = nil
	}
	return zipped{data: data, crc: crc.Sum32()}
}

func wrapSeek(it item, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("archive: %s: %w", it.name, err)
}

// closeSpill removes a temporary file of deflated bytes.
func closeSpill(f *os.File) {
	if f != nil {
		f.Close()
		os.Remove(f.Name())
	}
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
