package pypi

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	pkgInfo := strings.Replace(setuptoolsMetadata, "Metadata-Version: 2.1", "Metadata-Version: 2.2", 1)
	zipSdist := filepath.Join(dir, "Greet_Tool-1.0.0.zip")
	writeZip(t, zipSdist, map[string]string{
		"Greet_Tool-1.0.0/PKG-INFO": pkgInfo,
		"Greet_Tool-1.0.0/setup.py": "",
	})
	tests := map[string]struct {
		path      string
		filetype  string
		pyversion string
		metaVer   string
	}{
		"wheel": {
			path:     writeWheel(t, dir, "Greet_Tool-1.0.0-py3-none-any.whl", setuptoolsMetadata),
			filetype: FiletypeWheel, pyversion: "py3", metaVer: "2.1",
		},
		"wheel with two python tags and a build tag": {
			path:     writeWheel(t, dir, "Greet_Tool-1.0.0-1-py2.py3-none-any.whl", setuptoolsMetadata),
			filetype: FiletypeWheel, pyversion: "py2.py3", metaVer: "2.1",
		},
		"tar.gz sdist": {
			path:     writeSdist(t, dir, "greet_tool-1.0.0.tar.gz", pkgInfo),
			filetype: FiletypeSdist, pyversion: "source", metaVer: "2.2",
		},
		"zip sdist": {path: zipSdist, filetype: FiletypeSdist, pyversion: "source", metaVer: "2.2"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			f, err := ReadFile(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			if f.Filetype != tc.filetype || f.Pyversion != tc.pyversion || f.Name != filepath.Base(tc.path) {
				t.Errorf("got filetype %q pyversion %q name %q, want %q %q %q", f.Filetype, f.Pyversion, f.Name, tc.filetype, tc.pyversion, filepath.Base(tc.path))
			}
			if f.Project() != "Greet_Tool" || f.Version() != "1.0.0" || f.first("metadata_version") != tc.metaVer {
				t.Errorf("project %q version %q metadata %q", f.Project(), f.Version(), f.first("metadata_version"))
			}
			data, _ := os.ReadFile(tc.path)
			if f.Size != int64(len(data)) || len(f.SHA256) != 64 || len(f.BLAKE2b256) != 64 || len(f.MD5) != 32 {
				t.Errorf("size %d (file %d), digests %q %q %q", f.Size, len(data), f.SHA256, f.BLAKE2b256, f.MD5)
			}
			want := wantSetuptoolsFields[2:] // without :action and protocol_version
			got := append([]Field(nil), f.Metadata...)
			for i := range got {
				if got[i].Name == "name" {
					got[i].Value = safeName(got[i].Value)
				}
				if got[i].Name == "metadata_version" {
					got[i].Value = "2.1"
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("metadata\n got %q\nwant %q", got, want)
			}
		})
	}
}

func TestHashKnownVectors(t *testing.T) {
	p := filepath.Join(t.TempDir(), "abc")
	if err := os.WriteFile(p, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := File{Path: p}
	if err := f.hash(); err != nil {
		t.Fatal(err)
	}
	want := File{
		Path: p, Size: 3,
		SHA256:     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		BLAKE2b256: "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319",
		MD5:        "900150983cd24fb0d6963f7d28e17f72",
	}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("got %+v, want %+v", f, want)
	}
}

func TestReadFileErrors(t *testing.T) {
	dir := t.TempDir()
	noMeta := filepath.Join(dir, "x-1.0-py3-none-any.whl")
	writeZip(t, noMeta, map[string]string{"x/__init__.py": ""})
	twoRoots := filepath.Join(dir, "x-1.0.tar.gz")
	writeTarGz(t, twoRoots, []tarEntry{{name: "x-1.0/PKG-INFO", body: "Metadata-Version: 2.1\nName: x\nVersion: 1.0\n"}, {name: "other/file", body: ""}})
	noVersion := writeWheel(t, dir, "y-1.0-py3-none-any.whl", "Metadata-Version: 2.1\nName: y\n")
	notZip := filepath.Join(dir, "z-1.0-py3-none-any.whl")
	os.WriteFile(notZip, []byte("not a zip"), 0o644)
	badName := filepath.Join(dir, "z-1.0.exe")
	os.WriteFile(badName, []byte("MZ"), 0o644)
	tests := map[string]struct {
		path, want string
	}{
		"no METADATA":         {path: noMeta, want: "no .dist-info/METADATA"},
		"two top-level dirs":  {path: twoRoots, want: "more than one top-level entry"},
		"no version":          {path: noVersion, want: "has no version"},
		"not a zip":           {path: notZip, want: "not a zip archive"},
		"unknown file suffix": {path: badName, want: "neither .whl, .tar.gz nor .zip"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ReadFile(tc.path)
			if !errors.Is(err, ErrDistribution) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.path) {
				t.Errorf("err = %v, want ErrDistribution naming %s and saying %q", err, tc.path, tc.want)
			}
		})
	}
	if _, err := ReadFile(filepath.Join(dir, "missing-1.0.tar.gz")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: err = %v, want ErrNotExist", err)
	}
}

func TestParseMetadata(t *testing.T) {
	tests := map[string]struct {
		in   string
		want []Field
	}{
		"folded header keeps its line breaks": {
			in:   "Metadata-Version: 1.1\nName: a\nVersion: 1\nDescription: first\n        |second\n  third\n",
			want: []Field{{"metadata_version", "1.1"}, {"name", "a"}, {"version", "1"}, {"description", "first\n        |second\n  third"}},
		},
		"body wins over the Description header": {
			in:   "Metadata-Version: 2.1\nName: a\nVersion: 1\nDescription: header\n\nbody\n",
			want: []Field{{"metadata_version", "2.1"}, {"name", "a"}, {"version", "1"}, {"description", "body\n"}},
		},
		"CRLF line ends": {
			in:   "Metadata-Version: 2.1\r\nName: a\r\nVersion: 1\r\nClassifier: X\r\nClassifier: Y\r\n\r\nbody\r\n",
			want: []Field{{"metadata_version", "2.1"}, {"name", "a"}, {"version", "1"}, {"classifiers", "X"}, {"classifiers", "Y"}, {"description", "body\r\n"}},
		},
		"unknown and nameless headers dropped, case ignored": {
			in:   "metadata-version: 2.1\nNAME: a\nX-Custom: 1\n: nameless\nversion:1\nrequires-DIST: b\n",
			want: []Field{{"metadata_version", "2.1"}, {"name", "a"}, {"version", "1"}, {"requires_dist", "b"}},
		},
		"License-File kept from 2.4 on": {
			in:   "Metadata-Version: 2.4\nName: a\nVersion: 1\nLicense-Expression: MIT\nLicense-File: LICENSE\nLicense-File: NOTICE\nDynamic: Requires-Dist\n",
			want: []Field{{"metadata_version", "2.4"}, {"name", "a"}, {"version", "1"}, {"license_expression", "MIT"}, {"license_file", "LICENSE"}, {"license_file", "NOTICE"}, {"dynamic", "Requires-Dist"}},
		},
		"a line that is not a header starts the body": {
			in:   "Metadata-Version: 2.1\nName: a\nVersion: 1\nthis is text\nName: b\n",
			want: []Field{{"metadata_version", "2.1"}, {"name", "a"}, {"version", "1"}, {"description", "this is text\nName: b\n"}},
		},
		"trailing spaces of a value kept, leading dropped": {
			in:   "Metadata-Version: 2.1\nName:   a  \nVersion:\t1\n",
			want: []Field{{"metadata_version", "2.1"}, {"name", "a  "}, {"version", "1"}},
		},
		"UTF-8 values": {
			in:   "Metadata-Version: 2.1\nName: a\nVersion: 1\nAuthor: Jürgen Grüße\n\nÜber\n",
			want: []Field{{"metadata_version", "2.1"}, {"name", "a"}, {"version", "1"}, {"author", "Jürgen Grüße"}, {"description", "Über\n"}},
		},
		"mbox From line skipped": {
			in:   "From someone\nMetadata-Version: 2.1\nName: a\nVersion: 1\n",
			want: []Field{{"metadata_version", "2.1"}, {"name", "a"}, {"version", "1"}},
		},
		"empty body": {
			in:   "Metadata-Version: 2.1\nName: a\nVersion: 1\n\n",
			want: []Field{{"metadata_version", "2.1"}, {"name", "a"}, {"version", "1"}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := parseMetadata([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("\n got %q\nwant %q", got, tc.want)
			}
		})
	}
	if _, err := parseMetadata([]byte("Name: \xff\n")); !errors.Is(err, ErrDistribution) {
		t.Errorf("invalid UTF-8: err = %v, want ErrDistribution", err)
	}
}

func TestWheelPyversion(t *testing.T) {
	tests := map[string]string{
		"greet-1.0-py3-none-any.whl":                           "py3",
		"greet-1.0-cp311-cp311-manylinux_2_17_x86_64.whl":      "cp311",
		"greet-1.0-py2.py3-none-any.whl":                       "py2.py3",
		"greet-1.0-2-cp39-abi3-win_amd64.whl":                  "cp39",
		"not_a_wheel_name.whl":                                 "any",
		"greet_tool-1.0.0.post1-1b-py3-none-macosx_11_0_x.whl": "py3",
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			if got := wheelPyversion(name); got != want {
				t.Errorf("wheelPyversion(%q) = %q, want %q", name, got, want)
			}
		})
	}
}

func TestSortForUpload(t *testing.T) {
	in := []File{
		{Name: "a-1.tar.gz", Filetype: FiletypeSdist},
		{Name: "a-1-cp311-x.whl", Filetype: FiletypeWheel},
		{Name: "b-1.zip", Filetype: FiletypeSdist},
		{Name: "a-1-cp310-x.whl", Filetype: FiletypeWheel},
	}
	got := SortForUpload(in)
	var names []string
	for _, f := range got {
		names = append(names, f.Name)
	}
	want := []string{"a-1-cp311-x.whl", "a-1-cp310-x.whl", "a-1.tar.gz", "b-1.zip"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("got %v, want %v", names, want)
	}
	if in[0].Name != "a-1.tar.gz" {
		t.Error("SortForUpload changed its argument")
	}
}

func TestSafeName(t *testing.T) {
	tests := map[string]string{
		"Greet_Tool":     "Greet-Tool",
		"zope.interface": "zope.interface",
		"a__b--c  d":     "a-b-c-d",
		"plain":          "plain",
	}
	for in, want := range tests {
		if got := safeName(in); got != want {
			t.Errorf("safeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseMetadata(f *testing.F) {
	f.Add([]byte(setuptoolsMetadata))
	f.Add([]byte("Metadata-Version: 2.4\r\nName: a\r\n  folded\r\nLicense-File: x\r\n\r\nbody"))
	f.Add([]byte(": x\n\tcont\nName\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fields, err := parseMetadata(data)
		if err != nil {
			return
		}
		for _, fl := range fields {
			if fl.Name == "" || strings.ContainsAny(fl.Name, "-: ") {
				t.Errorf("field name %q is not a form name", fl.Name)
			}
			if fl.Name != "description" && strings.HasSuffix(fl.Value, "\n") {
				t.Errorf("header value %q ends in a line break", fl.Value)
			}
		}
	})
}
