import os
import sys

import click

from .version import __version__

try:
    from . import extra
except ImportError:
    extra = None


@click.command()
@click.version_option(__version__, prog_name="tally-info")
@click.option("--motd", is_flag=True, help="Print the message of the day bundled with the binary.")
def main(motd):
    """Say what this build holds."""
    if motd:
        base = getattr(sys, "_MEIPASS", os.path.dirname(os.path.abspath(__file__)))
        with open(os.path.join(base, "tally_share", "motd.txt"), encoding="utf-8") as f:
            click.echo(f.read().strip())
        return
    click.echo("frozen" if getattr(sys, "frozen", False) else "not frozen")
    click.echo("extra: " + ("present" if extra else "missing"))


if __name__ == "__main__":
    main()
