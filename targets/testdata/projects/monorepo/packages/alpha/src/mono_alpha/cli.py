import argparse

from packaging.utils import canonicalize_name

from . import __version__


def main(argv=None):
    parser = argparse.ArgumentParser(prog="alpha", description="Print project names in normal form.")
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument("names", nargs="+", metavar="name")
    args = parser.parse_args(argv)
    for name in args.names:
        print(canonicalize_name(name))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
