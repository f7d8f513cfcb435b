package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
)

// backends returns a fresh empty store of each kind: a folder and a
// bucket on a real MinIO.
func backends(parent *testing.T) map[string]func(t *testing.T) Store {
	parent.Helper()
	var (
		once sync.Once
		m    *testenv.MinIO
		n    int
		mu   sync.Mutex
	)
	// bucket is a new bucket on one MinIO shared by every subtest.
	bucket := func(t *testing.T, query string) Store {
		once.Do(func() {
			m = testenv.StartMinIO(parent)
		})
		mu.Lock()
		n++
		name := fmt.Sprintf("bucket-%d", n)
		mu.Unlock()
		m.MakeBucket(name, false)
		return newS3(t, m, name, query)
	}
	return map[string]func(t *testing.T) Store{
		"dir": func(t *testing.T) Store {
			d, err := NewDir(filepath.Join(t.TempDir(), "store"))
			if err != nil {
				t.Fatal(err)
			}
			return d
		},
		"s3": func(t *testing.T) Store { return bucket(t, "") },
		// For servers that reject the SDK's checksums: parts are signed
		// with their sha256 instead.
		"s3-when-required": func(t *testing.T) Store { return bucket(t, "&checksum=when-required&part-size=5") },
	}
}

func newS3(t testing.TB, m *testenv.MinIO, bucket, query string) Store {
	t.Helper()
	for _, kv := range m.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.(interface{ Setenv(string, string) }).Setenv(k, v)
	}
	st, err := Open(context.Background(), "s3://"+bucket+"/greet?endpoint="+m.Endpoint+query, "", S3Options{MaxAttempts: 3})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// buildDist writes artifacts of one version into a dist directory.
func buildDist(t testing.TB, version, platform string, kinds ...string) (string, []dist.Artifact) {
	t.Helper()
	dir := t.TempDir()
	var arts []dist.Artifact
	for _, kind := range kinds {
		var name string
		var tags []string
		switch kind {
		case dist.KindWheel:
			name = "greet-" + version + "-py3-none-" + platform + ".whl"
			tags = []string{"py3-none-" + platform}
		case dist.KindSdist:
			name = "greet-" + version + ".tar.gz"
		case dist.KindArchive:
			name = "greet-" + version + "-" + platform + ".tar.gz"
			tags = []string{platform}
		case dist.KindInstaller:
			name = "greet-" + version + "-" + platform + ".run"
			tags = []string{platform}
		}
		data := []byte(strings.Repeat(name+"\n", 100))
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		arts = append(arts, dist.Artifact{Name: name, Path: name, Kind: kind, Version: version, Tags: tags,
			SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), Commit: strings.Repeat("a", 40),
			BuiltAt: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC), Project: "greet"})
	}
	return dir, arts
}

var allKinds = []string{dist.KindWheel, dist.KindSdist, dist.KindArchive, dist.KindInstaller}

func keys(t testing.TB, st Store, prefix string) []string {
	t.Helper()
	objs, err := st.List(context.Background(), prefix)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range objs {
		out = append(out, o.Key)
	}
	return out
}

func read(t testing.TB, st Store, key string) string {
	t.Helper()
	rc, _, err := st.Open(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestPublishTaggedThenAgain(t *testing.T) {
	for name, newStore := range backends(t) {
		t.Run(name, func(t *testing.T) {
			st := newStore(t)
			dir, arts := buildDist(t, "1.0.0", "linux_x86_64", allKinds...)
			o := PublishOptions{Store: st, Dir: dir, Artifacts: arts, Build: Build{Project: "greet", Version: "1.0.0", Tagged: true, Tag: "v1.0.0", Commit: arts[0].Commit}}
			res, err := Publish(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if res.Dir != "snapshots/v1.0.0" {
				t.Errorf("dir = %s", res.Dir)
			}
			want := []string{"index.html", "simple/greet/index.html", "simple/index.html",
				"snapshots/greet-latest-linux_x86_64.run", "snapshots/greet-latest-linux_x86_64.run.json",
				"snapshots/greet-latest-linux_x86_64.tar.gz", "snapshots/greet-latest-linux_x86_64.tar.gz.json"}
			for _, a := range arts {
				want = append(want, "snapshots/v1.0.0/"+a.Name, "snapshots/v1.0.0/"+a.Name+".json")
			}
			slices.Sort(want)
			if got := keys(t, st, ""); !slices.Equal(got, want) {
				t.Errorf("keys:\n got %q\nwant %q", got, want)
			}
			if got := keys(t, st, IncomingDir+"/"); len(got) != 0 {
				t.Errorf("left in .incoming: %q", got)
			}
			for _, a := range arts {
				sc, err := ParseSidecar(a.Name, []byte(read(t, st, "snapshots/v1.0.0/"+a.Name+".json")))
				if err != nil {
					t.Fatal(err)
				}
				if sc.SHA256 != a.SHA256 || sc.Size != a.Size || sc.File != a.Name || sc.Tag != "v1.0.0" || sc.Project != "greet" || sc.Kind != a.Kind {
					t.Errorf("sidecar of %s = %+v", a.Name, sc)
				}
				if err := st.Verify(context.Background(), "snapshots/v1.0.0/"+a.Name, a.Size, a.SHA256); err != nil {
					t.Error(err)
				}
			}
			if got := read(t, st, "snapshots/greet-latest-linux_x86_64.tar.gz"); got != strings.Repeat("greet-1.0.0-linux_x86_64.tar.gz\n", 100) {
				t.Errorf("latest alias holds %.40q", got)
			}
			index := read(t, st, "index.html")
			for _, a := range arts {
				if !strings.Contains(index, `href="snapshots/v1.0.0/`+a.Name+`#sha256=`+a.SHA256+`"`) {
					t.Errorf("index.html lacks %s with its sha256:\n%s", a.Name, index)
				}
			}
			simple := read(t, st, "simple/greet/index.html")
			if !strings.Contains(simple, "../../snapshots/v1.0.0/greet-1.0.0-py3-none-linux_x86_64.whl#sha256=") ||
				!strings.Contains(simple, "greet-1.0.0.tar.gz#sha256=") || strings.Contains(simple, ".run") || strings.Contains(simple, "latest") {
				t.Errorf("simple page:\n%s", simple)
			}

			// The same build again sends nothing and changes no artifact.
			before := stamps(t, st, "snapshots/v1.0.0/")
			res, err = Publish(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range res.Files {
				if !f.Skipped {
					t.Errorf("%s uploaded again", f.Name)
				}
			}
			if after := stamps(t, st, "snapshots/v1.0.0/"); !mapsEqual(before, after) {
				t.Errorf("artifacts rewritten:\n%v\n%v", before, after)
			}

			// Another build of the tag with other bytes (a rebuilt sdist):
			// the tag keeps what it has, unless told to replace it.
			dir2, arts2 := buildDist(t, "1.0.0", "linux_x86_64", dist.KindSdist)
			if err := os.WriteFile(filepath.Join(dir2, arts2[0].Name), []byte("rebuilt sdist"), 0o644); err != nil {
				t.Fatal(err)
			}
			sum, size, _ := dist.Hash(filepath.Join(dir2, arts2[0].Name))
			arts2[0].SHA256, arts2[0].Size = sum, size
			o2 := PublishOptions{Store: st, Dir: dir2, Artifacts: arts2, Build: o.Build}
			res, err = Publish(context.Background(), o2)
			if err != nil {
				t.Fatal(err)
			}
			if f := res.Files[0]; !f.Kept || f.KeptSHA256 != arts[1].SHA256 {
				t.Errorf("rebuilt sdist: %+v, want kept", f)
			}
			if got := read(t, st, "snapshots/v1.0.0/greet-1.0.0.tar.gz"); got == "rebuilt sdist" {
				t.Error("a tag's published sdist was replaced")
			}
			o2.ReplaceTagged = true
			if res, err = Publish(context.Background(), o2); err != nil || !res.Files[0].Replace {
				t.Fatalf("forced: %+v, %v", res, err)
			}
			if got := read(t, st, "snapshots/v1.0.0/greet-1.0.0.tar.gz"); got != "rebuilt sdist" {
				t.Error("-force did not replace the sdist")
			}
			if err := st.Verify(context.Background(), "snapshots/v1.0.0/greet-1.0.0.tar.gz", size, sum); err != nil {
				t.Error(err)
			}
		})
	}
}

func stamps(t testing.TB, st Store, prefix string) map[string]string {
	objs, err := st.List(context.Background(), prefix)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, o := range objs {
		if !IsSidecar(o.Key) {
			m[o.Key] = fmt.Sprint(o.Size, o.ModTime.UnixNano())
		}
	}
	return m
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestPublishBranchPrunesAndMovesLatest(t *testing.T) {
	for name, newStore := range backends(t) {
		t.Run(name, func(t *testing.T) {
			st := newStore(t)
			publish := func(version string, keep int) *Result {
				t.Helper()
				dir, arts := buildDist(t, version, "linux_x86_64", dist.KindWheel, dist.KindArchive)
				res, err := Publish(context.Background(), PublishOptions{Store: st, Dir: dir, Artifacts: arts, Keep: keep,
					Build: Build{Project: "greet", Version: version, Branch: "feature/login"}})
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			publish("1.0.1.dev1", 0)
			res := publish("1.0.1.dev2", 0)
			if res.Dir != "branches/feature-login" {
				t.Errorf("dir = %s", res.Dir)
			}
			want := []string{"greet-1.0.1.dev1-linux_x86_64.tar.gz", "greet-1.0.1.dev1-py3-none-linux_x86_64.whl"}
			for i := range want {
				want[i] = "branches/feature-login/" + want[i]
			}
			if !slices.Equal(res.Pruned, want) {
				t.Errorf("pruned %q, want %q", res.Pruned, want)
			}
			got := keys(t, st, "branches/")
			wantKeys := []string{
				"branches/feature-login/greet-1.0.1.dev2-linux_x86_64.tar.gz", "branches/feature-login/greet-1.0.1.dev2-linux_x86_64.tar.gz.json",
				"branches/feature-login/greet-1.0.1.dev2-py3-none-linux_x86_64.whl", "branches/feature-login/greet-1.0.1.dev2-py3-none-linux_x86_64.whl.json",
				"branches/feature-login/greet-latest-linux_x86_64.tar.gz", "branches/feature-login/greet-latest-linux_x86_64.tar.gz.json",
			}
			if !slices.Equal(got, wantKeys) {
				t.Errorf("keys:\n got %q\nwant %q", got, wantKeys)
			}
			if got := read(t, st, "branches/feature-login/greet-latest-linux_x86_64.tar.gz"); !strings.HasPrefix(got, "greet-1.0.1.dev2-") {
				t.Errorf("latest holds %.40q", got)
			}
			// An older build published late neither prunes the newer one nor takes latest.
			res = publish("1.0.1.dev1", 0)
			if len(res.Latest) != 0 {
				t.Errorf("latest moved back to an older build: %q", res.Latest)
			}
			if got := read(t, st, "branches/feature-login/greet-latest-linux_x86_64.tar.gz"); !strings.HasPrefix(got, "greet-1.0.1.dev2-") {
				t.Errorf("latest holds %.40q", got)
			}
			if !slices.Contains(keys(t, st, "branches/"), "branches/feature-login/greet-1.0.1.dev2-py3-none-linux_x86_64.whl") {
				t.Error("the newer build was pruned")
			}
			// keep = 3 keeps every build.
			publish("1.0.1.dev3", 3)
			n := 0
			for _, k := range keys(t, st, "branches/") {
				if strings.HasSuffix(k, ".whl") {
					n++
				}
			}
			if n != 3 {
				t.Errorf("%d wheels kept, want 3", n)
			}
			if idx := read(t, st, "index.html"); strings.Count(idx, ".whl#sha256=") != 3 {
				t.Errorf("index lists %d wheels:\n%s", strings.Count(idx, ".whl#sha256="), idx)
			}
		})
	}
}

func TestConcurrentPublishersAreAllListed(t *testing.T) {
	for name, newStore := range backends(t) {
		t.Run(name, func(t *testing.T) {
			st := newStore(t)
			platforms := []string{"linux_x86_64", "win_amd64", "macosx_11_0_arm64", "linux_aarch64"}
			for round := range 3 {
				version := fmt.Sprintf("2.0.%d", round)
				var wg sync.WaitGroup
				errs := make([]error, len(platforms))
				for i, p := range platforms {
					dir, arts := buildDist(t, version, p, dist.KindWheel, dist.KindArchive)
					wg.Add(1)
					go func() {
						defer wg.Done()
						_, errs[i] = Publish(context.Background(), PublishOptions{Store: st, Dir: dir, Artifacts: arts,
							Build: Build{Project: "greet", Version: version, Tagged: true, Tag: "v" + version}})
					}()
				}
				wg.Wait()
				if err := errors.Join(errs...); err != nil {
					t.Fatal(err)
				}
				idx := read(t, st, "index.html")
				for _, p := range platforms {
					for _, name := range []string{"greet-" + version + "-py3-none-" + p + ".whl", "greet-" + version + "-" + p + ".tar.gz"} {
						if !strings.Contains(idx, name+"#sha256=") {
							t.Errorf("round %d: index.html lacks %s", round, name)
						}
					}
				}
			}
		})
	}
}

func TestPublishRefusesChangedFilesAndDryRunWritesNothing(t *testing.T) {
	for name, newStore := range backends(t) {
		t.Run(name, func(t *testing.T) { testRefusesChanged(t, newStore(t)) })
	}
}

func testRefusesChanged(t *testing.T, st Store) {
	dir, arts := buildDist(t, "1.0.0", "any", dist.KindWheel)
	o := PublishOptions{Store: st, Dir: dir, Artifacts: arts, DryRun: true, Build: Build{Project: "greet", Version: "1.0.0", Tagged: true}}
	res, err := Publish(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 1 || res.Files[0].Skipped || res.Files[0].Key != "snapshots/v1.0.0/greet-1.0.0-py3-none-any.whl" {
		t.Errorf("plan = %+v", res.Files)
	}
	if got := keys(t, st, ""); len(got) != 0 {
		t.Errorf("dry run wrote %q", got)
	}
	if err := os.WriteFile(filepath.Join(dir, arts[0].Name), []byte("tampered"), 0o644); err != nil {
		t.Fatal(err)
	}
	o.DryRun = false
	if _, err := Publish(context.Background(), o); err == nil || !strings.Contains(err.Error(), "changed since it was built") {
		t.Errorf("err = %v", err)
	}
	// Same size, other bytes: caught by the sha256 as it uploads.
	same := []byte(strings.Repeat("x", int(arts[0].Size)))
	if err := os.WriteFile(filepath.Join(dir, arts[0].Name), same, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Publish(context.Background(), o); !errors.Is(err, ErrMismatch) || !strings.Contains(err.Error(), "changed since it was built: sha256") {
		t.Errorf("err = %v", err)
	}
	if got := keys(t, st, ""); len(got) != 0 {
		t.Errorf("a changed file left %q", got)
	}
	o.Build = Build{Project: "greet", Version: "1.0.1.dev1"}
	if _, err := Publish(context.Background(), o); err == nil || !strings.Contains(err.Error(), "neither at a tag nor on a branch") {
		t.Errorf("err = %v", err)
	}
}

func TestSafeBranchAndFamily(t *testing.T) {
	for in, want := range map[string]string{
		"main": "main", "feature/login": "feature-login", "release/1.x": "release-1.x", "..": "_..",
		".hidden": "_.hidden", "a//b": "a-b", "": "_", "dependabot/pip/requests-2.32": "dependabot-pip-requests-2.32",
		"ünïcode": "n-code",
	} {
		if got := SafeBranch(in); got != want {
			t.Errorf("SafeBranch(%q) = %q, want %q", in, got, want)
		}
	}
	for _, c := range []struct{ file, version, want string }{
		{"greet-1.0-py3-none-any.whl", "1.0", "greet-{version}-py3-none-any.whl"},
		{"greet-1.0_local-py3-none-any.whl", "1.0+local", "greet-{version}-py3-none-any.whl"},
		{"greet-1.0.tar.gz", "1.0", "greet-{version}.tar.gz"},
		{"tools-5.0.0.dev4-0xabcdef1-linux.tar.gz", "5.0.0.dev4-0xabcdef1", "tools-{version}-linux.tar.gz"},
		{"unrelated.txt", "1.0", ""},
	} {
		if got := Family(c.file, c.version); got != c.want {
			t.Errorf("Family(%q, %q) = %q, want %q", c.file, c.version, got, c.want)
		}
	}
	if got := LatestName("greet-{version}-linux.tar.gz", "archive"); got != "greet-latest-linux.tar.gz" {
		t.Errorf("LatestName = %q", got)
	}
	for _, kind := range []string{"wheel", "sdist"} {
		if got := LatestName("greet-{version}.tar.gz", kind); got != "" {
			t.Errorf("LatestName for a %s = %q, want none", kind, got)
		}
	}
}

// TestRacingTagPublishersAgree has matrix jobs publish the same new file
// name of a tag with different bytes (a rebuilt sdist) at the same moment:
// exactly one file stays, and its sidecar describes it.
func TestRacingTagPublishersAgree(t *testing.T) {
	for name, newStore := range backends(t) {
		t.Run(name, func(t *testing.T) {
			st := newStore(t)
			for round := range 4 {
				version := fmt.Sprintf("4.0.%d", round)
				var wg sync.WaitGroup
				results := make([]*Result, 4)
				errs := make([]error, 4)
				for job := range 4 {
					dir, arts := buildDist(t, version, "any", dist.KindSdist)
					body := fmt.Sprintf("sdist built by job %d\n", job)
					if err := os.WriteFile(filepath.Join(dir, arts[0].Name), []byte(body), 0o644); err != nil {
						t.Fatal(err)
					}
					sum, size, _ := dist.Hash(filepath.Join(dir, arts[0].Name))
					arts[0].SHA256, arts[0].Size = sum, size
					wg.Add(1)
					go func() {
						defer wg.Done()
						results[job], errs[job] = Publish(context.Background(), PublishOptions{Store: st, Dir: dir, Artifacts: arts,
							Build: Build{Project: "greet", Version: version, Tagged: true}})
					}()
				}
				wg.Wait()
				if err := errors.Join(errs...); err != nil {
					t.Fatal(err)
				}
				published := 0
				for _, r := range results {
					if !r.Files[0].Skipped {
						published++
					}
				}
				if published != 1 {
					t.Errorf("round %d: %d jobs published the file, want exactly 1", round, published)
				}
				key := "snapshots/v" + version + "/greet-" + version + ".tar.gz"
				sc, err := ParseSidecar(key, []byte(read(t, st, key+SidecarExt)))
				if err != nil {
					t.Fatal(err)
				}
				if err := st.Verify(context.Background(), key, sc.Size, sc.SHA256); err != nil {
					t.Errorf("round %d: the file is not what its sidecar says: %v", round, err)
				}
			}
		})
	}
}
