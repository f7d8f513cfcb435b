package store

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/pyrelease/pyrelease/targets/pep440"
)

const hashA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestParseLinks(t *testing.T) {
	type link struct{ URL, Name, SHA256 string }
	tests := map[string]struct {
		base string
		page string
		want []link
	}{
		"pep 503 simple page": {
			base: "https://index.test/simple/foo/",
			page: `<!DOCTYPE html><html><body><h1>Links for foo</h1>
<a href="../../packages/foo-1.0-py3-none-any.whl#sha256=` + strings.ToUpper(hashA) + `" data-requires-python="&gt;=3.8">foo-1.0-py3-none-any.whl</a><br/>
<a href="https://files.test/p/foo-1.0.tar.gz#md5=00&amp;sha256=` + hashA + `">foo-1.0.tar.gz</a>
</body></html>`,
			want: []link{
				{URL: "https://index.test/packages/foo-1.0-py3-none-any.whl#sha256=" + strings.ToUpper(hashA), Name: "foo-1.0-py3-none-any.whl", SHA256: hashA},
				{URL: "https://files.test/p/foo-1.0.tar.gz#md5=00&sha256=" + hashA, Name: "foo-1.0.tar.gz", SHA256: hashA},
			},
		},
		"base href": {
			base: "https://index.test/page.html",
			page: `<html><head><base href="/files/"><base href="/ignored/"></head><a href="x-1.0.zip">x</a></html>`,
			want: []link{{URL: "https://index.test/files/x-1.0.zip", Name: "x-1.0.zip"}},
		},
		"relative base href": {
			base: "https://index.test/a/b/index.html",
			page: `<base href="../c/"><a href="f-1.zip">`,
			want: []link{{URL: "https://index.test/a/c/f-1.zip", Name: "f-1.zip"}},
		},
		"duplicates dropped, first kept": {
			base: "http://h/",
			page: `<a href="f-1.zip">1</a><a href="f-1.zip#sha256=` + hashA + `">2</a><a href="./f-1.zip">3</a><a href="g-1.zip">4</a>`,
			want: []link{{URL: "http://h/f-1.zip", Name: "f-1.zip"}, {URL: "http://h/g-1.zip", Name: "g-1.zip"}},
		},
		"links that go nowhere": {
			base: "http://h/d/",
			page: `<a>no href</a><a href="">empty</a><a href="#top">top</a><a href="http://[::1">bad</a><a name="x" href=" f-1.zip ">spaced</a>`,
			want: []link{{URL: "http://h/d/f-1.zip", Name: "f-1.zip"}},
		},
		"directory link has no name": {
			base: "http://h/simple/",
			page: `<a href="foo/">foo</a>`,
			want: []link{{URL: "http://h/simple/foo/", Name: ""}},
		},
		"escaped names": {
			base: "http://h/",
			page: `<a href="my%20tool-1.0.zip">a</a><a href="evil%2F..%2Fx-1.0.zip">b</a>`,
			want: []link{{URL: "http://h/my%20tool-1.0.zip", Name: "my tool-1.0.zip"}, {URL: "http://h/evil%2F..%2Fx-1.0.zip", Name: "evil/../x-1.0.zip"}},
		},
		"malformed hash is no hash": {
			base: "http://h/",
			page: `<a href="f-1.zip#sha256=xyz">`,
			want: []link{{URL: "http://h/f-1.zip#sha256=xyz", Name: "f-1.zip"}},
		},
		"upper-case tags and self-closing": {
			base: "file:///srv/wheels/index.html",
			page: `<A HREF="f-1.whl"/><link href="style.css"><img src="x.png">`,
			want: []link{{URL: "file:///srv/wheels/f-1.whl", Name: "f-1.whl"}},
		},
		"no links": {
			base: "http://h/",
			page: `<html><body>nothing here</body></html>`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			links, err := ParseLinks(mustURL(t, tc.base), strings.NewReader(tc.page))
			if err != nil {
				t.Fatal(err)
			}
			var got []link
			for _, l := range links {
				got = append(got, link{URL: l.URL.String(), Name: l.Name, SHA256: l.SHA256})
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestFileVersion(t *testing.T) {
	tests := map[string]struct {
		name             string
		project, version string
		ok               bool
	}{
		"wheel":                   {name: "foo-1.0-py3-none-any.whl", project: "foo", version: "1.0", ok: true},
		"wheel with build tag":    {name: "My_Project-2.0.dev4-1-cp311-cp311-manylinux_2_17_x86_64.whl", project: "My_Project", version: "2.0.dev4", ok: true},
		"wheel local version":     {name: "foo-1.0+g1234.dirty-py3-none-any.whl", project: "foo", version: "1.0+g1234.dirty", ok: true},
		"wheel too few parts":     {name: "foo-1.0-any.whl", ok: false},
		"wheel bad version":       {name: "foo-latest-py3-none-any.whl", ok: false},
		"sdist":                   {name: "foo_bar-5.0.0rc1.tar.gz", project: "foo_bar", version: "5.0.0rc1", ok: true},
		"legacy sdist zip":        {name: "Foo-Bar-1.0.post2.zip", project: "Foo-Bar", version: "1.0.post2", ok: true},
		"sdist local version":     {name: "foo-1.0+abc.tar.gz", project: "foo", version: "1.0+abc", ok: true},
		"dev sdist":               {name: "foo-5.0.0.dev4.tar.gz", project: "foo", version: "5.0.0.dev4", ok: true},
		"archive":                 {name: "mytool-1.2.3-linux-x86_64.tar.gz", project: "mytool", version: "1.2.3", ok: true},
		"windows archive":         {name: "mytool-1.2.3-windows-x86_64.zip", project: "mytool", version: "1.2.3", ok: true},
		"installer":               {name: "proj-2.0-osx-arm64-installer.dmg", project: "proj", version: "2.0", ok: true},
		"no extension":            {name: "tool-1.0", project: "tool", version: "1.0", ok: true},
		"dev without extension":   {name: "tool-1.0.dev0", project: "tool", version: "1.0.dev0", ok: true},
		"single extension":        {name: "tool-3.1.pyz", project: "tool", version: "3.1", ok: true},
		"v prefix kept":           {name: "tool-v1.0-linux.tar.gz", project: "tool", version: "v1.0", ok: true},
		"latest alias":            {name: "mytool-latest-linux-x86_64.tar.gz", ok: false},
		"no version":              {name: "SHA256SUMS", ok: false},
		"empty project":           {name: "-1.0.tar.gz", ok: false},
		"leading segment numeric": {name: "1.0.tar.gz", ok: false},
		"bz2":                     {name: "x-0.1.tar.bz2", project: "x", version: "0.1", ok: true},
		"space is no version":     {name: "x- 1.0.zip", ok: false},
		"control char":            {name: "x-1.0\n.zip", ok: false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			project, version, ok := FileVersion(tc.name)
			if project != tc.project || version != tc.version || ok != tc.ok {
				t.Errorf("FileVersion(%q) = %q, %q, %v; want %q, %q, %v", tc.name, project, version, ok, tc.project, tc.version, tc.ok)
			}
		})
	}
}

func FuzzParseLinks(f *testing.F) {
	f.Add("https://index.test/simple/foo/", `<a href="../../p/foo-1.0-py3-none-any.whl#sha256=`+hashA+`">f</a>`)
	f.Add("http://h/", `<base href="/x/"><a href="a-1.zip">a</a><a href="a-1.zip">dup</a><A HREF='b%2F-1.zip'/>`)
	f.Add("file:///srv/index.html", `<html><a href="javascript:void(0)">j</a><a href="mailto:x@y">m</a><a href="#s">s</a></html>`)
	f.Add("", `<a href="%zz">bad escape</a><a href="http://[::1">bad host</a><a href="//other/f-2.whl#SHA256=`+strings.ToUpper(hashA)+`">`)
	f.Fuzz(func(t *testing.T, base, page string) {
		b, err := url.Parse(base)
		if err != nil {
			return
		}
		links, err := ParseLinks(b, strings.NewReader(page))
		if err != nil {
			t.Fatalf("ParseLinks failed on a string reader: %v", err)
		}
		seen := map[string]bool{}
		for _, l := range links {
			if l.URL == nil {
				t.Fatal("link without URL")
			}
			u := *l.URL
			u.Fragment, u.RawFragment = "", ""
			if seen[u.String()] {
				t.Errorf("duplicate link %s", u.String())
			}
			seen[u.String()] = true
			if l.SHA256 != "" && !sha256Hex.MatchString(l.SHA256) {
				t.Errorf("SHA256 %q is not lowercase hex", l.SHA256)
			}
		}
	})
}

func FuzzFileVersion(f *testing.F) {
	for _, s := range []string{
		"foo-1.0-py3-none-any.whl", "foo-1.0-1-cp311-cp311-linux_x86_64.whl", "foo-1.0+abc.tar.gz",
		"mytool-1.2.3-linux-x86_64.tar.gz", "x-1.0.dev0", "x--1.zip", "-1", "a-b-c", "a-1.0.tar.Z", "a-v1.0rc1.post2.dev3.zip",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		project, version, ok := FileVersion(name)
		if !ok {
			if project != "" || version != "" {
				t.Errorf("FileVersion(%q) = %q, %q, false; want empty parts when not ok", name, project, version)
			}
			return
		}
		if project == "" {
			t.Errorf("FileVersion(%q): empty project", name)
		}
		if _, err := pep440.Parse(version); err != nil {
			t.Errorf("FileVersion(%q): version %q does not parse: %v", name, version, err)
		}
		if !strings.HasPrefix(name, project+"-"+version) {
			t.Errorf("FileVersion(%q) = %q, %q: the name does not start with {project}-{version}", name, project, version)
		}
	})
}
