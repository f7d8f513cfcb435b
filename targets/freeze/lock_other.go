//go:build !unix

package freeze

import "context"

// lockEnv does not lock where flock is missing (Windows): a CI job there
// runs one freeze at a time.
func lockEnv(ctx context.Context, path string) (func(), error) { return func() {}, nil }
