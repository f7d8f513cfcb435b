// Package binwheel writes a platform wheel around an executable (and any
// more beside it), the way tools written in compiled languages ship on
// Python package indexes: each program goes into
// {name}-{version}.data/scripts/, which installers copy to the
// environment's bin (Scripts on Windows) directory, so that `pip install`,
// `pipx run` and `uvx` put it on PATH without any Python code. The wheel carries no Python, so it is tagged py3-none-{platform}.
package binwheel

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	kflate "github.com/klauspost/compress/flate"

	"github.com/pyrelease/pyrelease/targets/pep440"
	"github.com/pyrelease/pyrelease/targets/wheel"
)

// ErrOptions is returned for Options that cannot make a wheel.
var ErrOptions = errors.New("binwheel: bad options")

// Options describe one wheel.
type Options struct {
	Name        string    // distribution name, as in METADATA
	Version     string    // PEP 440 version; written normalised
	Executable  string    // the program to wrap, on disk
	Script      string    // its installed name: "pyrelease", or "pyrelease.exe" for Windows
	More        []Program // more programs installed beside it
	Platform    string    // wheel platform tag, as Platform gives it
	Summary     string    // one line
	License     string    // the License field, optional
	Description string    // markdown long description, optional
	OutDir      string    // where the wheel is written
	// Mtime is every member's time; zero means 1980-01-01, where the zip
	// clock starts. A fixed time makes the wheel a function of its inputs.
	Mtime time.Time
}

// Program is one more executable a wheel installs, under its Script name.
type Program struct {
	Executable string
	Script     string
}

// Wheel is a written wheel.
type Wheel struct {
	Path   string
	Name   string   // file name
	Tags   []string // python-abi-platform, one per platform of a compressed tag set
	SHA256 string   // hex, of the whole file
	Size   int64
}

// validName is a project name as the core metadata specification allows.
var validName = regexp.MustCompile(`^(?i)[a-z0-9]([a-z0-9._-]*[a-z0-9])?$`)

// FileName is the wheel's file name: {name}-{version}-py3-none-{platform}.whl.
func FileName(name, version, platform string) string {
	return wheel.EscapeName(name) + "-" + version + "-py3-none-" + platform + ".whl"
}

// Tags are the tags of the wheel file's Tag lines: one per platform of a
// compressed tag set ("manylinux_2_17_x86_64.manylinux2014_x86_64").
func Tags(platform string) []string {
	var tags []string
	for _, p := range strings.Split(platform, ".") {
		tags = append(tags, "py3-none-"+p)
	}
	return tags
}

// Metadata is the METADATA file of o.
func Metadata(o Options) []byte {
	var b strings.Builder
	b.WriteString("Metadata-Version: 2.1\n")
	b.WriteString("Name: " + o.Name + "\n")
	b.WriteString("Version: " + o.Version + "\n")
	if o.Summary != "" {
		b.WriteString("Summary: " + o.Summary + "\n")
	}
	if o.License != "" {
		b.WriteString("License: " + o.License + "\n")
	}
	if o.Description != "" {
		b.WriteString("Description-Content-Type: text/markdown\n\n")
		b.WriteString(strings.TrimRight(o.Description, "\n") + "\n")
	}
	return []byte(b.String())
}

// WheelFile is the WHEEL file of a wheel for platform. Root-Is-Purelib is
// false: the wheel is for one platform, and what it installs is a program.
func WheelFile(platform string) []byte {
	var b strings.Builder
	b.WriteString("Wheel-Version: 1.0\nGenerator: pyrelease binwheel\nRoot-Is-Purelib: false\n")
	for _, t := range Tags(platform) {
		b.WriteString("Tag: " + t + "\n")
	}
	return []byte(b.String())
}

// RecordRow is one RECORD line: path, sha256= and the unpadded urlsafe
// base64 digest, size. Paths are plain: none of ours needs CSV quoting.
func RecordRow(path string, sum []byte, size int64) string {
	return path + ",sha256=" + base64.RawURLEncoding.EncodeToString(sum) + "," + strconv.FormatInt(size, 10) + "\n"
}

// check refuses options that would make a wheel an index or installer
// rejects, and returns the normalised version.
func (o Options) check() (string, error) {
	if !validName.MatchString(o.Name) {
		return "", fmt.Errorf("%w: name %q is not a valid project name", ErrOptions, o.Name)
	}
	v, err := pep440.Normalize(o.Version)
	if err != nil {
		return "", fmt.Errorf("%w: version %q: %v", ErrOptions, o.Version, err)
	}
	for _, p := range o.programs() {
		if p.Script == "" || strings.ContainsAny(p.Script, `/\`) {
			return "", fmt.Errorf("%w: script %q must be a plain file name", ErrOptions, p.Script)
		}
	}
	if o.Platform == "" || strings.ContainsAny(o.Platform, "-/ ") {
		return "", fmt.Errorf("%w: platform tag %q: expected a tag like win_amd64", ErrOptions, o.Platform)
	}
	if strings.Contains(o.Summary, "\n") {
		return "", fmt.Errorf("%w: summary must be one line", ErrOptions)
	}
	return v, nil
}

// Write writes the wheel o describes into o.OutDir. The file appears
// complete or not at all: it is written beside its final name and renamed.
func Write(ctx context.Context, o Options) (Wheel, error) {
	v, err := o.check()
	if err != nil {
		return Wheel{}, err
	}
	o.Version = v
	name := FileName(o.Name, o.Version, o.Platform)
	out := filepath.Join(o.OutDir, name)
	tmp, err := os.CreateTemp(o.OutDir, "."+name+".*")
	if err != nil {
		return Wheel{}, fmt.Errorf("binwheel: %w", err)
	}
	defer os.Remove(tmp.Name())
	sum := sha256.New()
	n, err := o.writeZip(ctx, io.MultiWriter(tmp, sum))
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), out)
	}
	if err != nil {
		return Wheel{}, fmt.Errorf("binwheel: %s: %w", out, err)
	}
	return Wheel{Path: out, Name: name, Tags: Tags(o.Platform), SHA256: fmt.Sprintf("%x", sum.Sum(nil)), Size: n}, nil
}

// countWriter counts what goes through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// writeZip writes the wheel's members, the script first and RECORD last,
// and returns the bytes written.
func (o Options) writeZip(ctx context.Context, w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	zw := zip.NewWriter(cw)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return kflate.NewWriter(w, 6)
	})
	stem := wheel.EscapeName(o.Name) + "-" + o.Version
	distInfo := stem + ".dist-info/"
	var record strings.Builder

	for _, p := range o.programs() {
		script := stem + ".data/scripts/" + p.Script
		f, err := os.Open(p.Executable)
		if err != nil {
			return 0, err // names the file
		}
		h := sha256.New()
		size, err := o.member(ctx, zw, script, 0o755, io.TeeReader(f, h))
		f.Close()
		if err != nil {
			return 0, fmt.Errorf("%s: %w", p.Executable, err)
		}
		record.WriteString(RecordRow(script, h.Sum(nil), size))
	}

	for _, m := range []struct {
		name string
		data []byte
	}{
		{name: distInfo + "METADATA", data: Metadata(o)},
		{name: distInfo + "WHEEL", data: WheelFile(o.Platform)},
	} {
		if _, err := o.member(ctx, zw, m.name, 0o644, strings.NewReader(string(m.data))); err != nil {
			return 0, err
		}
		record.WriteString(RecordRow(m.name, digest(sha256.New(), m.data), int64(len(m.data))))
	}
	record.WriteString(distInfo + "RECORD,,\n")
	if _, err := o.member(ctx, zw, distInfo+"RECORD", 0o644, strings.NewReader(record.String())); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return cw.n, nil
}

// programs are the wheel's executables, the main one first.
func (o Options) programs() []Program {
	return append([]Program{{Executable: o.Executable, Script: o.Script}}, o.More...)
}

// member adds one deflated file with mode and the wheel's fixed time.
func (o Options) member(ctx context.Context, zw *zip.Writer, name string, mode os.FileMode, r io.Reader) (int64, error) {
	fh := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: o.mtime()}
	fh.SetMode(mode)
	mw, err := zw.CreateHeader(fh)
	if err != nil {
		return 0, err
	}
	return io.Copy(mw, ctxReader{ctx: ctx, r: r})
}

func (o Options) mtime() time.Time {
	if o.Mtime.Before(time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)) {
		return time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return o.Mtime.UTC().Truncate(2 * time.Second)
}

func digest(h hash.Hash, data []byte) []byte {
	h.Write(data)
	return h.Sum(nil)
}

// ctxReader stops a long copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
