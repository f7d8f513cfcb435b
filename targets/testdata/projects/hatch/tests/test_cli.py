from click.testing import CliRunner

from fancy_greeter.cli import main


def test_greets():
    result = CliRunner().invoke(main, ["world"])
    assert result.output == "hello, world\n"
