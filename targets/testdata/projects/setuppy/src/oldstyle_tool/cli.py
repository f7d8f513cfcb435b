import click

from . import __version__


@click.command()
@click.version_option(__version__, message="%(version)s")
@click.argument("name", required=False, default="world")
def main(name):
    """Greet NAME."""
    click.echo(f"hello, {name}")


if __name__ == "__main__":
    main()
