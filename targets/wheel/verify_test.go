package wheel

import (
	"archive/tar"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// verifyCase is a distribution derived from a good one with one thing
// broken, and every problem Verify must report for it (substrings of
// Problem.Error, in order). No problems means the file must pass.
type verifyCase struct {
	Path string
	Want []string
	// TwineMisses says why twine check passes a file we refuse.
	TwineMisses string
}

// verifyCases builds the good wheel and sdist and derives the broken ones.
func verifyCases(t *testing.T) map[string]verifyCase {
	t.Helper()
	whl, sdist := verifyGoodDists(t)
	dir := t.TempDir()
	const (
		wname  = "greet-1.0-py3-none-any.whl"
		record = "wheel: " + wname + ": greet-1.0.dist-info/RECORD: "
		meta   = "wheel: " + wname + ": greet-1.0.dist-info/METADATA: "
		sname  = "greet-1.0.tar.gz"
		pkg    = "wheel: " + sname + ": greet-1.0/PKG-INFO: "
		notRec = "twine check reads only the metadata; it never opens RECORD"
	)
	cases := map[string]verifyCase{
		"good wheel": {Path: whl},
		"good sdist": {Path: sdist},
	}
	wheelCase := func(name string, edit func([]verifyMember) []verifyMember, c verifyCase) {
		sub := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		mkdir(t, sub)
		c.Path = filepath.Join(sub, wname)
		writeWheelMembers(t, c.Path, edit(readWheelMembers(t, whl)))
		cases[name] = c
	}
	sdistCase := func(name string, edit func([]verifyMember) []verifyMember, c verifyCase) {
		sub := filepath.Join(dir, strings.ReplaceAll(name, " ", "_"))
		mkdir(t, sub)
		c.Path = filepath.Join(sub, sname)
		writeSdistMembers(t, c.Path, edit(readSdistMembers(t, sdist)))
		cases[name] = c
	}
	add := func(ms []verifyMember, m verifyMember) []verifyMember { return append(ms, m) }

	wheelCase("wheel rewritten unchanged", func(ms []verifyMember) []verifyMember { return ms }, verifyCase{})
	wheelCase("bad RECORD hash", func(ms []verifyMember) []verifyMember {
		return editMember(t, ms, "greet/cli.py", "hello", "HELLO")
	}, verifyCase{TwineMisses: notRec, Want: []string{record + "greet/cli.py: sha256 is dnjUf1uuhChWFIRjEuUk5QoUQWc8-_gBwZIUQUEfFMA; the file's is "}})
	wheelCase("missing RECORD entry", func(ms []verifyMember) []verifyMember {
		return add(ms, verifyMember{Name: "greet/extra.py", Data: []byte("x = 1\n")})
	}, verifyCase{TwineMisses: notRec, Want: []string{record + "greet/extra.py: in the wheel but not listed; expected a row greet/extra.py,sha256="}})
	wheelCase("extra RECORD entry", func(ms []verifyMember) []verifyMember {
		return editMember(t, ms, "RECORD", "greet-1.0.dist-info/RECORD,,", "greet/ghost.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\ngreet-1.0.dist-info/RECORD,,")
	}, verifyCase{TwineMisses: notRec, Want: []string{record + "greet/ghost.py: listed but not in the wheel"}})
	wheelCase("name mismatch", func(ms []verifyMember) []verifyMember {
		return rewriteRecord(editMember(t, ms, "METADATA", "Name: greet", "Name: other"))
	}, verifyCase{TwineMisses: "twine check does not compare the metadata with the file name",
		Want: []string{meta + `Name is "other" but the file name says "greet"; expected other-...`,
			"wheel: " + wname + `: greet-1.0.dist-info/: directory does not match METADATA's Name "other" and Version "1.0"`}})
	wheelCase("dotdot entry", func(ms []verifyMember) []verifyMember {
		return rewriteRecord(add(ms, verifyMember{Name: "greet/../../evil.py", Data: []byte("x")}))
	}, verifyCase{TwineMisses: notRec, Want: []string{"wheel: " + wname + `: greet/../../evil.py: path has a ".." segment`, record + `greet/../../evil.py: path has a ".." segment`}})
	wheelCase("absolute entry", func(ms []verifyMember) []verifyMember {
		return rewriteRecord(add(ms, verifyMember{Name: "/tmp/evil.py", Data: []byte("x")}))
	}, verifyCase{TwineMisses: notRec, Want: []string{"wheel: " + wname + ": /tmp/evil.py: absolute path", record + "/tmp/evil.py: absolute path"}})
	wheelCase("backslash entry", func(ms []verifyMember) []verifyMember {
		return rewriteRecord(add(ms, verifyMember{Name: `greet\evil.py`, Data: []byte("x")}))
	}, verifyCase{TwineMisses: notRec, Want: []string{"wheel: " + wname + `: greet\evil.py: path contains a backslash`, record + `greet\evil.py: path contains a backslash`}})
	wheelCase("duplicate entry", func(ms []verifyMember) []verifyMember {
		return add(ms, verifyMember{Name: "greet/cli.py", Data: []byte("evil()\n")})
	}, verifyCase{TwineMisses: notRec, Want: []string{"wheel: " + wname + ": greet/cli.py: duplicate zip entry"}})
	wheelCase("duplicate RECORD row", func(ms []verifyMember) []verifyMember {
		return editMember(t, ms, "RECORD", "greet-1.0.dist-info/RECORD,,", "greet/__init__.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\ngreet-1.0.dist-info/RECORD,,")
	}, verifyCase{TwineMisses: notRec, Want: []string{record + "greet/__init__.py: listed more than once"}})
	wheelCase("missing Metadata-Version", func(ms []verifyMember) []verifyMember {
		return rewriteRecord(editMember(t, ms, "METADATA", "Metadata-Version: 2.1\n", ""))
	}, verifyCase{Want: []string{meta + "Metadata-Version: missing; expected one of 1.0, 1.1, 1.2, 2.1, 2.2, 2.3, 2.4, 2.5"}})
	wheelCase("invalid version", func(ms []verifyMember) []verifyMember {
		return rewriteRecord(editMember(t, ms, "METADATA", "Version: 1.0\n", "Version: 1.0-banana\n"))
	}, verifyCase{TwineMisses: "twine check does not validate the version",
		Want: []string{meta + `Version: "1.0-banana" is not a valid PEP 440 version`,
			meta + `Version is "1.0-banana" but the file name says "1.0"`,
			"greet-1.0.dist-info/: directory does not match"}})
	wheelCase("unknown Description-Content-Type", func(ms []verifyMember) []verifyMember {
		return rewriteRecord(editMember(t, ms, "METADATA", "text/markdown", "text/html"))
	}, verifyCase{TwineMisses: "twine renders an unknown content type as reStructuredText; PyPI refuses it",
		Want: []string{meta + `Description-Content-Type: "text/html" is not a type an index renders`}})
	wheelCase("WHEEL version 2", func(ms []verifyMember) []verifyMember {
		return rewriteRecord(editMember(t, ms, "WHEEL", "Wheel-Version: 1.0", "Wheel-Version: 2.0"))
	}, verifyCase{TwineMisses: "twine check does not read WHEEL",
		Want: []string{"wheel: " + wname + `: greet-1.0.dist-info/WHEEL: Wheel-Version is "2.0"; expected 1.x`}})
	wheelCase("WHEEL tag mismatch", func(ms []verifyMember) []verifyMember {
		return rewriteRecord(editMember(t, ms, "WHEEL", "Tag: py3-none-any", "Tag: cp311-cp311-linux_x86_64"))
	}, verifyCase{TwineMisses: "twine check does not read WHEEL",
		Want: []string{"WHEEL: Tag lines cp311-cp311-linux_x86_64 do not match the file name's tags py3-none-any"}})
	wheelCase("missing RECORD", func(ms []verifyMember) []verifyMember {
		return slices.DeleteFunc(ms, func(m verifyMember) bool { return strings.HasSuffix(m.Name, "RECORD") })
	}, verifyCase{TwineMisses: notRec, Want: []string{"wheel: " + wname + ": greet-1.0.dist-info/RECORD: missing"}})

	badName := filepath.Join(dir, "greet-1.0-py3-none.whl")
	copyFile(t, whl, badName, same)
	cases["bad file name"] = verifyCase{Path: badName, TwineMisses: "twine check does not validate file names",
		Want: []string{"wheel: greet-1.0-py3-none.whl: not a valid wheel file name: expected {name}-{version}(-{build})?-{python}-{abi}-{platform}.whl, found 4 dash-separated parts"}}
	mkdir(t, filepath.Join(dir, "trunc"))
	truncated := filepath.Join(dir, "trunc", wname)
	copyFile(t, whl, truncated, func(b []byte) []byte { return b[:len(b)*2/3] })
	cases["truncated zip"] = verifyCase{Path: truncated, Want: []string{"wheel: " + wname + ": not a readable zip archive: zip: not a valid zip file"}}

	sdistCase("sdist rewritten unchanged", func(ms []verifyMember) []verifyMember { return ms }, verifyCase{})
	sdistCase("sdist version mismatch", func(ms []verifyMember) []verifyMember {
		return editMember(t, ms, "greet-1.0/PKG-INFO", "Version: 1.0", "Version: 1.1")
	}, verifyCase{TwineMisses: "twine check does not compare the metadata with the file name",
		Want: []string{pkg + `Version is "1.1" but the file name says "1.0"`}})
	sdistCase("sdist dotdot member", func(ms []verifyMember) []verifyMember {
		return add(ms, verifyMember{Name: "greet-1.0/../evil.py", Data: []byte("x")})
	}, verifyCase{TwineMisses: "twine check reads only PKG-INFO", Want: []string{"wheel: " + sname + `: greet-1.0/../evil.py: path has a ".." segment`}})
	sdistCase("sdist symlink out", func(ms []verifyMember) []verifyMember {
		return add(ms, verifyMember{Name: "greet-1.0/passwd", Type: tar.TypeSymlink, Link: "../../etc/passwd"})
	}, verifyCase{TwineMisses: "twine check reads only PKG-INFO", Want: []string{"wheel: " + sname + `: greet-1.0/passwd: symbolic link to "../../etc/passwd" leads outside greet-1.0/`}})
	sdistCase("sdist device", func(ms []verifyMember) []verifyMember {
		return add(ms, verifyMember{Name: "greet-1.0/null", Type: tar.TypeChar})
	}, verifyCase{TwineMisses: "twine check reads only PKG-INFO", Want: []string{"wheel: " + sname + ": greet-1.0/null: device file"}})
	sdistCase("sdist second top-level", func(ms []verifyMember) []verifyMember {
		return add(ms, verifyMember{Name: "other-1.0/x.py", Data: []byte("x")})
	}, verifyCase{TwineMisses: "twine check reads only PKG-INFO", Want: []string{"wheel: " + sname + ": top-level entries other-1.0 besides greet-1.0/"}})
	sdistCase("sdist no PKG-INFO", func(ms []verifyMember) []verifyMember {
		return slices.DeleteFunc(ms, func(m verifyMember) bool { return m.Name == "greet-1.0/PKG-INFO" })
	}, verifyCase{TwineMisses: "twine (pkginfo) falls back to any PKG-INFO in the tree, here greet.egg-info's",
		Want: []string{pkg + "missing"}})
	legacy := filepath.Join(dir, "Greet-1.0.tar.gz")
	copyFile(t, sdist, legacy, same)
	cases["sdist legacy name"] = verifyCase{Path: legacy, TwineMisses: "twine check does not validate file names",
		Want: []string{`wheel: Greet-1.0.tar.gz: not a valid sdist file name: name "Greet": PEP 625 requires the escaped, lower-case name "greet"`,
			"top-level entries greet-1.0 besides Greet-1.0/", "Greet-1.0/PKG-INFO: missing"}}
	mkdir(t, filepath.Join(dir, "crc"))
	badCRC := filepath.Join(dir, "crc", sname)
	copyFile(t, sdist, badCRC, func(b []byte) []byte { b = slices.Clone(b); b[len(b)-6] ^= 0xff; return b })
	cases["sdist gzip CRC"] = verifyCase{Path: badCRC, TwineMisses: "twine check stops reading at PKG-INFO",
		Want: []string{"wheel: " + sname + ": not a readable gzip stream: gzip: invalid checksum"}}
	return cases
}

func TestVerify(t *testing.T) {
	for name, c := range verifyCases(t) {
		t.Run(name, func(t *testing.T) {
			info, err := Verify(context.Background(), c.Path, VerifyOptions{})
			got := problemTexts(err)
			if err != nil && got == nil {
				t.Fatalf("Verify: %v", err)
			}
			if len(got) != len(c.Want) {
				t.Fatalf("Verify gave %d problems:\n%s\nwant %d:\n%s", len(got), strings.Join(got, "\n"), len(c.Want), strings.Join(c.Want, "\n"))
			}
			for i, w := range c.Want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d = %q; want it to contain %q", i, got[i], w)
				}
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Errorf("error does not wrap ErrInvalid: %v", err)
			}
			if info == nil || info.Size == 0 || len(info.SHA256) != 64 {
				t.Errorf("Info = %+v; want size and digest", info)
			}
		})
	}
}

func TestVerifyGoodInfo(t *testing.T) {
	whl, sdist := verifyGoodDists(t)
	ctx := context.Background()
	info, err := VerifyWheel(ctx, whl, VerifyOptions{ExpectName: "Greet", ExpectVersion: "1.0.0"[:3]})
	if err != nil {
		t.Fatal(err)
	}
	if info.Kind != KindWheel || info.Name != "greet" || info.Version != "1.0" || !slices.Equal(info.Tags, []string{"py3-none-any"}) ||
		info.Metadata.Get("Summary") != "Say hello" || len(info.Warnings) != 0 {
		t.Errorf("wheel Info = %+v", info)
	}
	info, err = VerifySdist(ctx, sdist, VerifyOptions{ExpectName: "greet", ExpectVersion: "v1.0"})
	if err != nil {
		t.Fatal(err)
	}
	if info.Kind != KindSdist || info.Name != "greet" || info.Version != "1.0" || info.Tags != nil || info.Metadata == nil {
		t.Errorf("sdist Info = %+v", info)
	}
}

func TestVerifyExpectations(t *testing.T) {
	whl, _ := verifyGoodDists(t)
	tests := map[string]struct {
		opts VerifyOptions
		want string
	}{
		"other version":   {opts: VerifyOptions{ExpectVersion: "1.1"}, want: `: version is "1.0"; expected "1.1"`},
		"other name":      {opts: VerifyOptions{ExpectName: "hello"}, want: `: distribution name is "greet"; expected "hello"`},
		"invalid version": {opts: VerifyOptions{ExpectVersion: "one"}, want: `expected version "one" is not a valid PEP 440 version`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Verify(context.Background(), whl, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Verify error = %v; want one containing %q", err, tc.want)
			}
		})
	}
}

func TestVerifyNotADistribution(t *testing.T) {
	ctx := context.Background()
	if _, err := Verify(ctx, "greet-1.0.egg", VerifyOptions{}); !errors.Is(err, ErrUnknownKind) {
		t.Errorf("Verify(.egg) = %v; want ErrUnknownKind", err)
	}
	if _, err := Verify(ctx, filepath.Join(t.TempDir(), "greet-1.0-py3-none-any.whl"), VerifyOptions{}); err == nil || errors.Is(err, ErrInvalid) {
		t.Errorf("Verify(missing file) = %v; want an I/O error", err)
	}
}

func TestVerifyCancelled(t *testing.T) {
	whl, _ := verifyGoodDists(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Verify(ctx, whl, VerifyOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Verify with a cancelled context = %v; want context.Canceled", err)
	}
}

func problemTexts(err error) []string {
	var ve *VerifyError
	if !errors.As(err, &ve) {
		return nil
	}
	out := make([]string, len(ve.Problems))
	for i, p := range ve.Problems {
		out[i] = p.Error()
	}
	return out
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := osMkdirAll(dir); err != nil {
		t.Fatal(err)
	}
}
