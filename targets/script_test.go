package targets_test

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/pyrelease/pyrelease/targets/archive"
	"github.com/pyrelease/pyrelease/targets/internal/dev/servers"
	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

var (
	buildOnce sync.Once
	mageBin   string
	buildErr  error
)

// TestMain removes the compiled example magefile (tens of MB) when the
// tests are done with it.
func TestMain(m *testing.M) {
	code := m.Run()
	if mageBin != "" {
		os.RemoveAll(filepath.Dir(mageBin))
	}
	os.Exit(code)
}

// compileExample compiles the example project's magefile once per test
// process, as a user's `mage -compile` would: the binary the scripts run.
func compileExample(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "example-mage-")
		if err != nil {
			buildErr = err
			return
		}
		mageBin = filepath.Join(dir, "mage")
		cmd := exec.Command("go", "tool", "mage", "-compile", mageBin)
		cmd.Dir = filepath.Join("..", "examples")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("compiling the example magefile: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return mageBin
}

// TestScript runs the end-to-end scripts in testdata/script: each gets a
// fresh copy of the example project as a git repository and the compiled
// example magefile as `mage` on PATH.
func TestScript(t *testing.T) {
	// towncrier on PATH, for the bump of a project that keeps news
	// fragments; without it (outside CI) that script alone skips.
	towncrier, err := servers.Tool("PYRELEASE_TOWNCRIER", "reltools-*/bin/towncrier")
	if err != nil && testenv.InCI() {
		t.Fatalf("towncrier: %v", err)
	}
	runScripts(t, filepath.Join("testdata", "script"), scriptOptions{example: true, setup: func(env *testscript.Env) error {
		if towncrier != "" {
			env.Setenv("PATH", env.Getenv("PATH")+string(os.PathListSeparator)+filepath.Dir(towncrier))
		}
		return nil
	}})
}

// TestJourney runs the whole release journey (testdata/journey): two CI
// jobs of a build matrix publishing to one bucket at once, the release job
// uploading to a real index, pip installing from it, then dev snapshots.
// It is its own test so that `mage test` can show its log.
func TestJourney(t *testing.T) {
	runScripts(t, filepath.Join("testdata", "journey"), scriptOptions{example: true})
}

// scriptOptions says what a set of scripts starts from besides the
// servers: a copy of the example project as a git repository, more
// variables, more commands.
type scriptOptions struct {
	example    bool // each script starts in $WORK/proj, a git repository of examples/
	secondUser bool // a second Gitea account, $GITEA2_USER, $GITEA2_TOKEN, $GITEA2_UPLOAD_URL
	setup      func(env *testscript.Env) error
	cmds       map[string]func(ts *testscript.TestScript, neg bool, args []string)
}

// runScripts runs the scripts of dir with the servers and commands they
// use.
func runScripts(t *testing.T, dir string, o scriptOptions) {
	testenv.Require(t, "git")
	bin := compileExample(t)
	// One MinIO serves every script; each script gets its own bucket.
	var minio *testenv.MinIO
	if _, err := servers.Binary("PYRELEASE_MINIO", "minio"); err == nil || testenv.InCI() {
		minio = testenv.StartMinIO(t)
	}
	var buckets atomic.Int32
	// One Gitea serves as the package index; each script uploads as its own user.
	var gitea *testenv.Gitea
	if _, err := servers.Binary("PYRELEASE_GITEA", "gitea"); err == nil || testenv.InCI() {
		gitea = testenv.StartGitea(t)
	}
	var users atomic.Int32
	example, err := filepath.Abs(filepath.Join("..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	cmds := map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"waitfile": waitFile,
		"serve":    serve,
		"webhook":  webhook,
	}
	maps.Copy(cmds, o.cmds)
	testscript.Run(t, testscript.Params{
		Dir:                 dir,
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"))
			env.Setenv("HOME", filepath.Join(env.WorkDir, ".home"))
			for _, kv := range testenv.GitEnv() {
				if k, v, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "GIT_") {
					env.Setenv(k, v)
				}
			}
			// A fixed clock for commits, so the scripts are repeatable.
			env.Setenv("GIT_AUTHOR_DATE", "2026-11-01T12:00:00Z")
			env.Setenv("GIT_COMMITTER_DATE", "2026-11-01T12:00:00Z")
			env.Setenv("MAGEFILE_HASHFAST", "1")
			env.Setenv("PLATFORM", archive.Platform(runtime.GOOS, runtime.GOARCH))
			// pip must see only what a script gives it.
			env.Setenv("PIP_FIND_LINKS", "/nonexistent")
			env.Setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
			env.Setenv("PIP_DISABLE_PIP_VERSION_CHECK", "1")
			env.Setenv("PIP_NO_CACHE_DIR", "1")
			if gitea != nil {
				u := gitea.User(fmt.Sprintf("user%d", users.Add(1)))
				env.Setenv("GITEA_USER", u.Name)
				env.Setenv("GITEA_TOKEN", u.Token)
				env.Setenv("GITEA_UPLOAD_URL", u.UploadURL)
				env.Setenv("GITEA_SIMPLE_URL", u.SimpleURL)
				if o.secondUser {
					u := gitea.User(fmt.Sprintf("user%d", users.Add(1)))
					env.Setenv("GITEA2_USER", u.Name)
					env.Setenv("GITEA2_TOKEN", u.Token)
					env.Setenv("GITEA2_UPLOAD_URL", u.UploadURL)
				}
			}
			if minio != nil {
				bucket := fmt.Sprintf("script-%d", buckets.Add(1))
				minio.MakeBucket(bucket, true)
				env.Setenv("BUCKET", bucket)
				env.Setenv("S3_ENDPOINT", minio.Endpoint)
				for _, kv := range minio.Env() {
					k, v, _ := strings.Cut(kv, "=")
					env.Setenv(k, v)
				}
			}
			if o.setup != nil {
				if err := o.setup(env); err != nil {
					return err
				}
			}
			if !o.example {
				return nil
			}
			proj := filepath.Join(env.WorkDir, "proj")
			env.Cd = proj
			return gitProject(example, proj)
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "minio":
				return minio != nil, nil
			case "gitea":
				return gitea != nil, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: cmds,
	})
}

// gitProject copies a project into dst and makes it a git repository of
// one commit on main, with a fixed date.
func gitProject(src, dst string) error {
	if err := copyProject(src, dst); err != nil {
		return err
	}
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"add", "-A"},
		{"commit", "-q", "-m", "Initial commit"},
	} {
		if out, err := testenv.GitE(dst, []string{"GIT_AUTHOR_DATE=2026-11-01T12:00:00Z", "GIT_COMMITTER_DATE=2026-11-01T12:00:00Z"}, args...); err != nil {
			return fmt.Errorf("git %v: %v %s", args, err, out)
		}
	}
	return nil
}

// waitFile waits up to 30 s for a file to appear: the way a script knows a
// background command has reached the point it wants to interrupt.
func waitFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitfile path")
	}
	path := ts.MkAbs(args[0])
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.Fatalf("%s did not appear within 30s", args[0])
}

// serve serves a directory over HTTP on loopback until the script ends,
// and sets $SERVE_URL: a static web server in front of a folder store.
func serve(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: serve dir")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		ts.Fatalf("%v", err)
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(ts.MkAbs(args[0])))}
	go srv.Serve(l)
	ts.Defer(func() { srv.Close() })
	ts.Setenv("SERVE_URL", "http://"+l.Addr().String())
}

// webhook receives JSON notifications on loopback until the script ends,
// appending each body as one line to a file, and sets $WEBHOOK_URL.
func webhook(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: webhook file")
	}
	path := ts.MkAbs(args[0])
	var mu sync.Mutex
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		ts.Fatalf("%v", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			f.Write(append(bytes.Join(bytes.Fields(body), []byte(" ")), '\n'))
			f.Close()
		}
		w.WriteHeader(http.StatusNoContent)
	})}
	go srv.Serve(l)
	ts.Defer(func() { srv.Close() })
	ts.Setenv("WEBHOOK_URL", "http://"+l.Addr().String()+"/hook/secret-path-0123")
}

// copyProject copies the example project without its magefiles and build
// output: the scripts drive the compiled binary instead.
func copyProject(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		switch d.Name() {
		case "magefiles", "dist", "build", "__pycache__", ".pyrelease":
			return filepath.SkipDir
		}
		if strings.HasSuffix(d.Name(), ".egg-info") {
			return filepath.SkipDir
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode().Perm())
	})
}
