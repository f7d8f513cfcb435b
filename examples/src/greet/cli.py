"""The greet command."""

import argparse

from greet.version import VERSION


def main(argv=None):
    parser = argparse.ArgumentParser(prog="greet", description="Say hello.")
    parser.add_argument("--version", action="version", version=f"greet {VERSION}")
    parser.add_argument("--shout", action="store_true", help="greet in capitals")
    parser.add_argument("name", nargs="?", default="world")
    args = parser.parse_args(argv)
    text = f"Hello, {args.name}!"
    print(text.upper() if args.shout else text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
