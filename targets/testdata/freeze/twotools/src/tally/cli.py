import importlib

import click

from . import extra
from .version import __version__


@click.command()
@click.version_option(__version__, prog_name="tally")
@click.option("--plugin", help="Apply a plugin to the words first.")
@click.argument("words", nargs=-1)
def main(plugin, words):
    """Print the words and how many there are."""
    words = list(words)
    if plugin:
        words = importlib.import_module("tally.plugins." + plugin).apply(words)
    click.echo(" ".join(words))
    click.echo(f"{len(words)} words ({extra.NAME} loaded)")


if __name__ == "__main__":
    main()
