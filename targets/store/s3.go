package store

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"golang.org/x/sync/errgroup"

	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/internal/redact"
)

// S3Options configure an S3 (or S3-compatible) store.
type S3Options struct {
	Bucket string
	Prefix string // key prefix inside the bucket, without slashes at the ends

	Endpoint  string // S3-compatible server, such as http://127.0.0.1:9000; "" = AWS
	Region    string // "" = from the environment, else us-east-1
	Profile   string // shared-config profile; "" = the SDK's default chain
	PathStyle bool   // bucket in the path rather than the host name (MinIO)
	// PathStyleSet says PathStyle was chosen; otherwise Open turns it on
	// when an endpoint is given.
	PathStyleSet bool

	ACL string // canned ACL of published objects: "", "private", "public-read"
	// Checksum is "when-supported" (the SDK's default CRC32 checksums) or
	// "when-required", for servers that reject those checksums.
	Checksum string

	PartSize    int64 // multipart part size; files up to this size go in one PUT. Default 16 MiB.
	Concurrency int   // requests carrying data at once, across files. Default 4.
	MaxAttempts int   // attempts per request. Default 6.

	// LatestCopyLimit is the size from which a latest alias is a pointer
	// rather than a copy (see Link); 0 means DefaultLatestCopyLimit, and a
	// negative size makes every alias a pointer.
	LatestCopyLimit int64

	// HTTPClient replaces the SDK's client (tests, proxies).
	HTTPClient *http.Client
}

// Defaults of S3Options.
const (
	DefaultPartSize    = 16 << 20
	DefaultConcurrency = 4
	minPartSize        = 5 << 20 // S3's minimum for every part but the last
	maxCopySize        = 5 << 30 // CopyObject's limit
)

// S3 is a store in an S3 bucket. Objects appear whole: a single PUT or a
// completed multipart upload, each of which S3 makes visible atomically.
type S3 struct {
	client *s3.Client
	o      S3Options
	slots  chan struct{} // bounds data-carrying requests
}

// NewS3 connects to the bucket and checks that it can be listed, so that
// a wrong endpoint, wrong credentials or a missing bucket are reported
// once, up front, in one line.
func NewS3(ctx context.Context, o S3Options) (*S3, error) {
	if o.Bucket == "" {
		return nil, fmt.Errorf("store: s3: no bucket")
	}
	o.Prefix = strings.Trim(o.Prefix, "/")
	if o.PartSize == 0 {
		o.PartSize = DefaultPartSize
	}
	if o.PartSize < minPartSize {
		return nil, fmt.Errorf("store: s3: part size %d is below S3's minimum of 5 MiB", o.PartSize)
	}
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 6
	}
	opts := []func(*awsconfig.LoadOptions) error{
		awsconfig.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(r *retry.StandardOptions) {
				r.MaxAttempts = o.MaxAttempts
				r.MaxBackoff = 5 * time.Second
				// The default token bucket stops retrying after a burst of
				// failures; a publisher would rather wait out a flaky server.
				r.RateLimiter = ratelimit.None
			})
		}),
	}
	if o.Profile != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(o.Profile))
	}
	if o.HTTPClient != nil {
		opts = append(opts, awsconfig.WithHTTPClient(o.HTTPClient))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("store: s3: loading AWS configuration: %w", err)
	}
	if inner := cfg.Credentials; inner != nil {
		// Keys from a profile or a credentials service are secrets of the
		// run as much as those in the environment.
		cfg.Credentials = aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
			c, err := inner.Retrieve(ctx)
			if err == nil {
				redact.Add(c.SecretAccessKey, c.SessionToken)
			}
			return c, err
		})
	}
	if o.Region != "" {
		cfg.Region = o.Region
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	switch o.Checksum {
	case "", "when-supported":
	case "when-required":
		cfg.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		cfg.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	default:
		return nil, fmt.Errorf("store: s3: checksum %q: want \"when-supported\" or \"when-required\"", o.Checksum)
	}
	client := s3.NewFromConfig(cfg, func(so *s3.Options) {
		if o.Endpoint != "" {
			so.BaseEndpoint = aws.String(o.Endpoint)
		}
		so.UsePathStyle = o.PathStyle
		// GETs of objects stored without a checksum are normal here (sidecars,
		// index pages); the SDK would print a line for each.
		so.DisableLogOutputChecksumValidationSkipped = true
	})
	st := &S3{client: client, o: o, slots: make(chan struct{}, o.Concurrency)}
	if err := st.probe(ctx); err != nil {
		return nil, err
	}
	return st, nil
}

// probe lists one key: the cheapest request whose errors tell a missing
// bucket from refused credentials.
func (s *S3) probe(ctx context.Context) error {
	_, err := s.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &s.o.Bucket, Prefix: aws.String(s.key("")), MaxKeys: aws.Int32(1)},
		func(so *s3.Options) { so.RetryMaxAttempts = min(s.o.MaxAttempts, 3) })
	return s.fail("LIST", "", err)
}

func (s *S3) key(k string) string {
	if s.o.Prefix == "" {
		return k
	}
	if k == "" {
		return s.o.Prefix + "/"
	}
	return s.o.Prefix + "/" + k
}

// Location implements Store.
func (s *S3) Location(key string) string {
	return "s3://" + s.o.Bucket + "/" + s.key(key)
}

func (s *S3) acquire(ctx context.Context) error {
	select {
	case s.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *S3) release() { <-s.slots }

// Upload implements Store. A file up to PartSize whose key is fresh goes
// straight to its key in one PUT, signed with o.SHA256 as payload hash,
// so the server itself checks the whole file's sha256, and S3 makes it
// visible whole; it is not trusted until its sidecar is written. Other
// files go as a multipart upload to the final key: S3 keeps the parts out
// of sight until Place completes it, which makes the whole object appear
// at once without copying its bytes again. Each part carries its own
// checksum (see partIntegrity) and the file's sha256 is checked here while
// it uploads. Bodies are read from the file in place (no buffering), so
// memory does not grow with the file.
func (s *S3) Upload(ctx context.Context, key, path string, o PutOptions) (Pending, error) {
	if !validKey(key) {
		return nil, fmt.Errorf("store: key %q: %w", key, ErrUnsafe)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if o.Fresh && fi.Size() <= s.o.PartSize {
		if err := s.put(ctx, key, f, fi.Size(), o); err != nil {
			return nil, err
		}
		return &s3Direct{s: s, key: key}, nil
	}
	hashed := make(chan error, 1)
	go func() { hashed <- s.checkHash(key, path, o.SHA256) }()
	st, err := s.stageFile(ctx, key, f, fi.Size(), o)
	herr := <-hashed
	if err == nil {
		err = st.check(ctx)
	}
	if err = cmp.Or(herr, err); err != nil {
		if st != nil {
			_ = st.Discard(ctx)
		}
		return nil, err
	}
	return st, nil
}

// checkHash compares the local file's sha256 with want ("" checks nothing).
func (s *S3) checkHash(key, path, want string) error {
	if want == "" {
		return nil
	}
	sum, size, err := dist.Hash(path)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if sum != want {
		return &MismatchError{Location: s.Location(key), WantSize: size, GotSize: size, WantSHA256: want, GotSHA256: sum}
	}
	return nil
}

// put sends a file in one PUT; with o.CreateOnly, If-None-Match makes it
// fail with ErrExists when the key is taken.
func (s *S3) put(ctx context.Context, key string, f *os.File, size int64, o PutOptions) error {
	if err := s.acquire(ctx); err != nil {
		return err
	}
	defer s.release()
	body := &sectionProgress{r: io.NewSectionReader(f, 0, size), progress: o.Progress}
	in := &s3.PutObjectInput{
		Bucket: &s.o.Bucket, Key: aws.String(s.key(key)), Body: body, ContentLength: aws.Int64(size),
		ContentType: nonEmpty(o.ContentType), CacheControl: nonEmpty(o.CacheControl), Metadata: meta(o), ACL: s.acl(),
	}
	var optFns []func(*s3.Options)
	if o.SHA256 != "" {
		optFns = append(optFns, withPayloadHash(o.SHA256))
	}
	if o.CreateOnly {
		in.IfNoneMatch = aws.String("*")
	}
	_, err := s.client.PutObject(ctx, in, optFns...)
	var ae smithy.APIError
	switch {
	case o.CreateOnly && preconditionFailed(err):
		return fmt.Errorf("store: %s: %w", s.Location(key), ErrExists)
	case errors.As(err, &ae) && ae.ErrorCode() == "XAmzContentSHA256Mismatch":
		return &MismatchError{Location: s.Location(key), WantSize: size, GotSize: size, WantSHA256: o.SHA256}
	}
	return s.fail("PUT", key, err)
}

// s3Direct is a file PUT straight to its key.
type s3Direct struct {
	s      *S3
	key    string
	placed bool
}

// Place implements Pending: the file is in place already.
func (d *s3Direct) Place(context.Context) error {
	d.placed = true
	return nil
}

// Discard implements Pending: nothing trusts the file yet, so it goes.
func (d *s3Direct) Discard(ctx context.Context) error {
	if d.placed {
		return nil
	}
	d.placed = true
	return d.s.Delete(context.WithoutCancel(ctx), d.key)
}

func (s *S3) stageFile(ctx context.Context, key string, f *os.File, size int64, o PutOptions) (_ *s3Staged, err error) {
	created, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: &s.o.Bucket, Key: aws.String(s.key(key)), ACL: s.acl(),
		ContentType: nonEmpty(o.ContentType), CacheControl: nonEmpty(o.CacheControl), Metadata: meta(o),
	})
	if err != nil {
		return nil, s.fail("PUT", key, err)
	}
	st := &s3Staged{s: s, key: key, uploadID: created.UploadId, size: size, createOnly: o.CreateOnly}
	defer func() {
		if err != nil {
			_ = st.Discard(ctx)
		}
	}()
	n := max(1, int((size+s.o.PartSize-1)/s.o.PartSize))
	st.parts = make([]types.CompletedPart, n)
	g, gctx := errgroup.WithContext(ctx)
	for i := range n {
		if err := s.acquire(gctx); err != nil {
			break
		}
		g.Go(func() error {
			defer s.release()
			off := int64(i) * s.o.PartSize
			length := min(s.o.PartSize, size-off)
			body := &sectionProgress{r: io.NewSectionReader(f, off, length), progress: o.Progress}
			out, err := s.client.UploadPart(gctx, &s3.UploadPartInput{
				Bucket: &s.o.Bucket, Key: aws.String(s.key(key)), UploadId: created.UploadId,
				PartNumber: aws.Int32(int32(i + 1)), Body: body, ContentLength: aws.Int64(length),
			}, s.partIntegrity)
			if err != nil {
				return s.fail(fmt.Sprintf("PUT part %d/%d of", i+1, n), key, err)
			}
			st.parts[i] = types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag,
				ChecksumCRC32: out.ChecksumCRC32, ChecksumCRC32C: out.ChecksumCRC32C, ChecksumCRC64NVME: out.ChecksumCRC64NVME,
				ChecksumSHA1: out.ChecksumSHA1, ChecksumSHA256: out.ChecksumSHA256}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return st, nil
}

// partIntegrity chooses how the server checks each part. With checksums
// on (the default), the SDK sends a CRC32 of the part, which the server
// verifies, and the request is not signed over a sha256 of the body: that
// would read and hash every byte a second time for the same guarantee.
// Servers that take no checksums ("when-required") get the signed sha256.
func (s *S3) partIntegrity(o *s3.Options) {
	if s.o.Checksum != "when-required" {
		o.APIOptions = append(o.APIOptions, v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)
	}
}

// preconditionFailed reports a 412: a create-only write found the key taken.
func preconditionFailed(err error) bool {
	var re *smithyhttp.ResponseError
	return errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusPreconditionFailed
}

// s3Staged is a multipart upload whose parts are all sent.
type s3Staged struct {
	createOnly bool
	placed     bool
	s          *S3
	key        string
	uploadID   *string
	size       int64
	parts      []types.CompletedPart
}

// check asks the server for the parts it holds: their number and sizes
// must add up to the file.
func (st *s3Staged) check(ctx context.Context) error {
	var total int64
	count := 0
	p := s3.NewListPartsPaginator(st.s.client, &s3.ListPartsInput{Bucket: &st.s.o.Bucket, Key: aws.String(st.s.key(st.key)), UploadId: st.uploadID})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return st.s.fail("LIST parts of", st.key, err)
		}
		for _, part := range page.Parts {
			total += aws.ToInt64(part.Size)
			count++
		}
	}
	if count != len(st.parts) || total != st.size {
		return &MismatchError{Location: st.s.Location(st.key) + " (staged)", WantSize: st.size, GotSize: total}
	}
	return nil
}

// Place implements Pending: the object appears whole, replacing any
// object of that key unless the upload is create-only.
func (st *s3Staged) Place(ctx context.Context) error {
	in := &s3.CompleteMultipartUploadInput{
		Bucket: &st.s.o.Bucket, Key: aws.String(st.s.key(st.key)), UploadId: st.uploadID,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: st.parts},
	}
	if st.createOnly {
		in.IfNoneMatch = aws.String("*")
	}
	_, err := st.s.client.CompleteMultipartUpload(ctx, in)
	if st.createOnly && preconditionFailed(err) {
		_ = st.Discard(ctx)
		return fmt.Errorf("store: %s: %w", st.s.Location(st.key), ErrExists)
	}
	if err == nil {
		st.placed = true
	}
	return st.s.fail("PUT (complete)", st.key, err)
}

// Discard implements Pending; it runs even when ctx is done, since parts
// left behind are billed.
func (st *s3Staged) Discard(ctx context.Context) error {
	if st.placed {
		return nil
	}
	st.placed = true
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	_, err := st.s.client.AbortMultipartUpload(actx, &s3.AbortMultipartUploadInput{Bucket: &st.s.o.Bucket, Key: aws.String(st.s.key(st.key)), UploadId: st.uploadID})
	return st.s.fail("ABORT upload of", st.key, err)
}

// PutBytes implements Store.
func (s *S3) PutBytes(ctx context.Context, key string, data []byte, o PutOptions) error {
	if !validKey(key) {
		return fmt.Errorf("store: key %q: %w", key, ErrUnsafe)
	}
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &s.o.Bucket, Key: aws.String(s.key(key)), Body: strings.NewReader(string(data)),
		ContentLength: aws.Int64(int64(len(data))), ContentType: nonEmpty(o.ContentType),
		CacheControl: nonEmpty(o.CacheControl), Metadata: meta(o), ACL: s.acl(),
	})
	if err != nil {
		return s.fail("PUT", key, err)
	}
	if dir, ok := strings.CutSuffix(key, "/"+IndexFile); ok {
		return s.putDirObject(ctx, dir, data)
	}
	return nil
}

// Open implements Store.
func (s *S3) Open(ctx context.Context, key string) (io.ReadCloser, Object, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.o.Bucket, Key: aws.String(s.key(key))})
	if err != nil {
		return nil, Object{}, s.fail("GET", key, err)
	}
	return out.Body, Object{Key: key, Size: aws.ToInt64(out.ContentLength), ModTime: aws.ToTime(out.LastModified), SHA256: out.Metadata[metaSHA256]}, nil
}

// Stat implements Store.
func (s *S3) Stat(ctx context.Context, key string) (Object, error) {
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.o.Bucket, Key: aws.String(s.key(key))})
	if err != nil {
		return Object{}, s.fail("HEAD", key, err)
	}
	return Object{Key: key, Size: aws.ToInt64(out.ContentLength), ModTime: aws.ToTime(out.LastModified), SHA256: out.Metadata[metaSHA256]}, nil
}

// List implements Store.
func (s *S3) List(ctx context.Context, prefix string) ([]Object, error) {
	var objs []Object
	root := s.key("")
	p := s3.NewListObjectsV2Paginator(s.client, &s3.ListObjectsV2Input{Bucket: &s.o.Bucket, Prefix: aws.String(root + prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, s.fail("LIST", prefix, err)
		}
		for _, o := range page.Contents {
			key := strings.TrimPrefix(aws.ToString(o.Key), root)
			if strings.HasSuffix(key, "/") || hiddenUnder(key, prefix) {
				continue
			}
			objs = append(objs, Object{Key: key, Size: aws.ToInt64(o.Size), ModTime: aws.ToTime(o.LastModified)})
		}
	}
	slices.SortFunc(objs, func(a, b Object) int { return strings.Compare(a.Key, b.Key) })
	return objs, nil
}

// Verify implements Store: the size the server reports and the sha256
// recorded at upload. The bytes themselves were checked by the server as
// they arrived (signed payload hashes).
func (s *S3) Verify(ctx context.Context, key string, size int64, sum string) error {
	obj, err := s.Stat(ctx, key)
	if err != nil {
		return err
	}
	if obj.Size != size || obj.SHA256 != sum {
		return &MismatchError{Location: s.Location(key), WantSize: size, GotSize: obj.Size, WantSHA256: sum, GotSHA256: obj.SHA256}
	}
	return nil
}

func (s *S3) copy(ctx context.Context, from, to string, o PutOptions, replace bool) error {
	in := &s3.CopyObjectInput{
		Bucket: &s.o.Bucket, Key: aws.String(s.key(to)), ACL: s.acl(),
		CopySource: aws.String(url.PathEscape(s.o.Bucket) + "/" + escapeKey(s.key(from))),
	}
	if replace {
		in.MetadataDirective = types.MetadataDirectiveReplace
		in.ContentType, in.CacheControl, in.Metadata = nonEmpty(o.ContentType), nonEmpty(o.CacheControl), meta(o)
	}
	_, err := s.client.CopyObject(ctx, in)
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "InvalidRequest" && strings.Contains(ae.ErrorMessage(), "5368709120") {
		return fmt.Errorf("store: COPY %s: objects over 5 GiB cannot be moved in one copy", s.Location(from))
	}
	return s.fail("COPY "+s.Location(from)+" to", to, err)
}

// Link implements Store. A target below LatestCopyLimit (and within
// CopyObject's 5 GiB) is copied server-side, the copy carrying the
// alias's own short Cache-Control so that it is fetched fresh soon after
// it moves: a plain URL then serves the file itself. A larger one would
// take nearly as long to copy as it took to upload, so the alias is a
// pointer: the page of pointerPage, whose website redirect sends S3
// static website hosting's visitors to the target with a 301.
func (s *S3) Link(ctx context.Context, alias, target string, o PutOptions) (pointer bool, err error) {
	if !validKey(alias) || !validKey(target) {
		return false, fmt.Errorf("store: link %q to %q: %w", alias, target, ErrUnsafe)
	}
	obj, err := s.Stat(ctx, target)
	if err != nil {
		return false, err
	}
	limit := s.o.LatestCopyLimit
	if limit == 0 {
		limit = DefaultLatestCopyLimit
	}
	if limit > 0 && obj.Size < limit && obj.Size <= maxCopySize {
		return false, s.copy(ctx, target, alias, o, true)
	}
	page := pointerPage(alias, target, o.SHA256)
	_, err = s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &s.o.Bucket, Key: aws.String(s.key(alias)), Body: bytes.NewReader(page),
		ContentLength: aws.Int64(int64(len(page))), ContentType: aws.String("text/html; charset=utf-8"),
		CacheControl: nonEmpty(o.CacheControl), ACL: s.acl(),
		// An absolute path in the bucket: the website endpoint serves the
		// whole bucket, prefix included.
		WebsiteRedirectLocation: aws.String("/" + escapeKey(s.key(target))),
	})
	if err != nil {
		return false, s.fail("PUT", alias, err)
	}
	return true, nil
}

// Delete implements Store.
func (s *S3) Delete(ctx context.Context, key string) error {
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.o.Bucket, Key: aws.String(s.key(key))})
	return s.fail("DELETE", key, err)
}

// Sweep implements Store: stale objects under .incoming, and multipart
// uploads never completed.
func (s *S3) Sweep(ctx context.Context, cutoff time.Time) ([]string, error) {
	removed := sweepIncoming(ctx, s, cutoff)
	return removed, s.AbortStale(ctx, "", cutoff)
}

// AbortStale aborts multipart uploads under prefix started before cutoff:
// what a killed publisher leaves behind.
func (s *S3) AbortStale(ctx context.Context, prefix string, cutoff time.Time) error {
	out, err := s.client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: &s.o.Bucket, Prefix: aws.String(s.key(prefix))})
	if err != nil {
		return s.fail("LIST uploads", prefix, err)
	}
	for _, u := range out.Uploads {
		if u.Initiated != nil && u.Initiated.Before(cutoff) {
			_, _ = s.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &s.o.Bucket, Key: u.Key, UploadId: u.UploadId})
		}
	}
	return nil
}

func (s *S3) acl() types.ObjectCannedACL {
	return types.ObjectCannedACL(s.o.ACL)
}

// metaSHA256 is the user-metadata key (x-amz-meta-sha256) holding the hex sha256.
const metaSHA256 = "sha256"

func meta(o PutOptions) map[string]string {
	if o.SHA256 == "" {
		return nil
	}
	return map[string]string{metaSHA256: o.SHA256}
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func escapeKey(k string) string {
	segs := strings.Split(k, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// withPayloadHash signs the request with a known sha256 of the body, so
// the server checks the body against it and the SDK need not read the
// file an extra time to compute it.
func withPayloadHash(sum string) func(*s3.Options) {
	return func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
			return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("PyreleasePayloadHash",
				func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
					return next.HandleFinalize(v4.SetPayloadHash(ctx, sum), in)
				}), middleware.Before)
		})
	}
}

// S3Error is a failed request: the operation, the object, and what the
// server (or the network) said, with a hint for the usual causes.
type S3Error struct {
	Op       string
	Location string
	Status   int    // HTTP status; 0 when no response came
	Code     string // S3 error code such as NoSuchBucket
	Message  string
	Hint     string
	Err      error
}

func (e *S3Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "store: %s %s: ", e.Op, e.Location)
	switch {
	case e.Code != "" && e.Status != 0:
		fmt.Fprintf(&b, "%d %s", e.Status, e.Code)
	case e.Code != "":
		b.WriteString(e.Code)
	case e.Status != 0:
		fmt.Fprintf(&b, "HTTP %d", e.Status)
	}
	if e.Message != "" {
		if b.Len() > 0 && !strings.HasSuffix(b.String(), ": ") {
			b.WriteString(": ")
		}
		b.WriteString(e.Message)
	}
	if e.Hint != "" {
		b.WriteString(" (" + e.Hint + ")")
	}
	return b.String()
}

func (e *S3Error) Unwrap() error { return e.Err }

// fail turns an SDK error into an S3Error; nil stays nil.
func (s *S3) fail(op, key string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("store: %s %s: %w", op, s.Location(key), err)
	}
	e := &S3Error{Op: op, Location: s.Location(key), Err: err}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		e.Status = re.Response.StatusCode
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		e.Code, e.Message = ae.ErrorCode(), ae.ErrorMessage()
	}
	var nsk *types.NoSuchKey
	var nf *types.NotFound
	var nsb *types.NoSuchBucket
	switch {
	case errors.As(err, &nsb) || e.Code == "NoSuchBucket":
		e.Hint = fmt.Sprintf("bucket %q does not exist at %s", s.o.Bucket, s.endpoint())
		e.Err = err
	case errors.As(err, &nsk) || errors.As(err, &nf) || e.Status == http.StatusNotFound:
		e.Err = errors.Join(ErrNotExist, err)
	case e.Code == "InvalidAccessKeyId" || e.Code == "SignatureDoesNotMatch" || e.Code == "InvalidToken" || e.Code == "ExpiredToken":
		e.Hint = "the credentials were refused: check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, AWS_PROFILE or the profile setting"
	case e.Code == "AccessDenied" || e.Status == http.StatusForbidden:
		e.Hint = "the credentials lack permission for this bucket or prefix"
	case strings.Contains(strings.ToLower(e.Code+e.Message), "checksum"):
		e.Hint = `the server rejected the request's checksum: set checksum = "when-required" for S3-compatible servers`
	case e.Status == 0 && e.Code == "":
		var ne net.Error
		var oe *net.OpError
		if errors.As(err, &oe) || errors.As(err, &ne) {
			e.Message = "cannot reach " + s.endpoint() + ": " + innermost(err)
		} else {
			e.Message = err.Error()
		}
	}
	if e.Message == "" && e.Code == "" {
		e.Message = innermost(err)
	}
	return e
}

func (s *S3) endpoint() string {
	if s.o.Endpoint != "" {
		return s.o.Endpoint
	}
	return "AWS S3"
}

// innermost returns the message of the deepest wrapped error: the SDK's
// wrapping ("operation error S3: PutObject, exceeded maximum number of
// attempts, 6, https response error ...") repeats what S3Error says.
func innermost(err error) string {
	var oe *net.OpError
	if errors.As(err, &oe) {
		return oe.Error()
	}
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err.Error()
		}
		err = u
	}
}

// sectionProgress is a seekable body that reports progress; a retried
// request seeks back to the start, and only bytes past the furthest point
// already reported count again.
type sectionProgress struct {
	r        *io.SectionReader
	progress func(int64)
	mu       sync.Mutex
	pos, max int64
}

func (p *sectionProgress) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.mu.Lock()
	p.pos += int64(n)
	if p.pos > p.max {
		if p.progress != nil {
			p.progress(p.pos - p.max)
		}
		p.max = p.pos
	}
	p.mu.Unlock()
	return n, err
}

func (p *sectionProgress) Seek(off int64, whence int) (int64, error) {
	n, err := p.r.Seek(off, whence)
	if err == nil {
		p.mu.Lock()
		p.pos = n
		p.mu.Unlock()
	}
	return n, err
}

// putDirObject writes an object whose key ends in '/', such as
// "simple/greet/", beside each dir/index.html: a static S3 endpoint has no
// directory index, and pip asks the index for "{project}/".
func (s *S3) putDirObject(ctx context.Context, dir string, data []byte) error {
	if !validKey(dir) {
		return fmt.Errorf("store: key %q: %w", dir, ErrUnsafe)
	}
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &s.o.Bucket, Key: aws.String(s.key(dir) + "/"), Body: strings.NewReader(string(data)),
		ContentLength: aws.Int64(int64(len(data))), ContentType: aws.String("text/html; charset=utf-8"),
		CacheControl: aws.String(shortCache), ACL: s.acl(),
	})
	return s.fail("PUT", dir+"/", err)
}
