package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pyrelease/pyrelease/targets/internal/dev/servers"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/pyrelease/pyrelease/targets/dist"
	"github.com/pyrelease/pyrelease/targets/internal/dev/gitgen"
)

// s3Scenario is what -only matches to select the S3 rows; each row names
// its own set of files.
const s3Scenario = "S3 publish to MinIO"

// Registered here rather than in main so that the S3 rows stay in one file.
var (
	s3Runs    = flag.Int("s3runs", 3, "timed runs of each side in the S3 scenario of 200 files")
	s3BigRuns = flag.Int("s3bigruns", 1, "timed runs of each side in the S3 scenario of one 2 GiB file")
	s3Query   = flag.String("s3query", "", "settings added to our store URL's query, such as concurrency=8")
)

// s3Options configure s3Bench.
type s3Options struct {
	bin     string // the compiled example magefile
	work    string // scratch directory, on the same disk as the MinIO data
	runs    int    // timed runs per side, 200 files
	bigRuns int    // timed runs per side, one 2 GiB file
	query   string // extra store URL settings for our side
}

// s3Set is one set of files published by both sides.
type s3Set struct {
	name  string
	files int
	size  int64
	runs  int
}

// Credentials of the throw-away server; nothing else knows them.
const (
	oursBucket   = "ours"
	peerBucket   = "peer"
	s3Prefix     = "bench"
	benchVersion = "1.0.0"
)

// s3Bench times `mage snapshot` to a MinIO bucket against
// `aws s3 cp --recursive` of the same dist/ directory to another bucket on
// the same server. The peer sends the 200 (or 1) files; ours also hashes
// each file, verifies each upload, moves it into place (a server-side
// copy), writes sidecars, latest aliases (copies) and index pages: all a
// user gets from one command.
func s3Bench(ctx context.Context, o s3Options) ([]row, error) {
	if o.runs < 1 || o.bigRuns < 1 {
		return nil, fmt.Errorf("S3: -s3runs %d and -s3bigruns %d: want at least 1 run each", o.runs, o.bigRuns)
	}
	awsBin, err := exec.LookPath("aws")
	if err != nil {
		return nil, fmt.Errorf("S3: the AWS CLI is needed as the peer: install it (pip install awscli, or Debian's awscli): %w", err)
	}
	minio, err := servers.Binary("PYRELEASE_MINIO", "minio")
	if err != nil {
		return nil, fmt.Errorf("S3: MinIO is needed: %w", err)
	}
	awsVersion := "aws"
	if out, err := exec.CommandContext(ctx, awsBin, "--version").CombinedOutput(); err == nil {
		if f := strings.Fields(string(out)); len(f) > 0 {
			awsVersion = f[0]
		}
	}
	srv, err := servers.StartMinIO(ctx, minio, filepath.Join(o.work, "minio"))
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	fmt.Fprintf(os.Stderr, "bench: S3: MinIO at %s\n", srv.Endpoint)
	client := srv.Client()
	for _, b := range []string{oursBucket, peerBucket} {
		if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			return nil, fmt.Errorf("S3: creating bucket %s: %w", b, err)
		}
	}
	sets := []s3Set{
		{name: "200 wheels of 5 MB to MinIO", files: 200, size: 5_000_000, runs: o.runs},
		{name: "one 2 GiB archive to MinIO", files: 1, size: 2 << 30, runs: o.bigRuns},
	}
	var rows []row
	for i, set := range sets {
		r, err := s3Measure(ctx, o, srv, client, set, filepath.Join(o.work, fmt.Sprintf("s3-%d", i)), awsBin, awsVersion)
		if err != nil {
			return nil, fmt.Errorf("S3: %s: %w", set.name, err)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

func s3Measure(ctx context.Context, o s3Options, srv *servers.MinIO, client *s3.Client, set s3Set, dir, awsBin, awsVersion string) (row, error) {
	start := time.Now()
	names, err := s3Project(ctx, dir, set)
	if err != nil {
		return row{}, err
	}
	fmt.Fprintf(os.Stderr, "bench: S3: %s generated in %s\n", set.name, time.Since(start).Round(time.Millisecond))

	store := "s3://" + oursBucket + "/" + s3Prefix + "?endpoint=" + url.QueryEscape(srv.Endpoint)
	if o.query != "" {
		store += "&" + o.query
	}
	oursArgv := []string{o.bin, "snapshot"}
	// The manifest is ours' input, not an artifact: the peer sends what
	// ours publishes, the files themselves.
	peerArgv := []string{awsBin, "--endpoint-url", srv.Endpoint, "s3", "cp", "--recursive", "--only-show-errors",
		"--exclude", dist.Sub + "/" + dist.FileName, filepath.Join(dir, "dist") + "/", "s3://" + peerBucket + "/" + s3Prefix + "/"}
	var oursTimes, peerTimes []time.Duration
	var oursRSS, peerRSS int64
	for i := range set.runs {
		for _, side := range []struct {
			name, bucket, keyDir string
			argv, env            []string
			times                *[]time.Duration
			rss                  *int64
		}{
			{name: "mage snapshot", bucket: oursBucket, keyDir: s3Prefix + "/snapshots/v" + benchVersion, argv: oursArgv,
				env: minioEnv(srv, "PYRELEASE_STORE="+store), times: &oursTimes, rss: &oursRSS},
			{name: "aws s3 cp", bucket: peerBucket, keyDir: s3Prefix, argv: peerArgv, env: minioEnv(srv), times: &peerTimes, rss: &peerRSS},
		} {
			// Every run sends everything: ours skips files already there.
			if err := emptyBucket(ctx, client, side.bucket); err != nil {
				return row{}, err
			}
			// Neither side pays for the disk writes of the other.
			syncDisks()
			took, rss, err := timed(ctx, dir, side.env, side.argv)
			if err != nil {
				return row{}, err
			}
			if err := checkUploaded(ctx, client, side.bucket, side.keyDir, names, set.size); err != nil {
				return row{}, fmt.Errorf("after %s: %w", side.name, err)
			}
			*side.times = append(*side.times, took)
			*side.rss = max(*side.rss, rss)
			fmt.Fprintf(os.Stderr, "bench: S3: %s: run %d/%d: %s in %s, peak RSS %s\n", set.name, i+1, set.runs, side.name,
				took.Round(time.Millisecond), mib(rss))
		}
	}
	for _, b := range []string{oursBucket, peerBucket} {
		if err := emptyBucket(ctx, client, b); err != nil {
			return row{}, err
		}
	}
	what := "mage snapshot"
	if o.query != "" {
		what += " (" + o.query + ")"
	}
	oursMean, oursStd := meanStd(oursTimes)
	peerMean, peerStd := meanStd(peerTimes)
	return row{
		scenario: "S3: " + set.name, what: what, peerName: awsVersion + " s3 cp --recursive",
		oursMean: oursMean, oursStd: oursStd, peerMean: peerMean, peerStd: peerStd,
		oursRSS: oursRSS, peerRSS: peerRSS,
	}, nil
}

// s3Project makes a repository tagged v1.0.0 whose dist/ holds the set's
// files of random (incompressible) bytes, recorded in artifacts.json as a
// build would record them. It returns the file names.
func s3Project(ctx context.Context, dir string, set s3Set) ([]string, error) {
	if err := os.MkdirAll(filepath.Join(dir, "dist"), 0o755); err != nil {
		return nil, err
	}
	for name, content := range map[string]string{
		"pyproject.toml": "[project]\nname = \"bench\"\n",
		// A tracked dist/ would make the tree dirty, and the build untagged.
		".gitignore": "/dist/\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return nil, err
		}
	}
	env := gitgen.DefaultEnv()
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "Bench"}, {"tag", "v" + benchVersion}} {
		if _, err := gitgen.Git(ctx, dir, env, nil, args...); err != nil {
			return nil, err
		}
	}
	commit, err := gitgen.Git(ctx, dir, env, nil, "rev-parse", "HEAD")
	if err != nil {
		return nil, err
	}
	rng := rand.NewChaCha8([32]byte{1})
	var names []string
	var arts []dist.Artifact
	for i := range set.files {
		// The many small files are wheels, as a build matrix makes them
		// (no latest aliases); the one big file is a frozen-tools archive,
		// which gets a latest alias.
		name, kind := fmt.Sprintf("bench-%s-py3-none-plat%03d.whl", benchVersion, i), dist.KindWheel
		if set.files == 1 {
			name, kind = fmt.Sprintf("bench-%s-linux_x86_64.tar.gz", benchVersion), dist.KindArchive
		}
		path := filepath.Join(dir, "dist", name)
		if err := writeRandom(path, set.size, rng); err != nil {
			return nil, err
		}
		sum, size, err := dist.Hash(path)
		if err != nil {
			return nil, err
		}
		names = append(names, name)
		arts = append(arts, dist.Artifact{Name: name, Path: name, Kind: kind, Version: benchVersion, SHA256: sum, Size: size,
			Commit: strings.TrimSpace(commit), BuiltAt: time.Now().UTC(), Project: "bench"})
	}
	return names, dist.Record(ctx, filepath.Join(dir, "dist"), arts...)
}

// writeRandom streams size bytes from rng into a new file.
func writeRandom(path string, size int64, rng io.Reader) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.CopyBuffer(struct{ io.Writer }{f}, io.LimitReader(rng, size), make([]byte, 1<<20)); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}

// timed runs a command with env and returns its wall-clock time and peak
// RSS in KiB, which GNU time reports (see once).
func timed(ctx context.Context, dir string, env, argv []string) (time.Duration, int64, error) {
	rssFile, err := os.CreateTemp("", "pyrelease-rss-")
	if err != nil {
		return 0, 0, err
	}
	rssFile.Close()
	defer os.Remove(rssFile.Name())
	cmd := exec.CommandContext(ctx, "/usr/bin/time", append([]string{"-f", "%M", "-o", rssFile.Name()}, argv...)...)
	cmd.Dir, cmd.Env = dir, env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err = cmd.Run()
	took := time.Since(start)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w: %s", strings.Join(argv, " "), err, tail(stderr.String(), 4000))
	}
	data, err := os.ReadFile(rssFile.Name())
	if err != nil {
		return 0, 0, err
	}
	rss, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("reading peak RSS of %s: %q: %w", argv[0], data, err)
	}
	return took, rss, nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// meanStd returns the mean and the sample standard deviation (0 for a
// single run, which the table then leaves out).
func meanStd(ds []time.Duration) (time.Duration, time.Duration) {
	if len(ds) == 0 {
		return 0, 0
	}
	var sum float64
	for _, d := range ds {
		sum += float64(d)
	}
	mean := sum / float64(len(ds))
	if len(ds) == 1 {
		return time.Duration(mean), 0
	}
	var sq float64
	for _, d := range ds {
		sq += (float64(d) - mean) * (float64(d) - mean)
	}
	return time.Duration(mean), time.Duration(math.Sqrt(sq / float64(len(ds)-1)))
}

// emptyBucket deletes every object in a bucket.
func emptyBucket(ctx context.Context, client *s3.Client, bucket string) error {
	p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing bucket %s: %w", bucket, err)
		}
		if len(page.Contents) == 0 {
			continue
		}
		var ids []types.ObjectIdentifier
		for _, obj := range page.Contents {
			ids = append(ids, types.ObjectIdentifier{Key: obj.Key})
		}
		out, err := client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: ids, Quiet: aws.Bool(true)}})
		if err != nil {
			return fmt.Errorf("emptying bucket %s: %w", bucket, err)
		}
		if len(out.Errors) > 0 {
			return fmt.Errorf("emptying bucket %s: %s: %s", bucket, aws.ToString(out.Errors[0].Key), aws.ToString(out.Errors[0].Message))
		}
	}
	return nil
}

// checkUploaded fails unless bucket holds keyDir/name of the right size
// for every name.
func checkUploaded(ctx context.Context, client *s3.Client, bucket, keyDir string, names []string, size int64) error {
	got := map[string]int64{}
	p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(keyDir + "/")})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing bucket %s: %w", bucket, err)
		}
		for _, obj := range page.Contents {
			got[aws.ToString(obj.Key)] = aws.ToInt64(obj.Size)
		}
	}
	var missing []string
	for _, name := range names {
		if n, ok := got[keyDir+"/"+name]; !ok || n != size {
			missing = append(missing, fmt.Sprintf("%s (size %d, ok %v)", name, n, ok))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("bucket %s lacks %d of %d files of %d bytes under %s/, such as %s", bucket, len(missing), len(names), size, keyDir, missing[0])
	}
	return nil
}

// minioEnv is this process's environment without AWS settings or a store
// URL of the user's, plus the server's credentials and extra.
func minioEnv(m *servers.MinIO, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !strings.HasPrefix(k, "AWS_") && k != "PYRELEASE_STORE" {
			env = append(env, kv)
		}
	}
	return append(append(env, m.Env()...), extra...)
}
