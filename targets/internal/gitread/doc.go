// Package gitread is pyrelease's one reader of git repositories: it finds
// the repository the way git's discovery does (a .git directory or file,
// linked worktrees through commondir, bare repositories), reads loose and
// packed refs and symbolic HEAD, reads objects from loose files and from
// packs through mmap (pack indexes, multi-pack-index counts, ofs and ref
// deltas, alternates), parses commit headers and tags as git does,
// reads the commit-graph (one file or a chain), resolves revisions, and
// reads git config from the system, global, repository and worktree files
// with git's precedence and include.path. It reads git's files itself,
// for speed: commit headers are inflated only as far as they are needed,
// with a decoder built for such short prefixes, and all packed commits
// can be decoded in parallel for a walk over the whole history. It never
// writes (package gitwrite does) and never runs git. Replace refs and
// grafts, the reftable ref backend and SHA-256 repositories are refused
// (ErrUnsupported) rather than read wrongly.
package gitread
