import argparse

from packaging.version import Version

from . import __version__


def main(argv=None):
    parser = argparse.ArgumentParser(prog="tagview", description="Show which release a version belongs to.")
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument("versions", nargs="+", metavar="version")
    args = parser.parse_args(argv)
    for v in map(Version, args.versions):
        print(v.base_version + (" (pre-release)" if v.is_prerelease else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
