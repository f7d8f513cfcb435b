package gitread

import (
	"bytes"
	"compress/zlib"
	"strings"
	"testing"
)

func FuzzPackedRefs(f *testing.F) {
	f.Add([]byte("# pack-refs with: peeled fully-peeled sorted \n" +
		"1111111111111111111111111111111111111111 refs/heads/main\n" +
		"2222222222222222222222222222222222222222 refs/tags/v1\n" +
		"^3333333333333333333333333333333333333333\n"))
	f.Add([]byte("2222222222222222222222222222222222222222 refs/tags/b\n1111111111111111111111111111111111111111 refs/tags/a\n"))
	f.Add([]byte("^3333333333333333333333333333333333333333\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := parsePackedRefs(data)
		if err != nil {
			return
		}
		var b strings.Builder
		for i, r := range p.refs {
			if i > 0 && p.refs[i-1].Name > r.Name {
				t.Fatalf("refs not sorted: %q before %q", p.refs[i-1].Name, r.Name)
			}
			b.WriteString(r.ID.String() + " " + r.Name + "\n")
			if r.HasPeeled {
				b.WriteString("^" + r.Peeled.String() + "\n")
			}
			if got, ok := p.lookup(r.Name); !ok || got.Name != r.Name {
				t.Fatalf("lookup(%q) failed", r.Name)
			}
		}
		q, err := parsePackedRefs([]byte(b.String()))
		if err != nil {
			t.Fatalf("reparse of %q: %v", b.String(), err)
		}
		if len(q.refs) != len(p.refs) {
			t.Fatalf("reparse has %d refs, want %d", len(q.refs), len(p.refs))
		}
	})
}

// FuzzParseConfig checks that whatever parses can be written back in
// canonical form and parses to the same variables.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte("[core]\n\tabbrev = 12\n\tbare\n[remote \"origin\"]\n\turl = \"a b\" ; c\n"))
	f.Add([]byte("[core] abbrev=\"x\\\"y\\\\\" # c\n[a.b]\nk = v \\\n w\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		type kv struct {
			key string
			val *string
		}
		collect := func(data []byte) ([]kv, error) {
			var out []kv
			err := parseConfig(data, func(key string, val *string) error {
				out = append(out, kv{key, val})
				return nil
			}, "fuzz")
			return out, err
		}
		vars, err := collect(data)
		if err != nil {
			return
		}
		var b strings.Builder
		var kept []kv
		for _, v := range vars {
			dot := strings.LastIndexByte(v.key, '.')
			if dot <= 0 {
				t.Fatalf("key %q has no section", v.key)
			}
			section, name := v.key[:dot], v.key[dot+1:]
			if name == "" || name != strings.ToLower(name) || !isAlpha(name[0]) {
				t.Fatalf("key %q: bad variable name", v.key)
			}
			if strings.Trim(section, "abcdefghijklmnopqrstuvwxyz0123456789.-") != "" {
				continue // a subsection: its case and quoting are not canonical
			}
			b.WriteString("[" + section + "]\n\t" + name)
			if v.val != nil {
				r := strings.NewReplacer("\\", "\\\\", "\"", "\\\"", "\n", "\\n", "\t", "\\t")
				b.WriteString(" = \"" + r.Replace(*v.val) + "\"")
			}
			b.WriteString("\n")
			kept = append(kept, v)
		}
		again, err := collect([]byte(b.String()))
		if err != nil {
			t.Fatalf("canonical form %q: %v", b.String(), err)
		}
		if len(again) != len(kept) {
			t.Fatalf("canonical form has %d variables, want %d", len(again), len(kept))
		}
		for i := range kept {
			a, k := again[i], kept[i]
			if a.key != k.key || (a.val == nil) != (k.val == nil) || a.val != nil && *a.val != *k.val {
				t.Fatalf("variable %d: %q=%v after rewriting, want %q=%v", i, a.key, a.val, k.key, k.val)
			}
		}
	})
}

// FuzzInflatePrefix compares the prefix inflater with compress/zlib on
// streams zlib writes, and feeds it garbage.
func FuzzInflatePrefix(f *testing.F) {
	f.Add([]byte("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@b> 1 +0000\ncommitter A <a@b> 1 +0000\n\nmsg\n"), 6, 200)
	f.Add(bytes.Repeat([]byte("abcabcabd"), 300), 9, 1000)
	f.Add([]byte{0, 1, 2, 3, 255}, 0, 3)
	f.Fuzz(func(t *testing.T, data []byte, level, want int) {
		if level < -2 || level > 9 || want < 0 {
			return
		}
		var z prefixInflater
		z.inflatePrefix(data, want, nil) // garbage must not panic
		var buf bytes.Buffer
		w, err := zlib.NewWriterLevel(&buf, level)
		if err != nil {
			return
		}
		w.Write(data)
		w.Close()
		got, err := z.inflatePrefix(buf.Bytes(), want, nil)
		if err != nil {
			t.Fatalf("inflate of a valid stream: %v", err)
		}
		exp := data
		if want < len(exp) {
			exp = exp[:want]
		}
		if !bytes.Equal(got, exp) {
			t.Fatalf("prefix of %d bytes differs: got %q want %q", want, got, exp)
		}
	})
}

// FuzzParseCommitHeader checks the prefix contract: parsing any prefix
// either asks for more or gives the answer parsing the whole gives.
func FuzzParseCommitHeader(f *testing.F) {
	f.Add([]byte("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nparent 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A <a@b> 1 +0000\ncommitter C <c@d> 1700000000 +0100\n\nmsg\n"), 120)
	f.Add([]byte("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nauthor A\ncommitter no email 5\n"), 60)
	f.Fuzz(func(t *testing.T, b []byte, cut int) {
		full, more, ferr := ParseCommitHeader(b, true)
		if more {
			t.Fatal("complete buffer asked for more")
		}
		if cut < 0 || cut > len(b) {
			return
		}
		part, more, perr := ParseCommitHeader(b[:cut], cut == len(b))
		if more {
			return
		}
		if (perr == nil) != (ferr == nil) {
			t.Fatalf("prefix %d: err %v, whole: err %v", cut, perr, ferr)
		}
		if perr == nil && (part.Tree != full.Tree || part.Date != full.Date || len(part.Parents) != len(full.Parents)) {
			t.Fatalf("prefix %d: %+v, whole: %+v", cut, part, full)
		}
	})
}

func FuzzParseTag(f *testing.F) {
	f.Add([]byte("object 4b825dc642cb6eb9a060e54bf8d69288fbee4904\ntype commit\ntag v1\ntagger T <t@x> 1700000000 +0000\n\nmsg\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tag, err := parseTag(data)
		if err == nil && typeFromName(tag.TargetType) == TypeNone {
			t.Fatalf("accepted target type %q", tag.TargetType)
		}
	})
}

func FuzzApplyDelta(f *testing.F) {
	f.Add([]byte("hello world"), []byte{11, 5, 0x91, 0, 5})
	f.Fuzz(func(t *testing.T, base, delta []byte) {
		out, err := applyDelta(base, delta)
		if err == nil && len(out) > 1<<32 {
			t.Fatal("result larger than the limit")
		}
	})
}
