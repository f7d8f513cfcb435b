import json
import sys

try:
    import click
except ImportError:  # the command line is an extra, as httpx's is
    click = None

from . import __version__, peek


def main():
    if click is None:
        sys.exit(
            "The jsonpeek command line could not run because the required dependencies were not installed.\n"
            "Make sure you've installed everything with: pip install 'jsonpeek[cli]'"
        )
    return _cli()


if click is not None:

    @click.command()
    @click.version_option(__version__, prog_name="jsonpeek", message="%(version)s")
    @click.argument("path", default="")
    def _cli(path):
        """Print the value at PATH of the JSON document on standard input."""
        click.echo(json.dumps(peek(json.load(sys.stdin), path)))
