package pyfile

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestStampRestores(t *testing.T) {
	errBuild := errors.New("build failed")
	cases := map[string]struct {
		fn    func(ctx context.Context, cancel context.CancelFunc) error
		err   error
		panic bool
	}{
		"success": {
			fn: func(context.Context, context.CancelFunc) error { return nil },
		},
		"fn fails": {
			fn:  func(context.Context, context.CancelFunc) error { return errBuild },
			err: errBuild,
		},
		"context cancelled during fn": {
			fn: func(ctx context.Context, cancel context.CancelFunc) error {
				cancel()
				<-ctx.Done()
				return ctx.Err()
			},
			err: context.Canceled,
		},
		"fn panics": {
			fn:    func(context.Context, context.CancelFunc) error { panic("boom") },
			panic: true,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := newProject(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			called := false
			fn := func(ctx context.Context) error {
				called = true
				p.assertVersion(t, "2.0.0")
				if !p.journalExists(t) {
					t.Error("no journal while the files are stamped")
				}
				return tc.fn(ctx, cancel)
			}
			var err error
			func() {
				defer func() {
					r := recover()
					if (r != nil) != tc.panic {
						t.Errorf("recovered %v, want a panic: %v", r, tc.panic)
					}
				}()
				err = Stamp(ctx, StampOptions{Dir: p.dir, Files: p.files, Version: "2.0.0"}, fn)
			}()
			if !called {
				t.Fatal("fn was not called")
			}
			if !errors.Is(err, tc.err) {
				t.Errorf("Stamp error = %v, want %v", err, tc.err)
			}
			p.assertOriginal(t)
			if p.journalExists(t) {
				t.Error("journal left behind")
			}
			p.assertNoStrays(t)
		})
	}
}

func TestStampTouchesNothingOnBadInput(t *testing.T) {
	cases := map[string]struct {
		extra   string
		version string
		ctx     func() context.Context
		err     error
	}{
		"a file without a version": {extra: "x = 1\n", version: "2.0.0", err: ErrNoVersion},
		"a bad version":            {version: "2.0 beta", err: ErrBadVersion},
		"a cancelled context": {
			version: "2.0.0",
			ctx: func() context.Context {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return ctx
			},
			err: context.Canceled,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			p := newProject(t)
			files := p.files
			if tc.extra != "" {
				if err := os.WriteFile(p.path("other.py"), []byte(tc.extra), 0o644); err != nil {
					t.Fatal(err)
				}
				defer os.Remove(p.path("other.py"))
				files = append(files, File{Path: "other.py"})
			}
			ctx := context.Background()
			if tc.ctx != nil {
				ctx = tc.ctx()
			}
			err := Stamp(ctx, StampOptions{Dir: p.dir, Files: files, Version: tc.version}, func(context.Context) error {
				t.Error("fn called")
				return nil
			})
			if !errors.Is(err, tc.err) {
				t.Errorf("Stamp error = %v, want %v", err, tc.err)
			}
			p.assertOriginal(t)
			if p.journalExists(t) {
				t.Error("journal left behind")
			}
		})
	}
}

// The helper process stamps the project in PYFILE_STAMP_HELPER and, once the
// files are stamped, says so on stdout and waits to be killed.
func TestMain(m *testing.M) {
	if dir := os.Getenv("PYFILE_STAMP_HELPER"); dir != "" {
		var files []File
		for _, name := range []string{"pkg/version.py", "pyproject.toml", "setup.cfg"} {
			files = append(files, File{Path: name})
		}
		err := Stamp(context.Background(), StampOptions{Dir: dir, Files: files, Version: "9.0.0"}, func(ctx context.Context) error {
			fmt.Println("stamped")
			select {}
		})
		fmt.Fprintln(os.Stderr, "helper: stamp returned:", err)
		os.Exit(2)
	}
	os.Exit(m.Run())
}

// crash stamps p in another process and kills it with SIGKILL while the
// files are stamped, as an OOM killer or a CI timeout would.
func crash(t *testing.T, p project) {
	t.Helper()
	cmd := stampElsewhere(t, p)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	p.assertVersion(t, "9.0.0")
	if !p.journalExists(t) {
		t.Fatal("no journal after the crash")
	}
}

// stampElsewhere starts a process that stamps p, and returns it once the
// files are stamped; it waits there until it is killed.
func stampElsewhere(t *testing.T, p project) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), "PYFILE_STAMP_HELPER="+p.dir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "stamped\n" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("helper said %q, %v; stderr:\n%s", line, err, stderr.String())
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd
}

func TestRecoverAfterCrash(t *testing.T) {
	p := newProject(t)
	crash(t, p)
	restored, err := Recover(context.Background(), p.dir)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(restored)
	if want := []string{"pkg/version.py", "pyproject.toml", "setup.cfg"}; !slices.Equal(restored, want) {
		t.Errorf("restored %q, want %q", restored, want)
	}
	p.assertOriginal(t)
	if p.journalExists(t) {
		t.Error("journal left behind")
	}
	// A second recovery has nothing to do.
	if restored, err := Recover(context.Background(), p.dir); err != nil || len(restored) != 0 {
		t.Errorf("second Recover = %q, %v", restored, err)
	}
}

func TestStampRecoversFirstAndLogs(t *testing.T) {
	p := newProject(t)
	crash(t, p)
	var logs []string
	logf := func(format string, args ...any) { logs = append(logs, fmt.Sprintf(format, args...)) }
	err := Stamp(context.Background(), StampOptions{Dir: p.dir, Files: p.files, Version: "2.0.0", Logf: logf}, func(context.Context) error {
		// The files were restored before this stamp read them: otherwise
		// it would restore them to 9.0.0 at the end.
		p.assertVersion(t, "2.0.0")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	p.assertOriginal(t)
	if len(logs) != 3 || !strings.Contains(strings.Join(logs, "\n"), "restored pkg/version.py after an interrupted build") {
		t.Errorf("logs = %q", logs)
	}
}

func TestRecoverKeepsFilesEditedAfterACrash(t *testing.T) {
	p := newProject(t)
	crash(t, p)
	edited := "[metadata]\nversion = 9.0.0\nname = mine\n"
	if err := os.WriteFile(p.path("setup.cfg"), []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	// A deleted file has nothing of the user's in it: it comes back.
	if err := os.Remove(p.path("pyproject.toml")); err != nil {
		t.Fatal(err)
	}
	// An earlier .orig is not overwritten either.
	if err := os.WriteFile(p.path("setup.cfg.orig"), []byte("older\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	called := false
	err := Stamp(context.Background(), StampOptions{Dir: p.dir, Files: p.files, Version: "2.0.0"}, func(context.Context) error {
		called = true
		return nil
	})
	var conflict *ConflictError
	if !errors.As(err, &conflict) || !errors.Is(err, ErrConflict) {
		t.Fatalf("Stamp error = %v, want a *ConflictError", err)
	}
	if called {
		t.Error("fn called despite the conflict")
	}
	if conflict.Path != "setup.cfg" || conflict.Orig != p.path("setup.cfg.orig.1") || !strings.Contains(err.Error(), "setup.cfg.orig.1") {
		t.Errorf("conflict = %+v (%v)", conflict, err)
	}
	if got, _ := os.ReadFile(p.path("setup.cfg")); string(got) != edited {
		t.Errorf("the edited setup.cfg was clobbered: %q", got)
	}
	if got, _ := os.ReadFile(p.path("setup.cfg.orig.1")); string(got) != projectFiles["setup.cfg"].content {
		t.Errorf("setup.cfg.orig.1 = %q, want the original", got)
	}
	if got, _ := os.ReadFile(p.path("setup.cfg.orig")); string(got) != "older\n" {
		t.Errorf("setup.cfg.orig = %q, want it untouched", got)
	}
	for _, name := range []string{"pkg/version.py", "pyproject.toml"} {
		if got, _ := os.ReadFile(p.path(name)); string(got) != projectFiles[name].content {
			t.Errorf("%s = %q, want the original", name, got)
		}
	}
	if p.journalExists(t) {
		t.Error("journal left behind: every later stamp would fail")
	}
}

func TestRecoverRestoresModeOfStampedFile(t *testing.T) {
	p := newProject(t)
	crash(t, p)
	if err := os.Chmod(p.path("setup.cfg"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Recover(context.Background(), p.dir); err != nil {
		t.Fatal(err)
	}
	p.assertOriginal(t)
}

func TestRecoverRefusesACorruptJournal(t *testing.T) {
	p := newProject(t)
	crash(t, p)
	if err := os.WriteFile(filepath.Join(mustJournalPath(t, p.dir), "original-0"), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	restored, err := Recover(context.Background(), p.dir)
	if !errors.Is(err, ErrJournal) || !strings.Contains(err.Error(), "pkg/version.py") {
		t.Fatalf("Recover = %q, %v; want ErrJournal naming pkg/version.py", restored, err)
	}
	// Nothing is restored from a journal that cannot be trusted.
	p.assertVersion(t, "9.0.0")
	if !p.journalExists(t) {
		t.Error("the journal was removed")
	}
}

func TestRecoverDropsAJournalWithoutManifest(t *testing.T) {
	p := newProject(t)
	jdir := mustJournalPath(t, p.dir)
	if err := os.MkdirAll(jdir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(jdir, "original-0"), []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	restored, err := Recover(context.Background(), p.dir)
	if err != nil || len(restored) != 0 {
		t.Errorf("Recover = %q, %v", restored, err)
	}
	if p.journalExists(t) {
		t.Error("journal left behind")
	}
	p.assertOriginal(t)
}
