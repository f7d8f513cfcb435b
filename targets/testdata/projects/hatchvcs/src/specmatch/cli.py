import argparse

from . import __version__, matches


def main(argv=None):
    parser = argparse.ArgumentParser(prog="specmatch", description="Check a version against a specifier.")
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument("specifier", help='for example ">=1.0,<2"')
    parser.add_argument("version", help="for example 1.2")
    args = parser.parse_args(argv)
    ok = matches(args.specifier, args.version)
    print(f"{args.version} {'matches' if ok else 'does not match'} {args.specifier}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
