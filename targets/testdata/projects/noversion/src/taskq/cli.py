import argparse
import json
import sys


def main(argv=None):
    # Deliberately no --version: an unknown option exits 2, as argparse does.
    parser = argparse.ArgumentParser(prog="taskq", description="Talk to a taskq daemon.")
    sub = parser.add_subparsers(dest="command", required=True)
    echo = sub.add_parser("echo", help="print a task as the daemon would receive it")
    echo.add_argument("words", nargs="+")
    sub.add_parser("ping", help="check the client works")
    args = parser.parse_args(argv)
    if args.command == "echo":
        print(json.dumps({"task": " ".join(args.words)}))
    else:
        print("pong")
    return 0


if __name__ == "__main__":
    sys.exit(main())
