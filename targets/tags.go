package targets

import (
	"context"

	"github.com/pyrelease/pyrelease/targets/version"
)

// describe finds the nearest tag of HEAD that versions the project (see
// buildver.Computer.Describe).
func (p *project) describe(ctx context.Context, dirty bool) (version.Description, error) {
	return p.computer().Describe(ctx, dirty)
}
