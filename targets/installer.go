package targets

import (
	"fmt"

	"github.com/pyrelease/pyrelease/targets/config"
	"github.com/pyrelease/pyrelease/targets/internal/pyenv"
	"github.com/pyrelease/pyrelease/targets/internal/run"
)

// installerUV is the uv that makes wheel's venvs and installs into them
// (the isolated build's requirements, the wheel for the smoke test), or ""
// for pip. uv installs several times as fast as pip; it is used only
// where it installs what pip would: every pip setting, in variables or in
// pip's configuration files, must be one it can be told
// (pyenv.UVSettings).
func (p *project) installerUV(env []string) (string, error) {
	if p.cfg.Installer == config.InstallerPip {
		return "", nil
	}
	explicit := p.cfg.Installer == config.InstallerUV
	refuse := func(format string, args ...any) (string, error) {
		why := fmt.Sprintf(format, args...)
		if explicit {
			return "", fmt.Errorf("wheel: installer = %q: %s: set installer = \"pip\" in [tool.pyrelease] (or PYRELEASE_INSTALLER=pip)", config.InstallerUV, why)
		}
		p.log.Debug("installing with pip", "why", why)
		return "", nil
	}
	uv, err := run.LookPath("uv")
	if err != nil {
		return refuse("no uv on PATH")
	}
	if _, err := pyenv.UVSettings(env); err != nil {
		return refuse("%v", err)
	}
	p.log.Info("installing with uv", "uv", uv)
	return uv, nil
}
