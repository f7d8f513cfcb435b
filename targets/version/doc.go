// Package version answers what `git describe --tags --long` would say about
// a repository, without running git and without walking more history than
// git does.
//
// Describe reads the repository files directly: loose and packed refs, the
// commit-graph (single file or chain) when present, pack indexes and packs
// through mmap, and loose objects only when it must. It ports git's own
// candidate search from builtin/describe.c (git 2.39), because a plain
// first-parent or log walk gives the wrong distance as soon as there are
// merges, and it abbreviates object names the way git does, so the text is
// byte for byte what git prints.
//
// What is deliberately not supported, because git describe itself behaves
// differently or the repository layout is out of scope: replace refs and
// grafts (ignored), the reftable ref backend and SHA-256 repositories
// (ErrUnsupported), split indexes (Dirty then asks git), and dirty
// submodule worktrees (only the submodule's checked-out commit is compared).
package version
