// Package archive packs frozen tools into per-platform archives that are
// byte-for-byte reproducible, and writes the checksum file that goes with
// them.
//
// Reproducible means two runs over the same files give the same bytes,
// whatever the machine, the user, the umask, the file timestamps or the
// number of CPUs: entries are sorted, every mtime is Options.Mtime, owners
// are 0 with empty names, modes are normalised to 0755 (any executable bit
// on the source) or 0644, and compression is split into fixed-size blocks so
// that Options.Concurrency changes the speed, never the output.
//
// Symbolic links are never packed: a frozen binary has no need for them,
// and a link pointing outside the archive is a classic extraction hazard.
// Resolve them before calling Create if a link is what you have.
package archive
