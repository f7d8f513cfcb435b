package redact

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"testing"
)

const token = "pypi-AgEIcHlwaS5vcmcCJGE2ZDk1YzQ4LTg3ZGQtNDRlMC1hZDk4"

func TestStringMasksEveryForm(t *testing.T) {
	var s Set
	s.AddBasic("__token__", token)
	s.Add("p@ss w/rd+&=%")
	s.AddURL("https://hooks.example.test/services/T000/B000/XXXXSECRETXXXX", true)
	b64 := base64.StdEncoding.EncodeToString
	cases := map[string]string{
		"raw":                "401 Unauthorized token " + token,
		"basic header":       "Authorization: Basic " + b64([]byte("__token__:"+token)),
		"basic other user":   "Authorization: Basic " + b64([]byte("someone-else:"+token)),
		"base64 alone":       b64([]byte(token)),
		"base64 url":         base64.URLEncoding.EncodeToString([]byte("\xff\xfe" + token)),
		"base64 in a blob":   b64([]byte(`{"user":"x","password":"` + token + `","n":1}`)),
		"query escaped":      "password=" + url.QueryEscape("p@ss w/rd+&="+"%"),
		"path escaped":       "/" + url.PathEscape("p@ss w/rd+&=%") + "/",
		"escaped base64":     url.QueryEscape(b64([]byte("u:" + token))),
		"webhook path":       "POST /services/T000/B000/XXXXSECRETXXXX: 404",
		"webhook whole":      "https://hooks.example.test/services/T000/B000/XXXXSECRETXXXX",
		"webhook in a quote": fmt.Sprintf("%q", "/services/T000/B000/XXXXSECRETXXXX"),
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			out := s.String(in)
			if !strings.Contains(out, Mask) {
				t.Fatalf("nothing masked in %q", out)
			}
			for _, leak := range []string{token, token[10:30], "p@ss w/rd", "XXXXSECRETXXXX"} {
				if strings.Contains(out, leak) {
					t.Fatalf("%q still holds %q", out, leak)
				}
			}
			// What is left of a base64 form decodes to at most two bytes of
			// the secret on each side.
			if strings.Contains(name, "base64") || strings.Contains(name, "basic") || strings.Contains(name, "blob") {
				for _, f := range strings.Fields(strings.ReplaceAll(out, Mask, " ")) {
					if d, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(f, "Basic")); err == nil && bytes.Contains(d, []byte(token[:8])) {
						t.Fatalf("decodable piece %q holds the token", f)
					}
				}
			}
		})
	}
}

func TestStringKeepsOrdinaryText(t *testing.T) {
	var s Set
	s.Add("abc", "", "   ") // too short: masking them would mangle output
	s.AddURL("https://hooks.example.test/hook", true)
	in := "built abc-1.0.tar.gz and posted to https://hooks.example.test/"
	if out := s.String(in); out != in {
		t.Fatalf("String(%q) = %q", in, out)
	}
	if s.Len() != 1 {
		t.Fatalf("Len = %d, want 1 (only the whole URL)", s.Len())
	}
}

func TestAddURLTakesPassword(t *testing.T) {
	var s Set
	s.AddURL("https://bot:hunter2hunter2@git.example.test/o/r.git", false)
	out := s.String("push to https://bot:hunter2hunter2@git.example.test/o/r.git failed; Basic " +
		base64.StdEncoding.EncodeToString([]byte("bot:hunter2hunter2")))
	if strings.Contains(out, "hunter2") || strings.Contains(out, base64.StdEncoding.EncodeToString([]byte("bot:hunter2hunter2"))) {
		t.Fatalf("password left in %q", out)
	}
	if !strings.Contains(out, "git.example.test/o/r.git") {
		t.Fatalf("the URL itself is not a secret here: %q", out)
	}
}

func TestErrorKeepsChain(t *testing.T) {
	var s Set
	s.Add(token)
	err := s.Error(fmt.Errorf("upload: %s: %w", token, fs.ErrPermission))
	if strings.Contains(err.Error(), token) {
		t.Fatalf("token in %v", err)
	}
	if !errors.Is(err, fs.ErrPermission) {
		t.Fatal("chain lost")
	}
	plain := errors.New("nothing secret")
	if s.Error(plain) != plain || s.Error(nil) != nil {
		t.Fatal("an error with nothing to clean must come back as it is")
	}
}

func TestWriterMasksAcrossWrites(t *testing.T) {
	var s Set
	s.Add(token)
	var out bytes.Buffer
	w := NewWriter(&out, &s)
	text := "remote: Invalid credentials " + token + "\rprogress 50%\nlast line " + token
	for i := 0; i < len(text); i += 7 { // a secret split over several writes
		end := min(i+7, len(text))
		if _, err := w.Write([]byte(text[i:end])); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := strings.ReplaceAll(text, token, Mask)
	if out.String() != want {
		t.Fatalf("got %q\nwant %q", out.String(), want)
	}
}

func TestWriterLongLine(t *testing.T) {
	var s Set
	s.Add(token)
	var out bytes.Buffer
	w := NewWriter(&out, &s)
	long := strings.Repeat("x", flushAt+100)
	w.Write([]byte(long))
	if out.Len() == 0 {
		t.Fatal("a line longer than the buffer was held whole")
	}
	w.Write([]byte(token))
	w.Close()
	if strings.Contains(out.String(), token) || out.Len() != len(long)+len(Mask) {
		t.Fatalf("got %d bytes, token masked: %v", out.Len(), !strings.Contains(out.String(), token))
	}
}

func FuzzString(f *testing.F) {
	f.Add(token, "x "+token+" y")
	f.Fuzz(func(t *testing.T, secret, text string) {
		var s Set
		s.Add(secret)
		out := s.String(text + secret)
		if len(strings.TrimSpace(secret)) >= MinLen && strings.Contains(out, strings.TrimSpace(secret)) && !strings.Contains(Mask, strings.TrimSpace(secret)) {
			t.Fatalf("secret %q left in %q", secret, out)
		}
	})
}
