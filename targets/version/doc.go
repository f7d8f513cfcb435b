// Package version answers what `git describe --tags --long` would say about
// a repository, without running git and without walking more history than
// git does.
//
// Describe reads the repository through package gitread: refs, the
// commit-graph when there is one, packs through mmap, loose objects only
// when it must. It ports git's own candidate search from
// builtin/describe.c, because a plain first-parent or log walk gives the
// wrong distance as soon as there are merges, and it abbreviates object
// names the way git does, so that the text is byte for byte what git
// prints. Git changed the search in 2.48; Options.Search picks the
// generation to reproduce (the default is the older one, which Debian
// 12's git 2.39 uses).
//
// Without a commit-graph every visited commit must be inflated: only as
// far as the committer line, and a walk that must cover all history
// decodes all packed commits in parallel instead of one after the other.
//
// The dirty check compares the index with HEAD's tree (skipping subtrees
// the index's cache-tree proves unchanged) and stats only tracked files,
// so ignored trees such as node_modules or .venv cost nothing.
//
// Deliberately out of scope, each reported rather than answered wrongly:
// replace refs and grafts, the reftable ref backend and SHA-256
// repositories (ErrUnsupported), and history missing from a shallow clone
// (ErrShallow). Split and sparse indexes, and content git would convert
// before comparing (core.autocrlf, .gitattributes), make the dirty check
// ask `git status`. Submodules count as changed when their checked-out
// commit differs, not when their own worktree is dirty. GIT_DIR and the
// other repository-selecting environment variables are ignored: the
// repository is always found from Options.Dir; git config is read from
// the system, global, repository and worktree files (honouring
// GIT_CONFIG_NOSYSTEM, GIT_CONFIG_SYSTEM and GIT_CONFIG_GLOBAL, following
// include.path but not includeIf).
package version
