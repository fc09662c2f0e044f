"""The command line: argument parsing and the commands, nothing else (the top layer, with `api`)."""

from .main import build_parser, main

__all__ = ["build_parser", "main"]
