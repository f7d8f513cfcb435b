import click

from .__about__ import __version__


@click.command()
@click.version_option(__version__, prog_name="fancy-greeter", message="%(version)s")
@click.option("--shout", is_flag=True, help="Greet loudly.")
@click.argument("name", default="world")
def main(name, shout):
    """Greet NAME (default: world)."""
    greeting = f"hello, {name}"
    click.echo(greeting.upper() if shout else greeting)
