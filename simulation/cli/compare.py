"""``tyosim compare``: the command line of `experiments.compare`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..experiments.compare import compare, compare_by_municipality, to_json
from ..report.compare_text import for_people, format_table, note_text


def compare_command(args: argparse.Namespace) -> int:
    """``tyosim compare DIR --baseline NAME --format table|csv|json [--by municipality]
    [--lang fi|en] [--excel]``.

    ``--format csv`` alone is the machine table (ids, comma, decimal point); with
    ``--excel`` it is for people: headers and KPI names in ``--lang``, semicolons, decimal
    commas and a UTF-8 byte-order mark, so a Finnish Excel opens it in columns.
    """
    lang = getattr(args, "lang", "en") or "en"
    by = getattr(args, "by", None)
    if by == "municipality":
        df, notes = compare_by_municipality(Path(args.dir), args.baseline)
    else:
        df, notes = compare(Path(args.dir), args.baseline)
    for x in notes:
        if x.startswith("warning: "):
            print(note_text(x, lang), file=sys.stderr)
    if args.format == "csv":
        if getattr(args, "excel", False):
            from ..report.csv_excel import write_excel_csv

            write_excel_csv(for_people(df, lang), sys.stdout)
        else:
            sys.stdout.write(df.to_csv(index=False))
        for x in notes:
            if not x.startswith("warning: "):
                print(f"note: {note_text(x, lang)}", file=sys.stderr)
    elif args.format == "json":
        print(to_json(df, notes))
    else:
        print(format_table(df, [x for x in notes if not x.startswith("warning: ")], lang))
    return 0
