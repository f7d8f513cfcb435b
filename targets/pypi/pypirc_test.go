package pypi

import (
	"encoding/json"
	"errors"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// pypircCases are read by parsePypirc and, in TestPypircOracle, by
// Python's configparser; sections and values must agree.
var pypircCases = map[string]struct {
	in   string
	want map[string]map[string]string // nil: an error
	line int                          // the error's line
}{
	"hash in password kept": {
		in:   "[pypi]\nusername = __token__\npassword = pypi-abc#def;ghi\n",
		want: map[string]map[string]string{"pypi": {"username": "__token__", "password": "pypi-abc#def;ghi"}},
	},
	"colon separator and the first delimiter wins": {
		in:   "[gitea]\nrepository: http://h:3000/api/packages/o/pypi\npassword=a=b:c\n",
		want: map[string]map[string]string{"gitea": {"repository": "http://h:3000/api/packages/o/pypi", "password": "a=b:c"}},
	},
	"continuation lines joined with newlines": {
		in:   "[distutils]\nindex-servers =\n    pypi\n    gitea\n\n[gitea]\nrepository = http://h/\n",
		want: map[string]map[string]string{"distutils": {"index-servers": "\npypi\ngitea"}, "gitea": {"repository": "http://h/"}},
	},
	"empty line inside a value": {
		in:   "[a]\nx = 1\n\n  2\ny = 3\n",
		want: map[string]map[string]string{"a": {"x": "1\n\n2", "y": "3"}},
	},
	"comments, indented comments, keys any case": {
		in:   "# top\n; also\n[a]\n  # indented comment\nUserName = me\n",
		want: map[string]map[string]string{"a": {"username": "me"}},
	},
	"comment inside a continued value is dropped": {
		in:   "[a]\nx = 1\n  # not part\n  2\n",
		want: map[string]map[string]string{"a": {"x": "1\n2"}},
	},
	"DEFAULT is inherited": {
		in:   "[DEFAULT]\nusername = shared\n[a]\npassword = p\n",
		want: map[string]map[string]string{"a": {"password": "p", "username": "shared"}},
	},
	"CRLF and lone CR": {
		in:   "[a]\r\nx = 1\ry = 2\r\n",
		want: map[string]map[string]string{"a": {"x": "1", "y": "2"}},
	},
	"section header with trailing text": {
		in:   "[a] trailing\nx=1\n",
		want: map[string]map[string]string{"a": {"x": "1"}},
	},
	"indented line after a section header is an option": {
		in:   "[a]\n   x = 1\n   y = 2\n",
		want: map[string]map[string]string{"a": {"x": "1", "y": "2"}},
	},
	"empty value": {
		in:   "[a]\nx =\n",
		want: map[string]map[string]string{"a": {"x": ""}},
	},
	"no section header":  {in: "username = x\n", line: 1},
	"duplicate section":  {in: "[a]\n[b]\n[a]\n", line: 3},
	"duplicate option":   {in: "[a]\nx = 1\nX = 2\n", line: 3},
	"line without value": {in: "[a]\nx = 1\njust words\n", line: 3},
	"empty key":          {in: "[a]\n = 1\n", line: 2},
}

func TestParsePypirc(t *testing.T) {
	for name, tc := range pypircCases {
		t.Run(name, func(t *testing.T) {
			p, err := parsePypirc("/home/u/.pypirc", []byte(tc.in))
			if tc.want == nil {
				var pe *PypircError
				if !errors.As(err, &pe) || pe.Line != tc.line || !strings.Contains(err.Error(), "/home/u/.pypirc:") {
					t.Fatalf("err = %v, want a *PypircError naming the file and line %d", err, tc.line)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := flatten(p); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// flatten is every section with the DEFAULT values it inherits, as
// configparser's items(section) gives them.
func flatten(p *pypirc) map[string]map[string]string {
	out := map[string]map[string]string{}
	for name, s := range p.sections {
		m := map[string]string{}
		for k, v := range p.defaults {
			m[k] = v
		}
		for k, v := range s {
			m[k] = v
		}
		out[name] = m
	}
	return out
}

// TestPypircOracle reads every case with the configparser twine uses.
func TestPypircOracle(t *testing.T) {
	py := testenv.Python(t)
	inputs := map[string]string{}
	for name, tc := range pypircCases {
		inputs[name] = tc.in
	}
	script := `
import configparser, io, json, sys
out = {}
for name, text in json.load(sys.stdin).items():
    p = configparser.RawConfigParser()
    try:
        p.read_file(io.StringIO(text, newline=None))
        out[name] = {s: dict(p.items(s)) for s in p.sections()}
    except configparser.Error as e:
        out[name] = None
json.dump(out, sys.stdout)
`
	cmd := exec.Command(py, "-c", script)
	in, _ := json.Marshal(inputs)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	var want map[string]map[string]map[string]string
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	for name, tc := range pypircCases {
		p, err := parsePypirc("x", []byte(tc.in))
		switch {
		case want[name] == nil && err == nil:
			t.Errorf("%s: configparser refuses it, parsePypirc accepts it", name)
		case want[name] != nil && err != nil:
			t.Errorf("%s: configparser reads it, parsePypirc says %v", name, err)
		case err == nil && !reflect.DeepEqual(flatten(p), want[name]):
			t.Errorf("%s: got %q, configparser %q", name, flatten(p), want[name])
		}
	}
}

func FuzzParsePypirc(f *testing.F) {
	for _, tc := range pypircCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := parsePypirc("f", []byte(in))
		if err != nil {
			var pe *PypircError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not a *PypircError", err)
			}
			return
		}
		for name, s := range p.sections {
			if name == "" || name == defaultSection {
				t.Errorf("section named %q", name)
			}
			for k, v := range s {
				if k == "" || k != strings.ToLower(k) {
					t.Errorf("key %q is empty or not lower-case", k)
				}
				if v != strings.TrimRightFunc(v, unicode.IsSpace) {
					t.Errorf("value %q of %s ends in white space", v, k)
				}
			}
		}
	})
}

// TestPypircErrorQuotesNoValue checks that a rejected .pypirc is named by
// line and key: the values are passwords, and a file of any size makes a
// short error.
func TestPypircErrorQuotesNoValue(t *testing.T) {
	huge := strings.Repeat("x", 10<<20)
	cases := map[string]struct {
		in      string
		line    int
		names   string // in the error
		secrets string // never in the error
	}{
		"password before any section": {in: "password = s3cret\n", line: 1, names: "password", secrets: "s3cret"},
		"value without key":           {in: "[a]\nx = 1\n= s3cret\n", line: 3, secrets: "s3cret"},
		"line without delimiter":      {in: "[a]\nx = 1\ns3cret\n", line: 3, secrets: "s3cret"},
		"ten megabyte line":           {in: huge + "\n", line: 1, secrets: strings.Repeat("x", 100)},
		"ten megabyte key":            {in: huge + " = v\n", line: 1, secrets: strings.Repeat("x", 100)},
		"ten megabyte duplicate":      {in: "[a]\n" + huge + " = 1\n" + huge + " = s3cret\n", line: 3, secrets: "s3cret"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := parsePypirc("/home/u/.pypirc", []byte(tc.in))
			var pe *PypircError
			if !errors.As(err, &pe) || pe.Line != tc.line {
				t.Fatalf("err = %.300v, want a *PypircError on line %d", err, tc.line)
			}
			msg := err.Error()
			if len(msg) > 300 {
				t.Errorf("error is %d bytes long: %.300s", len(msg), msg)
			}
			if strings.Contains(msg, tc.secrets) {
				t.Errorf("error %.300q quotes a value", msg)
			}
			if !strings.Contains(msg, "/home/u/.pypirc:"+strconv.Itoa(tc.line)+":") || !strings.Contains(msg, tc.names) {
				t.Errorf("error %.300q does not name line %d and %q", msg, tc.line, tc.names)
			}
		})
	}
}
