from importlib.metadata import version

import click


@click.command()
@click.version_option(version("poetry-hello"), message="%(version)s")
@click.argument("name", default="world")
def main(name):
    """Say hello to NAME."""
    click.echo(f"hello, {name}")
