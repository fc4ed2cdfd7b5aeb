"""`python -m milepost.entrypoints.cli`: the `milepost` command."""

from milepost.entrypoints.cli import main

main()
