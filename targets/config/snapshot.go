package config

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Snapshot is [tool.pyrelease.snapshot]: where CI jobs publish builds and
// where fetch reads them. PYRELEASE_STORE, PYRELEASE_KEEP and
// PYRELEASE_FETCH_FROM override store, keep and fetch-from.
//
//	[tool.pyrelease.snapshot]
//	store = "s3://releases/greet?region=eu-west-1"
//	endpoint = "http://127.0.0.1:9000"      # MinIO or another S3-compatible server
//	keep = 3
//	expect = ["greet-{version}.tar.gz", { pattern = "greet-{version}-{python}-{python}-{platform}.whl", python = ["cp311", "cp312"], platform = ["manylinux_2_17_x86_64", "win_amd64"] }]
type Snapshot struct {
	Store        string // file://DIR, a bare path (relative to the project) or s3://bucket/prefix[?query]; "" = the default, DefaultStoreDir in the git directory
	Keep         int    // builds of a branch kept per artifact family, >= 1; default 1
	Endpoint     string // S3-compatible server URL (http or https); "" = AWS
	Region       string // S3 region; "" = the SDK's own lookup
	Profile      string // shared-config profile; "" = the SDK's default
	PathStyle    bool   // path-style bucket addressing; see PathStyleSet
	PathStyleSet bool   // "path-style" was written: the store turns path style on for an endpoint only when it was not
	ACL          string // canned ACL of uploads: "", "private" or "public-read"
	CacheControl string // Cache-Control of uploads; "" = the store's default
	Checksum     string // "when-supported" (default) or "when-required", for servers that reject the SDK's default CRC32 checksums
	PartSize     int    // multipart part size in MiB, 5..5120; default 16
	Concurrency  int    // parallel transfers, 1..64; default 4
	// LatestCopyLimit is the size in MiB (0..5120; default 100) from which
	// an S3 latest alias is a small pointer page rather than a copy.
	LatestCopyLimit int
	FetchFrom       string   // HTML index page (http, https or file URL) fetch reads instead of the store; "" = the store
	AllowHosts      []string // hosts the fetch-from page's links may point to besides its own
	Expect          []Expect // the artifact set a release needs; nil = whatever was published
}

// Expect is one entry of "expect": a file-name glob (path.Match syntax) that
// may contain {version}, {python} and {platform}. The Python and Platform
// lists expand it as a cross product; a placeholder and its list come
// together, so a pattern cannot silently match nothing or ignore a list.
type Expect struct {
	Pattern  string
	Python   []string
	Platform []string
}

// Globs expands the entries for one version: every python × platform
// combination of each entry, with {version} replaced, in the order written
// and without repeats.
func (s Snapshot) Globs(version string) []string {
	var globs []string
	for _, e := range s.Expect {
		for _, py := range orOne(e.Python) {
			for _, plat := range orOne(e.Platform) {
				g := strings.NewReplacer(placeholderVersion, version, placeholderPython, py, placeholderPlatform, plat).Replace(e.Pattern)
				if !slices.Contains(globs, g) {
					globs = append(globs, g)
				}
			}
		}
	}
	return globs
}

// orOne lets an absent list take part in the cross product once.
func orOne(list []string) []string {
	if len(list) == 0 {
		return []string{""}
	}
	return list
}

const snapshotTable = toolTableName + ".snapshot"

// Names of the [tool.pyrelease.snapshot] keys.
const (
	snapKeyStore        = "store"
	snapKeyKeep         = "keep"
	snapKeyEndpoint     = "endpoint"
	snapKeyRegion       = "region"
	snapKeyProfile      = "profile"
	snapKeyPathStyle    = "path-style"
	snapKeyACL          = "acl"
	snapKeyCacheControl = "cache-control"
	snapKeyChecksum     = "checksum"
	snapKeyPartSize     = "part-size"
	snapKeyConcurrency  = "concurrency"
	snapKeyCopyLimit    = "latest-copy-limit"
	snapKeyFetchFrom    = "fetch-from"
	snapKeyAllowHosts   = "allow-hosts"
	snapKeyExpect       = "expect"
)

// SnapshotKeys lists every [tool.pyrelease.snapshot] setting in the order
// the documentation shows them; Env is "" for keys only the file sets.
var SnapshotKeys = []Key{
	{
		Name: snapKeyStore, Env: "PYRELEASE_STORE", Type: "string", Default: "{git dir}/pyrelease/snapshots",
		Doc: `Where builds are published: a directory (a bare path relative to the project, or a file:// URL) or an S3 bucket as s3://bucket/prefix; the default folder sits in the repository's git directory (its project subfolder in a monorepo), out of the source tree and the sdist.`,
	},
	{
		Name: snapKeyKeep, Env: "PYRELEASE_KEEP", Type: "integer", Default: "1",
		Doc: `How many builds of a branch are kept per artifact family; older ones are deleted when a new one is published.`,
	},
	{
		Name: snapKeyEndpoint, Type: "string", Default: "",
		Doc: `URL of an S3-compatible server such as MinIO (http or https); empty means AWS.`,
	},
	{
		Name: snapKeyRegion, Type: "string", Default: "",
		Doc: `S3 region; empty means the AWS SDK's own lookup (AWS_REGION, the profile).`,
	},
	{
		Name: snapKeyProfile, Type: "string", Default: "",
		Doc: `Profile of the AWS shared config and credentials files; empty means the SDK's default (AWS_PROFILE or "default").`,
	},
	{
		Name: snapKeyPathStyle, Type: "boolean", Default: "",
		Doc: `Whether bucket requests use path-style addressing; unset means on when endpoint is set (as MinIO needs) and off for AWS.`,
	},
	{
		Name: snapKeyACL, Type: "string", Default: "",
		Doc: `Canned ACL of uploaded objects, "private" or "public-read"; empty means the bucket's default.`,
	},
	{
		Name: snapKeyCacheControl, Type: "string", Default: "",
		Doc: `Cache-Control header of uploaded objects; empty means the store's default.`,
	},
	{
		Name: snapKeyChecksum, Type: "string", Default: checksumWhenSupported,
		Doc: `When uploads carry checksums: "when-supported", or "when-required" for S3-compatible servers that reject the SDK's default CRC32 checksums.`,
	},
	{
		Name: snapKeyPartSize, Type: "integer", Default: "16",
		Doc: `Part size of multipart uploads in MiB, from 5 to 5120.`,
	},
	{
		Name: snapKeyConcurrency, Type: "integer", Default: "4",
		Doc: `How many transfers run in parallel, from 1 to 64.`,
	},
	{
		Name: snapKeyCopyLimit, Type: "integer", Default: "100",
		Doc: `Size in MiB, from 0 to 5120, from which an S3 latest alias is a small pointer page to the versioned file instead of a server-side copy; 0 makes every alias a pointer.`,
	},
	{
		Name: snapKeyFetchFrom, Env: "PYRELEASE_FETCH_FROM", Type: "string", Default: "",
		Doc: `URL of an HTML index page (http, https or file) that fetch reads instead of the store; empty means the store.`,
	},
	{
		Name: snapKeyAllowHosts, Type: "array of strings", Default: "",
		Doc: `Hosts that links of the fetch-from page may point to besides the page's own host.`,
	},
	{
		Name: snapKeyExpect, Type: "array of strings and {pattern, python, platform} tables", Default: "",
		Doc: `The artifact set a release needs, as file-name globs that may contain {version}, {python} and {platform}, the last two expanded from the entry's python and platform lists; empty means whatever was published.`,
	},
}

// Defaults and allowed values of [tool.pyrelease.snapshot].
const (
	checksumWhenSupported = "when-supported"
	placeholderVersion    = "{version}"
	placeholderPython     = "{python}"
	placeholderPlatform   = "{platform}"
)

var (
	storeSchemes     = []string{"file", "s3"}
	acls             = []string{"private", "public-read"}
	checksumModes    = []string{checksumWhenSupported, "when-required"}
	fetchFromSchemes = []string{"http", "https", "file"}
	expectKeys       = []string{"pattern", "python", "platform"}
	placeholders     = []string{placeholderVersion, placeholderPython, placeholderPlatform}
	placeholderRe    = regexp.MustCompile(`\{[^{}/]*\}`)
)

func defaultSnapshot() Snapshot {
	return Snapshot{Keep: 1, Checksum: checksumWhenSupported, PartSize: 16, Concurrency: 4, LatestCopyLimit: 100}
}

// snapshotSetters is what the decoder accepts, keyed by name; a test keeps
// it in step with SnapshotKeys. Each stores one value into s; problems are
// *ValueError with Key set (refined for list entries), and the caller says
// where the value came from.
func snapshotSetters() map[string]func(s *Snapshot, v any) error {
	return map[string]func(s *Snapshot, v any) error{
		snapKeyStore: func(s *Snapshot, v any) error { return setChecked(snapKeyStore, v, checkStore, &s.Store) },
		snapKeyKeep: func(s *Snapshot, v any) error {
			return setInt(snapKeyKeep, v, 1, 0, "an integer >= 1 (builds kept per branch and artifact family)", &s.Keep)
		},
		snapKeyEndpoint: func(s *Snapshot, v any) error { return setChecked(snapKeyEndpoint, v, checkEndpoint, &s.Endpoint) },
		snapKeyRegion:   func(s *Snapshot, v any) error { return setChecked(snapKeyRegion, v, nil, &s.Region) },
		snapKeyProfile:  func(s *Snapshot, v any) error { return setChecked(snapKeyProfile, v, nil, &s.Profile) },
		snapKeyPathStyle: func(s *Snapshot, v any) error {
			b, ok := v.(bool)
			if !ok {
				return &ValueError{Key: snapKeyPathStyle, Want: "a boolean (true or false, unquoted)", Got: describe(v), Err: ErrType}
			}
			s.PathStyle, s.PathStyleSet = b, true
			return nil
		},
		snapKeyACL: func(s *Snapshot, v any) error {
			return setChecked(snapKeyACL, v, oneOf(`"private" or "public-read" (or "" for the bucket's default)`, append([]string{""}, acls...)), &s.ACL)
		},
		snapKeyCacheControl: func(s *Snapshot, v any) error { return setChecked(snapKeyCacheControl, v, nil, &s.CacheControl) },
		snapKeyChecksum: func(s *Snapshot, v any) error {
			return setChecked(snapKeyChecksum, v, oneOf(`"when-supported" or "when-required"`, checksumModes), &s.Checksum)
		},
		snapKeyPartSize: func(s *Snapshot, v any) error {
			return setInt(snapKeyPartSize, v, 5, 5120, "an integer from 5 to 5120 (MiB, the limits of S3 multipart parts)", &s.PartSize)
		},
		snapKeyConcurrency: func(s *Snapshot, v any) error {
			return setInt(snapKeyConcurrency, v, 1, 64, "an integer from 1 to 64", &s.Concurrency)
		},
		snapKeyCopyLimit: func(s *Snapshot, v any) error {
			return setInt(snapKeyCopyLimit, v, 0, 5120, "an integer from 0 to 5120 (MiB; S3 copies at most 5 GiB at once)", &s.LatestCopyLimit)
		},
		snapKeyFetchFrom: func(s *Snapshot, v any) error { return setChecked(snapKeyFetchFrom, v, checkFetchFrom, &s.FetchFrom) },
		snapKeyAllowHosts: func(s *Snapshot, v any) error {
			hosts, err := stringList(snapKeyAllowHosts, v)
			if err != nil {
				return err
			}
			for i, h := range hosts {
				if h == "" || strings.ContainsAny(h, "/ \t@") {
					return &ValueError{Key: fmt.Sprintf("%s[%d]", snapKeyAllowHosts, i),
						Want: "a host name such as files.example.org (no scheme, path or user)", Got: quoteShort(h), Err: ErrInvalid}
				}
			}
			s.AllowHosts = hosts
			return nil
		},
		snapKeyExpect: setExpect,
	}
}

// snapshotTableDef is [tool.pyrelease.snapshot] for the decoder.
func snapshotTableDef() subTable[Snapshot] {
	return subTable[Snapshot]{name: snapshotTable, keys: SnapshotKeys, set: snapshotSetters(),
		intWant: map[string]string{snapKeyKeep: "an integer >= 1"}}
}

// decodeSnapshot reads [tool.pyrelease.snapshot] strictly, over the
// defaults.
func decodeSnapshot(file string, raw any, c *Config) error {
	s := defaultSnapshot()
	if err := snapshotTableDef().decode(file, raw, &s); err != nil {
		return err
	}
	c.Snapshot = s
	return nil
}

func snapshotKeyNames() []string { return snapshotTableDef().keyNames() }

// applySnapshotEnv lets PYRELEASE_STORE, PYRELEASE_KEEP and
// PYRELEASE_FETCH_FROM override the file, with the same checks, so a CI job
// can point one run at another store.
func (c *Config) applySnapshotEnv(getenv func(string) string) error {
	return snapshotTableDef().applyEnv(getenv, &c.Snapshot)
}

// setChecked stores a string value after check (nil = any string) accepts it.
func setChecked(key string, v any, check func(string) *ValueError, dst *string) error {
	s, ok := v.(string)
	if !ok {
		return &ValueError{Key: key, Want: "a string", Got: describe(v), Err: ErrType}
	}
	if check != nil {
		if e := check(s); e != nil {
			e.Key = key
			return e
		}
	}
	*dst = s
	return nil
}

// setInt stores an integer from lo to hi; hi 0 means no upper bound.
func setInt(key string, v any, lo, hi int64, want string, dst *int) error {
	n, ok := v.(int64)
	if !ok {
		return &ValueError{Key: key, Want: want, Got: describe(v), Err: ErrType}
	}
	if n < lo || (hi > 0 && n > hi) {
		return &ValueError{Key: key, Want: want, Got: strconv.FormatInt(n, 10), Err: ErrInvalid}
	}
	*dst = int(n)
	return nil
}

func oneOf(want string, allowed []string) func(string) *ValueError {
	return func(s string) *ValueError {
		if slices.Contains(allowed, s) {
			return nil
		}
		return &ValueError{Want: want, Got: quoteShort(s), Err: ErrInvalid}
	}
}

// checkStore accepts a bare path, a file:// URL or an s3:// URL naming a
// bucket. Credentials never belong in the URL: the SDK finds them itself,
// and a URL ends up in logs.
func checkStore(s string) *ValueError {
	const want = `a directory path, a file:// URL or an s3://bucket/prefix URL`
	if strings.TrimSpace(s) == "" {
		return &ValueError{Want: want, Got: `""`, Err: ErrInvalid}
	}
	if !strings.Contains(s, "://") {
		return nil
	}
	u, e := parseURL(s, want)
	if e != nil {
		return e
	}
	switch u.Scheme {
	case "file":
		if u.Host == "" && u.Path == "" {
			return &ValueError{Want: "a directory after file://", Got: quoteShort(s), Err: ErrInvalid}
		}
	case "s3":
		if u.Host == "" {
			return &ValueError{Want: "a bucket name after s3://, as in s3://bucket/prefix", Got: quoteShort(u.Redacted()), Err: ErrInvalid}
		}
		if u.User != nil {
			return &ValueError{Want: "an s3:// URL without credentials (they come from the environment or the profile)", Got: quoteShort(u.Redacted()), Err: ErrInvalid}
		}
	default:
		return &ValueError{Want: want + " (URL schemes: " + quoteList(storeSchemes) + ")", Got: quoteShort(u.Redacted()), Err: ErrInvalid}
	}
	return nil
}

func checkEndpoint(s string) *ValueError {
	const want = "an http or https URL of an S3-compatible server, such as http://127.0.0.1:9000"
	if s == "" {
		return nil
	}
	u, e := parseURL(s, want)
	if e != nil {
		return e
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &ValueError{Want: want, Got: quoteShort(u.Redacted()), Err: ErrInvalid}
	}
	if u.User != nil {
		return &ValueError{Want: "an endpoint URL without credentials (they come from the environment or the profile)", Got: quoteShort(u.Redacted()), Err: ErrInvalid}
	}
	return nil
}

func checkFetchFrom(s string) *ValueError {
	const want = "an http, https or file URL of an HTML index page"
	if s == "" {
		return nil
	}
	u, e := parseURL(s, want)
	if e != nil {
		return e
	}
	switch {
	case !slices.Contains(fetchFromSchemes, u.Scheme):
		return &ValueError{Want: want + " (URL schemes: " + quoteList(fetchFromSchemes) + ")", Got: quoteShort(u.Redacted()), Err: ErrInvalid}
	case u.Scheme != "file" && u.Host == "":
		return &ValueError{Want: want + " with a host", Got: quoteShort(u.Redacted()), Err: ErrInvalid}
	case u.Scheme == "file" && u.Path == "":
		return &ValueError{Want: want + " with a path, as in file:///srv/index.html", Got: quoteShort(s), Err: ErrInvalid}
	}
	return nil
}

// parseURL parses s, keeping any password in s out of the error: url.Parse
// quotes the whole input in its own.
func parseURL(s, want string) (*url.URL, *ValueError) {
	u, err := url.Parse(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		got := "an unparsable URL"
		if !strings.Contains(s, "@") {
			got = quoteShort(s)
		}
		return nil, &ValueError{Want: want, Got: got, Err: ErrInvalid, Cause: err}
	}
	return u, nil
}

// setExpect accepts one glob, or a list of globs and {pattern, python,
// platform} tables.
func setExpect(s *Snapshot, v any) error {
	list, isList, ok := itemList(v)
	if !ok {
		return &ValueError{Key: snapKeyExpect, Want: "an array of file-name globs and {pattern, python, platform} tables", Got: describe(v), Err: ErrType}
	}
	s.Expect = nil
	for i, item := range list {
		key := snapKeyExpect
		if isList {
			key = fmt.Sprintf("%s[%d]", snapKeyExpect, i)
		}
		e, err := expectEntry(key, item)
		if err != nil {
			return err
		}
		s.Expect = append(s.Expect, e)
	}
	return nil
}

func expectEntry(key string, v any) (Expect, error) {
	var e Expect
	pkey := key // where the pattern was written
	switch v := v.(type) {
	case string:
		e.Pattern = v
	case map[string]any:
		for _, k := range sortedKeys(v) {
			if !slices.Contains(expectKeys, k) {
				// The caller fills in the file name.
				return Expect{}, unknownKey("", "["+snapshotTable+"] "+key, k, expectKeys)
			}
		}
		p, ok := v["pattern"].(string)
		if !ok {
			return Expect{}, &ValueError{Key: key + ".pattern", Want: "a file-name glob", Got: describeOrNone(v["pattern"]), Err: ErrType}
		}
		e.Pattern, pkey = p, key+".pattern"
		var err error
		if raw, ok := v["python"]; ok {
			if e.Python, err = stringList(key+".python", raw); err != nil {
				return Expect{}, err
			}
		}
		if raw, ok := v["platform"]; ok {
			if e.Platform, err = stringList(key+".platform", raw); err != nil {
				return Expect{}, err
			}
		}
	default:
		return Expect{}, &ValueError{Key: key, Want: "a file-name glob or a {pattern, python, platform} table", Got: describe(v), Err: ErrType}
	}
	if err := checkExpect(key, pkey, e); err != nil {
		return Expect{}, err
	}
	return e, nil
}

// checkExpect refuses entries that could never match a file: a bad glob, a
// path, a misspelt placeholder, or a placeholder without the list that fills
// it (and a list whose placeholder is missing, which would be ignored).
func checkExpect(key, pkey string, e Expect) error {
	bad := func(key, want, got string, cause error) error {
		return &ValueError{Key: key, Want: want, Got: got, Err: ErrInvalid, Cause: cause}
	}
	switch {
	case e.Pattern == "":
		return bad(pkey, "a file-name glob", `""`, nil)
	case strings.Contains(e.Pattern, "/"):
		return bad(pkey, "a file-name glob without /", quoteShort(e.Pattern), nil)
	}
	for _, p := range placeholderRe.FindAllString(e.Pattern, -1) {
		if !slices.Contains(placeholders, p) {
			return bad(pkey, "placeholders "+strings.Join(placeholders, ", ")+" only", fmt.Sprintf("%q in %s", p, quoteShort(e.Pattern)), nil)
		}
	}
	bare := strings.NewReplacer(placeholderVersion, "v", placeholderPython, "p", placeholderPlatform, "p").Replace(e.Pattern)
	if _, err := path.Match(bare, ""); err != nil {
		return bad(pkey, "a valid glob (path.Match syntax)", quoteShort(e.Pattern), err)
	}
	for _, l := range []struct {
		name, placeholder string
		values            []string
	}{
		{name: "python", placeholder: placeholderPython, values: e.Python},
		{name: "platform", placeholder: placeholderPlatform, values: e.Platform},
	} {
		has := strings.Contains(e.Pattern, l.placeholder)
		switch {
		case has && len(l.values) == 0:
			return bad(key, fmt.Sprintf("a %s list to expand %s, as in { pattern = %q, %s = [...] }", l.name, l.placeholder, e.Pattern, l.name), "none", nil)
		case !has && len(l.values) > 0:
			return bad(key+"."+l.name, fmt.Sprintf("%s in the pattern to go with the %s list", l.placeholder, l.name), quoteShort(e.Pattern), nil)
		}
		for i, val := range l.values {
			k := fmt.Sprintf("%s.%s[%d]", key, l.name, i)
			if val == "" || strings.Contains(val, "/") {
				return bad(k, "a non-empty name without /", quoteShort(val), nil)
			}
			if _, err := path.Match(val, ""); err != nil {
				return bad(k, "a valid glob (path.Match syntax)", quoteShort(val), err)
			}
		}
	}
	return nil
}
