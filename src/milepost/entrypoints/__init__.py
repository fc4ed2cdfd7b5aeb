"""Entrypoints translate the outside world (the command line, later HTTP) into
calls of the Python API in `milepost.bootstrap`, and its answers back."""
