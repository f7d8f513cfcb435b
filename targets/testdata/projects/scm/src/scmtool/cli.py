import argparse

from . import __version__


def main(argv=None):
    parser = argparse.ArgumentParser(prog="scmtool", description="Say hello.")
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument("name", nargs="?", default="world")
    args = parser.parse_args(argv)
    print(f"hello, {args.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
