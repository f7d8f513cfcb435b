//go:build linux

package targets_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/dev/testenv"
	"github.com/pyrelease/pyrelease/targets/store"
)

// indexFiles returns what a user's simple index lists for greet (file
// name -> sha256), after downloading each file and checking that its
// bytes have that sha256.
func indexFiles(ctx context.Context, u testenv.GiteaUser) (map[string]string, error) {
	page := u.SimpleURL + "greet/"
	body, status, err := httpGet(ctx, page)
	if err != nil {
		return nil, err
	}
	files := map[string]string{}
	if status == http.StatusNotFound {
		return files, nil
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %d\n%s", page, status, body)
	}
	base, err := url.Parse(page)
	if err != nil {
		return nil, err
	}
	links, err := store.ParseLinks(base, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, l := range links {
		files[l.Name] = l.SHA256
		data, status, err := httpGet(ctx, l.URL.String())
		switch {
		case err != nil:
			errs = append(errs, err)
		case status != http.StatusOK:
			errs = append(errs, fmt.Errorf("the index lists %s, and GET %s answers %d", l.Name, l.URL.Redacted(), status))
		case fileSHA256(data) != l.SHA256:
			errs = append(errs, fmt.Errorf("the index lists %s with sha256 %s, and serves %d bytes with sha256 %s", l.Name, l.SHA256, len(data), fileSHA256(data)))
		}
	}
	return files, errors.Join(errs...)
}

func httpGet(ctx context.Context, u string) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return data, resp.StatusCode, err
}

func crashRelease(t *testing.T, bin string) {
	ctx := t.Context()
	gitea := testenv.StartGitea(t)
	p := newCrashProject(t, bin) // HEAD is at v0.1.0
	p.mage(t, nil, "wheel")
	want := p.recorded(t)
	// Each run uploads as a user of its own, whose index starts empty.
	noStore := filepath.Join(p.work, "no-store")
	userEnv := func(u testenv.GiteaUser) []string {
		return []string{"PYRELEASE_STORE=" + noStore, "PYRELEASE_REPOSITORY=" + u.UploadURL,
			"TWINE_USERNAME=" + u.Name, "TWINE_PASSWORD=" + u.Token, "PYRELEASE_VERIFY_TIMEOUT=60"}
	}

	// Uninterrupted releases: the index they leave, and how long one takes
	// at least.
	total := time.Duration(math.MaxInt64)
	for i := range 3 {
		u := gitea.User(fmt.Sprintf("reference%d", i))
		r := p.mage(t, userEnv(u), "release")
		got, err := indexFiles(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got, want) {
			t.Fatalf("after an uninterrupted mage release the index lists %v, want %v", got, want)
		}
		total = min(total, r.elapsed)
	}
	t.Logf("uninterrupted mage release: %s; files %v", total.Round(time.Millisecond), slices.Sorted(maps.Keys(want)))

	users := map[int]testenv.GiteaUser{}
	for _, seed := range crashSeedList() {
		users[seed] = gitea.User(fmt.Sprintf("seed%d", seed))
	}
	for _, seed := range crashSeedList() {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			u := users[seed]
			delay := crashDelay(seed, total)
			r := p.launch(t, delay, userEnv(u), "release")
			logCrash(t, seed, "release", delay, total, r)
			var errs []error
			if !r.killed && r.err != nil {
				errs = append(errs, fmt.Errorf("mage release failed without a kill: %v\n%s", r.err, r.output()))
			}
			got, err := indexFiles(ctx, u)
			if err != nil {
				errs = append(errs, fmt.Errorf("after the kill: %w", err))
			}
			t.Logf("seed %d: after the kill the index lists %d of %d files", seed, len(got), len(want))
			for name, sum := range got {
				if want[name] != sum {
					errs = append(errs, fmt.Errorf("after the kill the index lists %s with sha256 %s, the file's is %q", name, sum, want[name]))
				}
			}
			if r := p.launch(t, -1, userEnv(u), "release"); r.err != nil {
				errs = append(errs, fmt.Errorf("mage release after the kill: %v\n%s", r.err, r.output()))
			}
			got, err = indexFiles(ctx, u)
			if err != nil {
				errs = append(errs, fmt.Errorf("after the re-run: %w", err))
			}
			if !maps.Equal(got, want) {
				errs = append(errs, fmt.Errorf("after the re-run the index lists %v, want %v", got, want))
			}
			failSeed(t, seed, errs)
		})
	}
}
