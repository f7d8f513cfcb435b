package wheel

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/pyrelease/pyrelease/targets/config"
)

// dataSchemes are the subdirectories of {name}-{version}.data that pip
// knows where to install; it refuses a wheel with any other.
var dataSchemes = []string{"purelib", "platlib", "headers", "scripts", "data"}

// wheelVersionRE is the Wheel-Version this code (and pip) understands: any
// 1.x. A 2.x wheel must be refused by installers.
var wheelVersionRE = regexp.MustCompile(`^1\.[0-9]+$`)

// VerifyWheel checks a wheel: its file name; the zip read to the end with
// every member's CRC checked; one {name}-{version}.dist-info with METADATA,
// WHEEL and RECORD; WHEEL's Wheel-Version, Root-Is-Purelib, Tag and Build
// lines against the file name; METADATA as an index checks it, its name and
// version equal to the file name's and the directory's; RECORD listing every
// member but itself and its signatures, exactly once, with the right sha256
// and size; and no member path that an installer must refuse.
func VerifyWheel(ctx context.Context, path string, opts VerifyOptions) (*Info, error) {
	f, size, digest, err := openDist(ctx, path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c := &checker{file: baseName(path)}
	info := &Info{Path: path, Kind: KindWheel, Size: size, SHA256: digest}

	name, nameErr := ParseWheelName(c.file)
	if nameErr != nil {
		var ne *NameError
		if errors.As(nameErr, &ne) {
			c.fail("", "not a valid wheel file name: %s", ne.Reason)
		}
	} else {
		info.Name, info.Version, info.Tags = name.Distribution, name.Version, name.Tags()
		if n := nonNormalVersion(name.Version); n != "" {
			c.fail("", "version %q in the file name is not normalised; expected %q", name.Version, n)
		}
		if tag := LinuxTag(name); tag != "" && opts.ForIndex {
			c.fail("", "platform tag %s: PyPI refuses linux_* wheels, which name no glibc baseline and bundle none of the libraries they need; repair it into a manylinux wheel with auditwheel (mage wheel does unless repair = false; by hand: auditwheel repair -w dist/ %s)", tag, c.file)
		}
	}

	zr, err := zip.NewReader(f, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		c.fail("", "not a readable zip archive: %v", err)
		return c.finish(info, path, opts)
	}
	w := &wheelCheck{checker: c, zr: zr, ctx: ctx}
	if err := w.run(info, name, nameErr == nil); err != nil {
		return nil, err
	}
	return c.finish(info, path, opts)
}

// wheelCheck holds what one wheel's checks share.
type wheelCheck struct {
	*checker
	ctx      context.Context
	zr       *zip.Reader
	distInfo string // "greet-1.0.dist-info", once found
}

// run does the content checks; it returns an error only when the context
// ends.
func (w *wheelCheck) run(info *Info, name WheelName, nameOK bool) error {
	members := map[string]*zip.File{}
	distInfos := map[string]bool{}
	datas := map[string]bool{}
	for _, zf := range w.zr.File {
		if _, dup := members[zf.Name]; dup {
			w.fail(zf.Name, "duplicate zip entry; installers would keep only one of them")
			continue
		}
		members[zf.Name] = zf
		if reason := pathProblem(zf.Name); reason != "" {
			w.fail(zf.Name, "%s", reason)
			continue
		}
		top, _, nested := strings.Cut(zf.Name, "/")
		switch {
		case nested && strings.HasSuffix(top, ".dist-info"):
			distInfos[top] = true
		case nested && strings.HasSuffix(top, ".data"):
			datas[top] = true
			w.checkDataMember(zf.Name)
		}
	}
	switch dirs := sortedKeys(distInfos); len(dirs) {
	case 0:
		w.fail("", "no .dist-info directory; expected %s", expectedDir(name, nameOK, ".dist-info"))
		return w.readAll(nil)
	case 1:
		w.distInfo = dirs[0]
	default:
		w.fail("", "%d .dist-info directories (%s); expected exactly one", len(dirs), strings.Join(dirs, ", "))
		return w.readAll(nil)
	}
	dirName, dirVersion, _ := splitDirName(w.distInfo, ".dist-info")
	for _, d := range sortedKeys(datas) {
		if d != strings.TrimSuffix(w.distInfo, ".dist-info")+".data" {
			w.fail(d+"/", "data directory does not match %s; expected %s.data", w.distInfo, strings.TrimSuffix(w.distInfo, ".dist-info"))
		}
	}

	files := map[string][]byte{}
	for _, base := range []string{"METADATA", "WHEEL", "RECORD"} {
		p := w.distInfo + "/" + base
		zf, ok := members[p]
		if !ok {
			w.fail(p, "missing; every wheel's .dist-info holds METADATA, WHEEL and RECORD")
			continue
		}
		rc, err := zf.Open()
		if err == nil {
			files[base], err = readSmall(rc)
			rc.Close()
		}
		if err != nil {
			delete(files, base)
			w.fail(p, "cannot be read: %v", err)
		}
	}
	if data, ok := files["METADATA"]; ok {
		w.checkMetadataFile(info, data, name, nameOK, dirName, dirVersion)
	}
	info.TopLevel = topLevelNames(sortedKeys(members))
	if zf, ok := members[w.distInfo+"/entry_points.txt"]; ok {
		rc, err := zf.Open()
		var data []byte
		if err == nil {
			data, err = readSmall(rc)
			rc.Close()
		}
		if err != nil {
			w.fail(zf.Name, "cannot be read: %v", err)
		} else {
			groups := parseEntryPoints(data)
			info.Scripts = map[string]string{}
			for _, g := range []string{"gui_scripts", "console_scripts"} {
				for k, v := range groups[g] {
					info.Scripts[k] = v
				}
			}
		}
	}
	if data, ok := files["WHEEL"]; ok {
		w.checkWheelFile(data, name, nameOK)
	}
	var record map[string]recordEntry
	if data, ok := files["RECORD"]; ok {
		record = w.checkRecordFile(data)
	}
	return w.readAll(record)
}

func (w *wheelCheck) checkMetadataFile(info *Info, data []byte, name WheelName, nameOK bool, dirName, dirVersion string) {
	p := w.distInfo + "/METADATA"
	md, err := ParseMetadata(data)
	if err != nil {
		w.fail(p, "%s", strings.TrimPrefix(err.Error(), "wheel: metadata: "))
		return
	}
	info.Metadata = md
	// The wheel specification requires metadata 1.1 or later.
	w.metadata(p, md, "1.1")
	mdName, mdVersion := md.Get("Name"), md.Get("Version")
	if mdName == "" || mdVersion == "" {
		return
	}
	if nameOK {
		if config.NormalizeName(name.Distribution) != config.NormalizeName(mdName) {
			w.fail(p, "Name is %q but the file name says %q; expected %s-...", mdName, name.Distribution, EscapeName(mdName))
		}
		if !sameVersion(name.Version, mdVersion) {
			w.fail(p, "Version is %q but the file name says %q", mdVersion, name.Version)
		}
	}
	if config.NormalizeName(dirName) != config.NormalizeName(mdName) || !sameVersion(dirVersion, mdVersion) {
		w.fail(w.distInfo+"/", "directory does not match METADATA's Name %q and Version %q; expected %s-%s.dist-info",
			mdName, mdVersion, EscapeName(mdName), mdVersion)
	}
}

func (w *wheelCheck) checkWheelFile(data []byte, name WheelName, nameOK bool) {
	p := w.distInfo + "/WHEEL"
	wf, err := ParseMetadata(data)
	if err != nil {
		w.fail(p, "%s", strings.TrimPrefix(err.Error(), "wheel: metadata: "))
		return
	}
	if v := wf.Get("Wheel-Version"); !wheelVersionRE.MatchString(v) {
		w.fail(p, "Wheel-Version is %q; expected 1.x", v)
	}
	if v := wf.Get("Root-Is-Purelib"); v != "true" && v != "false" {
		w.fail(p, "Root-Is-Purelib is %q; expected true or false", v)
	}
	if !nameOK {
		return
	}
	if tags := wf.All("Tag"); len(tags) > 0 {
		got, want := slices.Sorted(slices.Values(tags)), slices.Sorted(slices.Values(name.Tags()))
		if !slices.Equal(slices.Compact(got), want) {
			w.fail(p, "Tag lines %s do not match the file name's tags %s", strings.Join(got, ", "), strings.Join(want, ", "))
		}
	}
	if b := wf.Get("Build"); b != name.Build {
		w.fail(p, "Build is %q but the file name's build tag is %q", b, name.Build)
	}
}

// checkRecordFile parses RECORD and reports bad rows and duplicates; it
// returns the rows by path.
func (w *wheelCheck) checkRecordFile(data []byte) map[string]recordEntry {
	p := w.distInfo + "/RECORD"
	entries, bad := parseRecord(data)
	for _, b := range bad {
		w.fail(p, "%s", b)
	}
	record := map[string]recordEntry{}
	for _, e := range entries {
		if _, dup := record[e.Path]; dup {
			w.fail(p, "%s: listed more than once", e.Path)
			continue
		}
		if reason := pathProblem(e.Path); reason != "" {
			w.fail(p, "%s: %s", e.Path, reason)
		}
		if e.Path == p && (e.Algo != "" || e.Size >= 0) {
			w.fail(p, "%s: RECORD cannot hash itself; expected empty hash and size", e.Path)
		}
		record[e.Path] = e
	}
	return record
}

// readAll reads every member to its end, which makes archive/zip check
// its CRC-32, and compares each with its RECORD row when record is given.
func (w *wheelCheck) readAll(record map[string]recordEntry) error {
	p := w.distInfo + "/RECORD"
	seen := map[string]bool{}
	for _, zf := range w.zr.File {
		if err := w.ctx.Err(); err != nil {
			return fmt.Errorf("wheel: %s: %w", w.file, err)
		}
		if seen[zf.Name] {
			continue // reported as a duplicate
		}
		seen[zf.Name] = true
		isDir := strings.HasSuffix(zf.Name, "/")
		e, listed := record[zf.Name]
		algo := "sha256"
		if listed && e.Algo != "" {
			algo = e.Algo
		}
		h := recordAlgos[algo]()
		n, err := copyMember(w.ctx, h, zf)
		if err != nil {
			w.fail(zf.Name, "cannot be read to the end: %v", err)
			continue
		}
		if record == nil || isDir || isRecordFile(zf.Name, w.distInfo) {
			continue
		}
		switch {
		case !listed:
			w.fail(p, "%s: in the wheel but not listed; expected a row %s,%s,%d", zf.Name, zf.Name, recordHash(algo, h.Sum(nil)), n)
		case e.Algo == "":
			w.fail(p, "%s: no hash; every file but RECORD needs one, expected %s", zf.Name, recordHash(algo, h.Sum(nil)))
		case !bytes.Equal(e.Digest, h.Sum(nil)):
			w.fail(p, "%s: %s is %s; the file's is %s", zf.Name, algo,
				strings.TrimPrefix(recordHash(algo, e.Digest), algo+"="), strings.TrimPrefix(recordHash(algo, h.Sum(nil)), algo+"="))
		}
		if listed && e.Size != n {
			if e.Size < 0 {
				w.fail(p, "%s: no size; expected %d", zf.Name, n)
			} else {
				w.fail(p, "%s: size is %d; the file's is %d", zf.Name, e.Size, n)
			}
		}
	}
	for _, path := range sortedKeys(record) {
		if !seen[path] && !isRecordFile(path, w.distInfo) {
			w.fail(p, "%s: listed but not in the wheel", path)
		}
	}
	return nil
}

// checkDataMember refuses .data subdirectories pip would refuse.
func (w *wheelCheck) checkDataMember(name string) {
	_, rest, _ := strings.Cut(name, "/")
	scheme, _, _ := strings.Cut(rest, "/")
	if scheme != "" && !slices.Contains(dataSchemes, scheme) {
		w.fail(name, "unknown .data scheme %q; expected one of %s", scheme, strings.Join(dataSchemes, ", "))
	}
}

func copyMember(ctx context.Context, dst io.Writer, zf *zip.File) (int64, error) {
	rc, err := zf.Open()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	return io.Copy(dst, readerCtx{ctx, rc})
}

// splitDirName splits "greet-1.0.dist-info" into name and version.
func splitDirName(dir, suffix string) (name, version string, ok bool) {
	stem := strings.TrimSuffix(dir, suffix)
	i := strings.LastIndex(stem, "-")
	if i < 0 {
		return stem, "", false
	}
	return stem[:i], stem[i+1:], true
}

func expectedDir(name WheelName, nameOK bool, suffix string) string {
	if !nameOK {
		return "{name}-{version}" + suffix
	}
	return name.Distribution + "-" + name.Version + suffix
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
