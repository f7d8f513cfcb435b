package pypi

import (
	"context"
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
func (c *Client) Verify(ctx context.Context, repo Repository, project string, files []File, timeout, interval time.Duration) error {
	if interval <= 0 {
		interval = DefaultVerifyInterval
	}
	deadline := time.Now().Add(timeout)
	for {
		got, err := c.Existing(ctx, repo, project)
		ve := &VerifyError{Project: project, IndexURL: redactString(repo.IndexURL), Err: err}
		if ve.IndexURL == "" {
			ve.IndexURL = redactString(repo.JSONURL)
		}
		if err == nil {
			ve.compare(files, got)
			if len(ve.Missing) == 0 && len(ve.Different) == 0 {
				c.log().Info("verified", "project", project, "files", len(files), "repository", repo.String())
				return nil
			}
		}
		left := time.Until(deadline)
		if left <= 0 {
			return ve
		}
		c.log().Debug("index does not serve all files yet", "project", project, "missing", ve.Missing, "different", len(ve.Different), "err", err)
		t := time.NewTimer(min(interval, left))
		select {
		case <-ctx.Done():
			t.Stop()
			if ve.Err == nil {
				ve.Err = context.Cause(ctx)
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
