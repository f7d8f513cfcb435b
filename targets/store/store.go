// Package store owns where CI jobs meet: the layout of a store, a local
// folder (Dir) or an S3 bucket (S3), and the two protocols over it.
// Publish uploads each job's files out of sight, checks them, puts them in
// place and writes their sidecars, so a reader sees a published file
// complete or not at all; Fetch reads a version's complete, checked set
// back for the release job. Both reach a backend only through Store. The
// layout:
//
//	snapshots/v{version}/{file}        builds of a tagged commit
//	snapshots/v{version}/{file}.json   the file's sidecar: who built it, sha256
//	branches/{branch}/{file}           builds of a branch, pruned to the newest
//	branches/{branch}/{family}-latest  alias of the newest build of a family:
//	                                   a copy, or for a large file a pointer
//	index.html                         every file, with #sha256= links
//	simple/{project}/index.html        PEP 503 pages pip installs from
//	.incoming/{run}/                   uploads in flight to a folder, never linked
package store

import (
	"context"
	"io"
	"time"
)

// Store is the seam between the publish and fetch protocols and a
// backend: a flat namespace of slash-separated keys. How bytes travel and
// how a write is made whole and exclusive is each backend's business;
// the protocols only see these operations and the sentinels below.
type Store interface {
	// Stat returns what the store knows of an object without reading it;
	// a missing key is an error wrapping ErrNotExist.
	Stat(ctx context.Context, key string) (Object, error)
	// Open reads an object; a missing key is an error wrapping ErrNotExist.
	Open(ctx context.Context, key string) (io.ReadCloser, Object, error)
	// List returns every object whose key starts with prefix, sorted by key.
	List(ctx context.Context, prefix string) ([]Object, error)
	// Upload sends the local file at path towards key out of sight and
	// checks it against o.SHA256; nothing changes at key until the
	// returned upload is placed. A mismatch is a *MismatchError.
	Upload(ctx context.Context, key, path string, o PutOptions) (Pending, error)
	// PutBytes writes a small object whole, replacing what was there.
	PutBytes(ctx context.Context, key string, data []byte, o PutOptions) error
	// Link points alias at target, a published file whose sha256 is
	// o.SHA256. The alias reads as a whole copy of it (a symlink, a copy)
	// unless copying would cost more than a small file is worth: then it is
	// a pointer, a small page that links to target (see pointerPage), and
	// Link reports so. A missing target is an error wrapping ErrNotExist.
	Link(ctx context.Context, alias, target string, o PutOptions) (pointer bool, err error)
	// Verify checks that the object at key has this size and sha256, as
	// the backend best proves it; a difference is a *MismatchError.
	Verify(ctx context.Context, key string, size int64, sha256 string) error
	// Delete removes an object; a missing one is not an error.
	Delete(ctx context.Context, key string) error
	// Sweep removes what writers killed before cutoff left behind (uploads
	// never placed, temporary files) and returns their keys.
	Sweep(ctx context.Context, cutoff time.Time) ([]string, error)
	// Location names key for messages, such as s3://bucket/prefix/key.
	Location(key string) string
}

// Pending is an upload that is complete and checked but not yet visible.
type Pending interface {
	// Place makes the upload visible at its key whole, replacing what was
	// there, or, when it was made with CreateOnly, failing with ErrExists
	// if the key is taken.
	Place(ctx context.Context) error
	// Discard drops an upload that was not placed; it runs even when ctx
	// is done, and does nothing once the upload is placed.
	Discard(ctx context.Context) error
}

// PutOptions are what an upload records beside the bytes.
type PutOptions struct {
	ContentType  string
	CacheControl string // "" = the store's default
	SHA256       string // hex; recorded with the object and checked where the server can
	Progress     func(n int64)
	// CreateOnly makes putting the object in place (Upload, Place) fail
	// with ErrExists when the key already holds one, atomically: of two
	// publishers of one new file, exactly one wins.
	CreateOnly bool
	// Fresh says nothing readers trust is at the key yet (a file is
	// trusted once its sidecar is written), so a backend may write the
	// bytes there during Upload when that is cheaper than staging them.
	Fresh bool
}

// Object is one stored object.
type Object struct {
	Key     string // slash path relative to the store's root
	Size    int64
	ModTime time.Time
	SHA256  string // as recorded at upload; "" when unknown
}
