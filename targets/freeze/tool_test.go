package freeze

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseEntryPoint(t *testing.T) {
	tests := map[string]struct {
		in      string
		want    entry
		wantErr string
	}{
		"module function":   {in: "greet.cli:main", want: entry{Module: "greet.cli", Attr: "main"}},
		"class method":      {in: "greet:App.run", want: entry{Module: "greet", Attr: "App.run"}},
		"script":            {in: "scripts/greet.py", want: entry{Script: "scripts/greet.py"}},
		"script in root":    {in: "greet.py", want: entry{Script: "greet.py"}},
		"bare word":         {in: "greet", wantErr: "want module:function"},
		"empty":             {in: "", wantErr: "empty"},
		"no function":       {in: "greet.cli:", wantErr: "not a Python name"},
		"dashed module":     {in: "greet-cli:main", wantErr: "not a dotted Python name"},
		"extras":            {in: "greet.cli:main [color]", wantErr: "extras"},
		"digit first":       {in: "1greet:main", wantErr: "not a dotted Python name"},
		"absolute script":   {in: "/abs/greet.py", wantErr: "absolute"},
		"double dot module": {in: "greet..cli:main", wantErr: "not a dotted"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := parseEntryPoint(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("parseEntryPoint(%q) = %+v, %v; want error containing %q", tc.in, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("parseEntryPoint(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestCheckTools(t *testing.T) {
	dir := t.TempDir()
	for _, d := range []string{"hooks", "assets/data"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"assets/app.ico", "scripts/run.py", "assets/data/a.txt"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	good := Tool{Name: "greet", EntryPoint: "greet.cli:main", HooksDir: "hooks", Icon: "assets/app.ico",
		Data: []string{"assets/data:data", "assets/app.ico:."}, Excludes: []string{"tkinter"}}
	tests := map[string]struct {
		tools []Tool
		want  []string // substrings, one per expected problem; none: valid
	}{
		"valid":          {tools: []Tool{good, {Name: "run", EntryPoint: "scripts/run.py"}}},
		"missing icon":   {tools: []Tool{{Name: "greet", EntryPoint: "greet:main", Icon: "nope.ico"}}, want: []string{`tool greet: icon "nope.ico": does not exist`}},
		"icon is dir":    {tools: []Tool{{Name: "greet", EntryPoint: "greet:main", Icon: "hooks"}}, want: []string{`icon "hooks": is a directory`}},
		"missing hooks":  {tools: []Tool{{Name: "greet", EntryPoint: "greet:main", HooksDir: "nohooks"}}, want: []string{`tool greet: hooks-dir "nohooks": does not exist`}},
		"hooks is file":  {tools: []Tool{{Name: "greet", EntryPoint: "greet:main", HooksDir: "assets/app.ico"}}, want: []string{`hooks-dir "assets/app.ico": is a file`}},
		"missing data":   {tools: []Tool{{Name: "greet", EntryPoint: "greet:main", Data: []string{"gone:dest"}}}, want: []string{`tool greet: data "gone:dest": source does not exist`}},
		"data no dest":   {tools: []Tool{{Name: "greet", EntryPoint: "greet:main", Data: []string{"assets/app.ico"}}}, want: []string{`data "assets/app.ico": want "source:destination"`}},
		"data escapes":   {tools: []Tool{{Name: "greet", EntryPoint: "greet:main", Data: []string{"assets/app.ico:../x"}}}, want: []string{"inside the bundle"}},
		"bad entry":      {tools: []Tool{{Name: "greet", EntryPoint: "greet"}}, want: []string{`tool greet: entry-point "greet": want module:function`}},
		"missing script": {tools: []Tool{{Name: "run", EntryPoint: "scripts/gone.py"}}, want: []string{`tool run: entry-point "scripts/gone.py": does not exist`}},
		"no name":        {tools: []Tool{{EntryPoint: "greet:main"}}, want: []string{`tool #1: name "": empty`}},
		"slash in name":  {tools: []Tool{{Name: "a/b", EntryPoint: "greet:main"}}, want: []string{`name "a/b": not a command name`}},
		"duplicate name": {tools: []Tool{good, {Name: "Greet", EntryPoint: "greet:main"}}, want: []string{`tool Greet: name "Greet": used by another tool`}},
		"bad exclude":    {tools: []Tool{{Name: "greet", EntryPoint: "greet:main", Excludes: []string{"tk inter"}}}, want: []string{`excludes "tk inter"`}},
		"all reported": {
			tools: []Tool{{Name: "greet", EntryPoint: "greet", Icon: "x.ico", HooksDir: "h"}},
			want:  []string{"entry-point", "icon", "hooks-dir"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := CheckTools(dir, tc.tools)
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("CheckTools: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrBadTool) {
				t.Fatalf("CheckTools = %v, want ErrBadTool", err)
			}
			msg := err.Error()
			if n := strings.Count(msg, "freeze: tool "); n != len(tc.want) {
				t.Errorf("%d problems reported, want %d:\n%s", n, len(tc.want), msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
		})
	}
}

func FuzzParseEntryPoint(f *testing.F) {
	for _, s := range []string{"greet.cli:main", "a:B.c", "x.py", "dir/x.py", "", ":", "a:", "é:ü", "a:b [x]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := parseEntryPoint(s)
		if err != nil {
			return
		}
		if (e.Script == "") == (e.Module == "") {
			t.Fatalf("parseEntryPoint(%q) = %+v: want exactly one of script and module", s, e)
		}
		if e.Module != "" {
			if e.Module+":"+e.Attr != s || !isDotted(e.Module) || !isDotted(e.Attr) {
				t.Fatalf("parseEntryPoint(%q) = %+v: does not round-trip", s, e)
			}
			// The launcher must be valid: one import line with the names.
			src := launcherSource("t", e)
			if !strings.Contains(src, "from "+e.Module+" import ") {
				t.Fatalf("launcher for %q lacks the import:\n%s", s, src)
			}
		}
	})
}
