package wheel

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
)

// VerifySdist checks a source distribution: a PEP 625 file name; the gzip
// stream and tar archive read to the end (gzip's CRC and length checked);
// one top-level directory named like the file; PKG-INFO at its root with
// metadata an index accepts, whose name and version match the file name; no
// absolute or ".." paths, no links leading out of the tree and no device
// files or FIFOs (what PEP 706's "data" extraction filter refuses). A legacy
// .zip sdist is read with the same checks and rejected for its name.
func VerifySdist(ctx context.Context, path string, opts VerifyOptions) (*Info, error) {
	f, size, digest, err := openDist(ctx, path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c := &checker{file: baseName(path)}
	info := &Info{Path: path, Kind: KindSdist, Size: size, SHA256: digest}

	name, nameErr := ParseSdistName(c.file)
	stem := strings.TrimSuffix(strings.TrimSuffix(c.file, ".tar.gz"), ".zip")
	if nameErr != nil {
		var ne *NameError
		if errors.As(nameErr, &ne) {
			c.fail("", "not a valid sdist file name: %s", ne.Reason)
		}
	} else {
		info.Name, info.Version = name.Distribution, name.Version
		if n := nonNormalVersion(name.Version); n != "" {
			c.fail("", "version %q in the file name is not normalised; expected %q", name.Version, n)
		}
	}

	t := &treeCheck{checker: c, top: stem, seen: map[string]bool{}, tops: map[string]bool{}}
	if strings.HasSuffix(c.file, ".zip") {
		err = t.readZip(ctx, f, size)
	} else {
		err = t.readTarGz(ctx, f)
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("wheel: %s: %w", c.file, ctx.Err())
	}
	if err != nil {
		c.fail("", "%v", err)
		return c.finish(info, path, opts)
	}
	t.finishTree()
	if t.pkgInfo == nil {
		return c.finish(info, path, opts)
	}
	p := stem + "/PKG-INFO"
	md, err := ParseMetadata(t.pkgInfo)
	if err != nil {
		c.fail(p, "%s", strings.TrimPrefix(err.Error(), "wheel: metadata: "))
		return c.finish(info, path, opts)
	}
	info.Metadata = md
	c.metadata(p, md, "")
	if mdName, mdVersion := md.Get("Name"), md.Get("Version"); nameErr == nil && mdName != "" && mdVersion != "" {
		if EscapeName(mdName) != name.Distribution {
			c.fail(p, "Name is %q but the file name says %q; expected %s-...", mdName, name.Distribution, EscapeName(mdName))
		}
		if !sameVersion(mdVersion, name.Version) {
			c.fail(p, "Version is %q but the file name says %q", mdVersion, name.Version)
		}
	}
	return c.finish(info, path, opts)
}

// treeCheck checks the members of an sdist as they are read.
type treeCheck struct {
	*checker
	top     string // the directory every member must be in
	seen    map[string]bool
	tops    map[string]bool
	pkgInfo []byte
	project bool // pyproject.toml found at the root
}

func (t *treeCheck) readTarGz(ctx context.Context, f io.Reader) error {
	gz, err := gzip.NewReader(readerCtx{ctx, f})
	if err != nil {
		return fmt.Errorf("not a readable gzip stream: %w", err)
	}
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("not a readable tar archive: %w", err)
		}
		if err := t.member(hdr.Name, hdr.Typeflag, hdr.Linkname, tr); err != nil {
			return err
		}
	}
	// tar stops at its end marker; reading on to gzip's end is what makes
	// it verify the CRC and length in the trailer.
	if _, err := io.Copy(io.Discard, gz); err != nil {
		return fmt.Errorf("not a readable gzip stream: %w", err)
	}
	return nil
}

func (t *treeCheck) readZip(ctx context.Context, f io.ReaderAt, size int64) error {
	zr, err := zip.NewReader(f, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return fmt.Errorf("not a readable zip archive: %w", err)
	}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			return fmt.Errorf("%s: cannot be read: %w", zf.Name, err)
		}
		typ, link := byte(tar.TypeReg), ""
		switch mode := zf.Mode(); {
		case mode.IsDir():
			typ = tar.TypeDir
		case mode&fs.ModeSymlink != 0:
			typ = tar.TypeSymlink
			data, err := readSmall(readerCtx{ctx, rc})
			if err != nil {
				rc.Close()
				return fmt.Errorf("%s: cannot be read: %w", zf.Name, err)
			}
			link = string(data)
		case mode&(fs.ModeDevice|fs.ModeNamedPipe|fs.ModeSocket) != 0:
			typ = tar.TypeChar
		}
		err = t.member(zf.Name, typ, link, readerCtx{ctx, rc})
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// member checks one archive member and reads its data to the end; the
// returned error means the archive itself is unreadable.
func (t *treeCheck) member(name string, typ byte, link string, data io.Reader) error {
	clean := strings.TrimSuffix(name, "/")
	if t.seen[clean] && typ != tar.TypeDir {
		t.fail(name, "duplicate member; extracting would overwrite the first")
	}
	t.seen[clean] = true
	if reason := pathProblem(name); reason != "" {
		t.fail(name, "%s", reason)
	} else {
		top, rest, nested := strings.Cut(clean, "/")
		t.tops[top] = true
		if !nested && typ != tar.TypeDir {
			t.fail(name, "outside the top-level directory; expected every member under %s/", t.top)
		}
		if top == t.top && rest == "pyproject.toml" {
			t.project = true
		}
	}
	switch typ {
	case tar.TypeReg, tar.TypeRegA, tar.TypeDir, tar.TypeXGlobalHeader:
	case tar.TypeSymlink:
		if !t.inside(path.Join(path.Dir(clean), link)) || path.IsAbs(link) {
			t.fail(name, "symbolic link to %q leads outside %s/", link, t.top)
		}
	case tar.TypeLink:
		if pathProblem(link) != "" || !t.inside(path.Clean(link)) {
			t.fail(name, "hard link to %q leads outside %s/", link, t.top)
		}
	case tar.TypeChar, tar.TypeBlock:
		t.fail(name, "device file; an sdist holds regular files, directories and links")
	case tar.TypeFifo:
		t.fail(name, "FIFO; an sdist holds regular files, directories and links")
	default:
		t.fail(name, "unsupported tar member type %q; an sdist holds regular files, directories and links", typ)
	}
	if clean == t.top+"/PKG-INFO" && (typ == tar.TypeReg || typ == tar.TypeRegA) {
		b, err := readSmall(data)
		if err != nil {
			return fmt.Errorf("%s: cannot be read: %w", name, err)
		}
		t.pkgInfo = b
		return nil
	}
	if _, err := io.Copy(io.Discard, data); err != nil {
		return fmt.Errorf("%s: cannot be read to the end: %w", name, err)
	}
	return nil
}

// inside reports whether a cleaned archive path stays in the top directory.
func (t *treeCheck) inside(p string) bool {
	return p == t.top || strings.HasPrefix(p, t.top+"/")
}

func (t *treeCheck) finishTree() {
	delete(t.tops, t.top)
	if others := sortedKeys(t.tops); len(others) > 0 {
		t.fail("", "top-level entries %s besides %s/; expected a single top-level directory named like the file", strings.Join(others, ", "), t.top)
	}
	if t.pkgInfo == nil {
		t.fail(t.top+"/PKG-INFO", "missing; an sdist carries its metadata in PKG-INFO at the root of its directory")
	}
	if !t.project {
		t.warn(t.top+"/pyproject.toml", "missing; the sdist specification expects one, and pip falls back to setup.py")
	}
}
