package forge

import (
	"context"
	"net/http"
)

// apiRelease is a release as one forge's API answers it.
type apiRelease interface {
	release() *release
}

// findRelease asks byTag for the release of tag and, when that answers
// 404, looks through the list of releases page by page (page(n) is the
// URL of page n, of at most perPage releases; no more than pages are
// read): a forge's by-tag lookup does not return drafts. Nil and no error
// means the forge has no release of tag.
func findRelease[R apiRelease](ctx context.Context, c *client, tag, byTag string, page func(n int) string, perPage, pages int) (*release, error) {
	var r R
	err := c.call(ctx, "looking up release "+tag, http.MethodGet, byTag, nil, &r)
	if err == nil {
		return r.release(), nil
	}
	if !isStatus(err, http.StatusNotFound) {
		return nil, err
	}
	for n := 1; n <= pages; n++ {
		var list []R
		if err := c.call(ctx, "listing releases", http.MethodGet, page(n), nil, &list); err != nil {
			return nil, err
		}
		for _, r := range list {
			if rel := r.release(); rel.tag == tag {
				return rel, nil
			}
		}
		if len(list) < perPage {
			break
		}
	}
	return nil, nil
}

// sendRelease creates or updates a release (method POST, PATCH or PUT at u)
// and returns it as the forge answers.
func sendRelease[R apiRelease](ctx context.Context, c *client, doing, method, u string, body any) (*release, error) {
	var r R
	if err := c.call(ctx, doing, method, u, body, &r); err != nil {
		return nil, err
	}
	return r.release(), nil
}
