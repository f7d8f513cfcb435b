package version

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// workRepo makes a small repository with a worktree: a tagged commit and
// one more, with a script, a symlink, a subdirectory and a .gitignore.
func workRepo(t *testing.T) string {
	t.Helper()
	testenv.Require(t, "git")
	dir := t.TempDir()
	git := func(args ...string) { testenv.Git(t, dir, args...) }
	git("init", "-q", "-b", "main")
	write(t, dir, "a.txt", "alpha\n")
	write(t, dir, "b.txt", "bravo\n")
	write(t, dir, "sub/c.txt", "charlie\n")
	write(t, dir, "crlf.txt", "one\ntwo\n")
	write(t, dir, ".gitignore", "node_modules/\n.venv/\n")
	if err := os.WriteFile(filepath.Join(dir, "run.sh"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a.txt", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	git("add", "-A")
	git("commit", "-q", "-m", "one")
	git("tag", "-a", "-m", "v1", "v1.0.0")
	write(t, dir, "b.txt", "bravo 2\n")
	git("commit", "-q", "-am", "two")
	return dir
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// describeDirty runs Describe with Dirty, recording every path stat'ed.
func describeDirty(t *testing.T, dir string) (Description, []string) {
	t.Helper()
	r, err := openRepository(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var mu sync.Mutex
	var statted []string
	r.lstat = func(p string) (fs.FileInfo, error) {
		mu.Lock()
		statted = append(statted, p)
		mu.Unlock()
		return os.Lstat(p)
	}
	d, err := r.describe(context.Background(), Options{Dirty: true})
	if err != nil {
		t.Fatalf("Describe: %v", err)
	}
	return d, statted
}

func TestDirtyMatchesGit(t *testing.T) {
	cases := map[string]struct {
		change func(t *testing.T, dir string)
		dirty  bool
	}{
		"clean": {func(t *testing.T, dir string) {}, false},
		"modified": {func(t *testing.T, dir string) {
			write(t, dir, "a.txt", "alpha changed\n")
		}, true},
		"modified, same size": {func(t *testing.T, dir string) {
			write(t, dir, "a.txt", "ALPHA\n")
		}, true},
		"modified, same size and mtime": {func(t *testing.T, dir string) {
			p := filepath.Join(dir, "a.txt")
			st, _ := os.Stat(p)
			write(t, dir, "a.txt", "ALPHA\n")
			os.Chtimes(p, st.ModTime(), st.ModTime())
		}, true},
		"touched only": {func(t *testing.T, dir string) {
			later := time.Now().Add(time.Hour)
			os.Chtimes(filepath.Join(dir, "a.txt"), later, later)
		}, false},
		"staged": {func(t *testing.T, dir string) {
			write(t, dir, "a.txt", "alpha changed\n")
			testenv.Git(t, dir, "add", "a.txt")
		}, true},
		"staged, worktree reverted": {func(t *testing.T, dir string) {
			write(t, dir, "a.txt", "alpha changed\n")
			testenv.Git(t, dir, "add", "a.txt")
			write(t, dir, "a.txt", "alpha\n")
		}, true},
		"deleted": {func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "b.txt"))
		}, true},
		"deleted, staged": {func(t *testing.T, dir string) {
			testenv.Git(t, dir, "rm", "-q", "b.txt")
		}, true},
		"untracked only": {func(t *testing.T, dir string) {
			write(t, dir, "new.txt", "untracked\n")
			write(t, dir, "sub/new/deep.txt", "untracked\n")
		}, false},
		"new file staged": {func(t *testing.T, dir string) {
			write(t, dir, "new.txt", "new\n")
			testenv.Git(t, dir, "add", "new.txt")
		}, true},
		"intent to add": {func(t *testing.T, dir string) {
			write(t, dir, "new.txt", "new\n")
			testenv.Git(t, dir, "add", "-N", "new.txt")
		}, true},
		"chmod +x": {func(t *testing.T, dir string) {
			os.Chmod(filepath.Join(dir, "a.txt"), 0o755)
		}, true},
		"chmod -x": {func(t *testing.T, dir string) {
			os.Chmod(filepath.Join(dir, "run.sh"), 0o644)
		}, true},
		"file became a directory": {func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "a.txt"))
			write(t, dir, "a.txt/inner", "x\n")
		}, true},
		"symlink retargeted": {func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "link"))
			os.Symlink("b.txt", filepath.Join(dir, "link"))
		}, true},
		"cache-tree invalidated, content same": {func(t *testing.T, dir string) {
			testenv.Git(t, dir, "rm", "-q", "--cached", "sub/c.txt")
			testenv.Git(t, dir, "add", "sub/c.txt")
		}, false},
		"index removed": {func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, ".git", "index"))
		}, true},
		"assume unchanged": {func(t *testing.T, dir string) {
			testenv.Git(t, dir, "update-index", "--assume-unchanged", "a.txt")
			write(t, dir, "a.txt", "alpha changed\n")
		}, false},
		"skip worktree": {func(t *testing.T, dir string) {
			testenv.Git(t, dir, "update-index", "--skip-worktree", "a.txt")
			os.Remove(filepath.Join(dir, "a.txt"))
		}, false},
		"index v4, clean": {func(t *testing.T, dir string) {
			testenv.Git(t, dir, "update-index", "--index-version", "4")
		}, false},
		"index v4, modified": {func(t *testing.T, dir string) {
			testenv.Git(t, dir, "update-index", "--index-version", "4")
			write(t, dir, "sub/c.txt", "charlie changed\n")
		}, true},
		"split index": {func(t *testing.T, dir string) {
			testenv.Git(t, dir, "update-index", "--split-index")
			write(t, dir, "a.txt", "alpha changed\n")
		}, true},
		"autocrlf checkout, touched": {func(t *testing.T, dir string) {
			testenv.Git(t, dir, "config", "core.autocrlf", "true")
			os.Remove(filepath.Join(dir, "crlf.txt"))
			testenv.Git(t, dir, "checkout", "--", "crlf.txt")
			later := time.Now().Add(time.Hour)
			os.Chtimes(filepath.Join(dir, "crlf.txt"), later, later)
		}, false},
		"merge conflict": {func(t *testing.T, dir string) {
			git := func(args ...string) { testenv.Git(t, dir, args...) }
			git("checkout", "-q", "-b", "other", "HEAD~1")
			write(t, dir, "a.txt", "other side\n")
			git("commit", "-q", "-am", "other")
			git("checkout", "-q", "main")
			write(t, dir, "a.txt", "main side\n")
			git("commit", "-q", "-am", "main")
			testenv.GitE(dir, nil, "merge", "-q", "other")
		}, true},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := workRepo(t)
			c.change(t, dir)
			d, _ := describeDirty(t, dir)
			want := testenv.Git(t, dir, "describe", "--tags", "--long", "--dirty")
			if d.String() != want {
				t.Errorf("Describe = %q, git describe --dirty = %q", d, want)
			}
			if d.Dirty != c.dirty {
				t.Errorf("Dirty = %v, want %v", d.Dirty, c.dirty)
			}
		})
	}
}

// TestDirtyDoesNotWalkIgnoredTrees fills ignored directories with files
// (and makes one unreadable) and checks the dirty check stats exactly the
// tracked paths.
func TestDirtyDoesNotWalkIgnoredTrees(t *testing.T) {
	dir := workRepo(t)
	for i := 0; i < 300; i++ {
		write(t, dir, filepath.Join("node_modules", "pkg"+itoa3(i), "index.js"), "x")
	}
	write(t, dir, ".venv/lib/site.py", "x")
	locked := filepath.Join(dir, ".venv", "lib")
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(locked, 0o755) })
	d, statted := describeDirty(t, dir)
	if d.Dirty {
		t.Fatalf("Dirty = true for changes in ignored directories only")
	}
	tracked := gitLines(t, dir, "ls-files")
	if len(statted) != len(tracked) {
		t.Errorf("stat'ed %d paths, want one per tracked file (%d): %v", len(statted), len(tracked), statted)
	}
	for _, p := range statted {
		if strings.Contains(p, "node_modules") || strings.Contains(p, ".venv") {
			t.Errorf("stat'ed %s inside an ignored directory", p)
		}
	}
	if want := testenv.Git(t, dir, "describe", "--tags", "--long", "--dirty"); d.String() != want {
		t.Errorf("Describe = %q, git says %q", d, want)
	}
}

func itoa3(i int) string {
	return string(rune('a'+i/100)) + string(rune('a'+i/10%10)) + string(rune('a'+i%10))
}

// TestDirtyRacyClean describes right after the index was written, when
// git cannot trust stat data and must compare content.
func TestDirtyRacyClean(t *testing.T) {
	dir := workRepo(t)
	write(t, dir, "a.txt", "ALPHA\n")
	testenv.Git(t, dir, "add", "a.txt")
	write(t, dir, "a.txt", "alpha\n") // same size, same second as the index
	d, _ := describeDirty(t, dir)
	want := testenv.Git(t, dir, "describe", "--tags", "--long", "--dirty")
	if d.String() != want || !d.Dirty {
		t.Errorf("Describe = %q (dirty %v), git says %q", d, d.Dirty, want)
	}
}

func TestDirtyManyFiles(t *testing.T) {
	// Enough tracked files to check them on several goroutines.
	dir := workRepo(t)
	for i := 0; i < 1500; i++ {
		write(t, dir, filepath.Join("many", itoa3(i%1000)+"-"+itoa3(i/1000)+".txt"), itoa3(i))
	}
	testenv.Git(t, dir, "add", "-A")
	testenv.Git(t, dir, "commit", "-q", "-m", "many")
	for _, change := range []string{"", "many/jjj-aaa.txt"} {
		if change != "" {
			write(t, dir, change, "changed")
		}
		d, statted := describeDirty(t, dir)
		want := testenv.Git(t, dir, "describe", "--tags", "--long", "--dirty")
		if d.String() != want || d.Dirty != (change != "") {
			t.Errorf("after changing %q: Describe = %q, git says %q", change, d, want)
		}
		if change == "" && len(statted) != len(gitLines(t, dir, "ls-files")) {
			t.Errorf("clean check stat'ed %d paths", len(statted))
		}
	}
}
