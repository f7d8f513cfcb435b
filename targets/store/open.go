package store

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
)

// Open returns the store a URL names:
//
//	file:///abs/dir, file://rel/dir or a bare path   a local folder (relative to base)
//	s3://bucket/prefix                                 an S3 bucket
//
// An s3 URL may carry settings as query parameters, which win over o:
// endpoint, region, profile, path-style, acl, checksum, part-size (MiB),
// concurrency and latest-copy-limit (MiB: files this large get a pointer
// as their latest alias instead of a copy; 0 gives every alias a pointer),
// such as s3://snapshots/greet?endpoint=http://127.0.0.1:9000&path-style=true.
// With an endpoint and no path-style setting, path-style is used: that is
// what MinIO and most S3-compatible servers expect.
func Open(ctx context.Context, raw, base string, o S3Options) (Store, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, fmt.Errorf("store: no store URL")
	}
	scheme, rest, hasScheme := strings.Cut(raw, "://")
	if !hasScheme || len(scheme) == 1 { // a bare path, or a Windows drive letter
		return NewDir(resolve(base, raw))
	}
	switch strings.ToLower(scheme) {
	case "file":
		p := rest
		if u, err := url.Parse(raw); err == nil && u.Host == "" {
			p = u.Path
		}
		return NewDir(resolve(base, p))
	case "s3":
		u, err := url.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("store: %q: %w", raw, err)
		}
		if u.Host == "" {
			return nil, fmt.Errorf("store: %q: want s3://bucket/prefix, with a bucket", raw)
		}
		o.Bucket, o.Prefix = u.Host, strings.Trim(u.Path, "/")
		pathStyleSet, err := applyQuery(&o, u.Query())
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", redactQuery(u), err)
		}
		if o.Endpoint != "" && !pathStyleSet && !o.PathStyleSet {
			o.PathStyle = true
		}
		return NewS3(ctx, o)
	}
	return nil, fmt.Errorf("store: %q: unsupported scheme %q: want a path, file://DIR or s3://bucket/prefix", raw, scheme)
}

func resolve(base, p string) string {
	p = filepath.FromSlash(p)
	if filepath.IsAbs(p) || base == "" {
		return p
	}
	return filepath.Join(base, p)
}

// applyQuery sets options from an s3 URL's query; it reports whether
// path-style was given.
func applyQuery(o *S3Options, q url.Values) (pathStyleSet bool, err error) {
	for key, vals := range q {
		v := vals[len(vals)-1]
		switch key {
		case "endpoint":
			if u, err := url.Parse(v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return false, fmt.Errorf("endpoint %q: want an http or https URL", v)
			}
			o.Endpoint = v
		case "region":
			o.Region = v
		case "profile":
			o.Profile = v
		case "acl":
			if v != "" && v != "private" && v != "public-read" {
				return false, fmt.Errorf("acl %q: want \"private\" or \"public-read\"", v)
			}
			o.ACL = v
		case "checksum":
			if v != "when-supported" && v != "when-required" {
				return false, fmt.Errorf("checksum %q: want \"when-supported\" or \"when-required\"", v)
			}
			o.Checksum = v
		case "path-style":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return false, fmt.Errorf("path-style %q: want true or false", v)
			}
			o.PathStyle, pathStyleSet = b, true
		case "part-size":
			n, err := strconv.Atoi(v)
			if err != nil || n < 5 || n > 5120 {
				return false, fmt.Errorf("part-size %q: want MiB between 5 and 5120", v)
			}
			o.PartSize = int64(n) << 20
		case "concurrency":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 64 {
				return false, fmt.Errorf("concurrency %q: want 1 to 64", v)
			}
			o.Concurrency = n
		case "latest-copy-limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 5120 {
				return false, fmt.Errorf("latest-copy-limit %q: want MiB between 0 and 5120 (S3 copies at most 5 GiB at once)", v)
			}
			o.LatestCopyLimit = int64(n) << 20
			if n == 0 {
				o.LatestCopyLimit = -1
			}
		default:
			return false, fmt.Errorf("unknown setting %q: want endpoint, region, profile, path-style, acl, checksum, part-size, concurrency or latest-copy-limit", key)
		}
	}
	return pathStyleSet, nil
}

// redactQuery prints an s3 URL without its query (which may be long, and
// is named in the error anyway).
func redactQuery(u *url.URL) string {
	c := *u
	c.RawQuery = ""
	return c.String()
}
