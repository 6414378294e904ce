"""``python -m yunmail``: the command line."""

from yunmail.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
