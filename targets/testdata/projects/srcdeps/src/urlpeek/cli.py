import argparse

import requests
from packaging.version import Version

from .__version__ import __version__


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="urlpeek", description="Print a URL the way requests would send it."
    )
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument("url", nargs="+", help="URL to normalise")
    args = parser.parse_args(argv)
    for url in args.url:
        prepared = requests.Request("GET", url).prepare()
        print(f"{prepared.method} {prepared.url}")
    return 0


def user_agent():
    """The User-Agent urlpeek would send, with its release number."""
    return f"urlpeek/{Version(__version__).base_version}"


if __name__ == "__main__":
    raise SystemExit(main())
