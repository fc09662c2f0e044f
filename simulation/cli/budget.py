"""``tyosim budget``: the command line of `money.budget` and `money.cost_sharing`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import InputError
from ..money.budget import compute_budget
from ..report.budget_text import _few_reps_warning, format_budget
from ..scenario.config import load_scenario


def budget_command(args: argparse.Namespace) -> int:
    """`tyosim budget FILE`: a scenario's budget, or a cost-sharing file's table."""
    from ..money.cost_sharing import (
        compute_sharing,
        format_sharing,
        is_sharing_file,
        load_sharing_file,
    )

    path = Path(args.scenario)
    if not path.exists():
        raise InputError(str(path), None, "file not found")
    if is_sharing_file(path):
        print(format_sharing(compute_sharing(load_sharing_file(path)), args.format))
        return 0
    sc = load_scenario(path)
    lang = getattr(args, "lang", "en") or "en"
    excel = bool(getattr(args, "excel", False)) and args.format == "csv"
    bud = compute_budget(sc, getattr(args, "results", None))
    warn = _few_reps_warning(bud, lang)
    if warn and args.format != "table":           # the table carries it in its notes
        print(warn, file=sys.stderr)
    text = format_budget(bud, args.format, lang, excel)
    if excel:
        from ..report.csv_excel import write_excel_csv  # noqa: F401 — same bytes as excel_csv
        buf = getattr(sys.stdout, "buffer", None)
        if buf is not None:
            sys.stdout.flush()
            buf.write(text.encode("utf-8"))
            buf.flush()
        else:
            sys.stdout.write(text)
        return 0
    print(text)
    return 0
