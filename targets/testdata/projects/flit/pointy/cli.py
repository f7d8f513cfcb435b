import sys

import attrs

from . import __version__


@attrs.frozen
class Point:
    x: float = attrs.field(converter=float)
    y: float = attrs.field(converter=float)


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        print(__version__)
        return 0
    if len(args) != 2 or args[0].startswith("-"):
        print("usage: pointy X Y | pointy --version", file=sys.stderr)
        return 2
    print(Point(*args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
