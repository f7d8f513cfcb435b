import argparse
from importlib.metadata import version

from packaging.version import InvalidVersion, Version


def main(argv=None):
    parser = argparse.ArgumentParser(prog="verscmp", description="Compare two version numbers.")
    parser.add_argument("--version", action="version", version=version("verscmp"))
    parser.add_argument("a", help="first version")
    parser.add_argument("b", help="second version")
    args = parser.parse_args(argv)
    try:
        a, b = Version(args.a), Version(args.b)
    except InvalidVersion as e:
        parser.error(str(e))
    op = "<" if a < b else ">" if a > b else "=="
    print(f"{a} {op} {b}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
