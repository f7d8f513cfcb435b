package pypi

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefaultVerifyInterval is how often Verify asks when interval is not set.
const DefaultVerifyInterval = 5 * time.Second

// Verify polls Existing until every file is listed with its sha256 or
// timeout passes; the error, a *VerifyError wrapping ErrNotServed, lists
// what is missing or different. Indexes behind a cache (PyPI's CDN) may
// take a while to list new files, hence the polling.
//
// timeout bounds the whole wait, a listing in progress included: an index
// that stops sending halfway through a page cannot hold a release past
// it. With timeout <= 0 Verify lists once.
func (c *Client) Verify(ctx context.Context, repo Repository, project string, files []File, timeout, interval time.Duration) error {
	if interval <= 0 {
		interval = DefaultVerifyInterval
	}
	var timedOut error
	if timeout > 0 {
		timedOut = fmt.Errorf("the verify timeout of %s passed: %w", timeout, context.DeadlineExceeded)
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, timeout, timedOut)
		defer cancel()
	}
	indexURL := redactString(repo.IndexURL)
	if indexURL == "" {
		indexURL = redactString(repo.JSONURL)
	}
	var last *VerifyError // what the last complete listing showed
	for {
		got, err := c.Existing(ctx, repo, project)
		if err != nil && ctx.Err() != nil {
			// Cut short, maybe mid-body: what the previous listing
			// showed still stands.
			ve := &VerifyError{Project: project, IndexURL: indexURL}
			if last != nil {
				ve.Missing, ve.Different = last.Missing, last.Different
			}
			ve.Err = err
			if cause := context.Cause(ctx); !errors.Is(err, cause) {
				ve.Err = fmt.Errorf("%w, cutting short a listing: %v", cause, err)
			}
			return ve
		}
		ve := &VerifyError{Project: project, IndexURL: indexURL, Err: err}
		if err == nil {
			ve.compare(files, got)
			if len(ve.Missing) == 0 && len(ve.Different) == 0 {
				c.log().Info("verified", "project", project, "files", len(files), "repository", repo.String())
				return nil
			}
		}
		if timeout <= 0 {
			return ve
		}
		last = ve
		c.log().Debug("index does not serve all files yet", "project", project, "missing", ve.Missing, "different", len(ve.Different), "err", err)
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			// Running out of time is what the error says already; a
			// cancelled release is worth saying.
			if cause := context.Cause(ctx); ve.Err == nil && cause != timedOut {
				ve.Err = cause
			}
			return ve
		case <-t.C:
		}
	}
}

func (e *VerifyError) compare(files []File, got map[string]string) {
	for _, f := range files {
		sha, ok := got[f.Name]
		switch {
		case !ok:
			e.Missing = append(e.Missing, f.Name)
		case !strings.EqualFold(sha, f.SHA256):
			if e.Different == nil {
				e.Different = map[string]string{}
			}
			if sha == "" {
				sha = "none"
			}
			e.Different[f.Name] = sha
		}
	}
	slices.Sort(e.Missing)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
