"""``tyosim report``: the command line of `report.build_report`."""

from __future__ import annotations

import argparse
import sys

from ..report import build_report, parse_formats


def report_command(args: argparse.Namespace) -> int:
    """`tyosim report DIR --format html,xlsx --lang fi|en [--out OUT]`."""
    files = build_report(args.dir, parse_formats(args.format), args.lang, getattr(args, "out", None))
    for w in files.warnings:
        print(w, file=sys.stderr)
    for p in (files.html, files.xlsx):
        if p is not None:
            print(p)
    if files.figures:
        print(f"{len(files.figures)} figures in {files.figures[0].parent}")
    return 0
