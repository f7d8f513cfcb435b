// Package store is where CI jobs meet: each job of a build matrix publishes
// what it built to one store, and the release job fetches a version's
// complete, checked set back. A store is a local folder (Dir) or an S3
// bucket (S3); both hold the same layout:
//
//	snapshots/v{version}/{file}        builds of a tagged commit
//	snapshots/v{version}/{file}.json   the file's sidecar: who built it, sha256
//	branches/{branch}/{file}           builds of a branch, pruned to the newest
//	branches/{branch}/{family}-latest  alias of the newest build of a family
//	index.html                         every file, with #sha256= links
//	simple/{project}/index.html        PEP 503 pages pip installs from
//	.incoming/{run}/                   uploads in flight to a folder, never linked
//
// Publish uploads every file out of sight (under .incoming in a folder; in
// S3 as one PUT or a multipart upload, each invisible until complete),
// checks it, then puts it in place and writes its sidecar, so a reader
// sees a published file complete or not at all.
package store

import (
	"context"
	"errors"
	"io"
	"time"
)

// Store is a flat namespace of slash-separated keys.
type Store interface {
	// Put uploads the local file at path to key. The object appears whole
	// or not at all; o.Progress, when set, is called with byte counts as
	// they are sent.
	Put(ctx context.Context, key, path string, o PutOptions) error
	// PutBytes writes a small object whole.
	PutBytes(ctx context.Context, key string, data []byte, o PutOptions) error
	// Open reads an object; a missing key is an error wrapping ErrNotExist.
	Open(ctx context.Context, key string) (io.ReadCloser, Object, error)
	// Stat returns what the store knows of an object without reading it.
	Stat(ctx context.Context, key string) (Object, error)
	// List returns every object whose key starts with prefix, sorted by key.
	List(ctx context.Context, prefix string) ([]Object, error)
	// Verify checks that the object at key has this size and sha256.
	Verify(ctx context.Context, key string, size int64, sha256 string) error
	// Move makes from visible as to, replacing to, and removes from.
	Move(ctx context.Context, from, to string, o PutOptions) error
	// Link points alias at target: a symlink in a folder, a copy with a
	// short Cache-Control in a bucket.
	Link(ctx context.Context, alias, target string, o PutOptions) error
	// Delete removes an object; a missing one is not an error.
	Delete(ctx context.Context, key string) error
	// Location names key for messages, such as s3://bucket/prefix/key.
	Location(key string) string
}

// Stager is a store that can hold an upload out of sight at its final key
// and then make it appear whole without copying its bytes again (S3's
// multipart uploads). Publish uses it instead of Put to .incoming and Move.
type Stager interface {
	Stage(ctx context.Context, key, path string, o PutOptions) (Staged, error)
}

// Staged is an upload that is complete but not yet visible.
type Staged interface {
	// Check asks the store whether it holds all of the upload.
	Check(ctx context.Context) error
	// Commit makes the upload visible at its key, replacing what was there.
	Commit(ctx context.Context) error
	// Abort drops the upload.
	Abort(ctx context.Context) error
}

// PutOptions are what an upload records beside the bytes.
type PutOptions struct {
	ContentType  string
	CacheControl string // "" = the store's default
	SHA256       string // hex; recorded with the object and checked where the server can
	Progress     func(n int64)
	// CreateOnly makes putting the object in place (Staged.Commit, Move)
	// fail with ErrExists when the key already holds one, atomically: of
	// two publishers of one new file, exactly one wins.
	CreateOnly bool
}

// Object is one stored object.
type Object struct {
	Key     string // slash path relative to the store's root
	Size    int64
	ModTime time.Time
	SHA256  string // as recorded at upload; "" when unknown
}

// Errors callers branch on.
var (
	// ErrNotExist is wrapped by errors for a missing object.
	ErrNotExist = errors.New("no such object")
	// ErrMismatch is wrapped when stored bytes differ from what was sent.
	ErrMismatch = errors.New("size or sha256 differs")
	// ErrUnsafe is wrapped when a name or link would escape where it belongs.
	ErrUnsafe = errors.New("unsafe name")
	// ErrExists is wrapped when a create-only write finds the key taken.
	ErrExists = errors.New("already exists")
	// ErrNoFiles is wrapped when a fetch finds nothing of the version.
	ErrNoFiles = errors.New("nothing published")
)
