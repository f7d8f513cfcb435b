# The version comes from the stamped version file, as it would for a
# project that imports its package; the title from the environment.
import os
import pathlib

_ns = {}
exec(pathlib.Path(__file__).parent.parent.joinpath("src/sphinxproj/version.py").read_text(), _ns)
project = "sphinxproj"
release = _ns["__version__"]
version = release
html_title = "sphinxproj " + os.environ.get("PYRELEASE_BUILD_VERSION", "unknown")
