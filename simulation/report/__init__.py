"""Reports for people: a self-contained HTML page and an Excel workbook (`tyosim report`).

``tyosim report DIR [--format html,xlsx] [--lang fi|en] [--out OUT]`` reads the results
under DIR (a batch folder, a ``run --out`` folder or one scenario's folder;
`tables.scenario_folders`) and writes into ``OUT`` (default ``DIR/report/``):

- ``report_<lang>.html`` — tables and figures (embedded PNG data URIs, no external files);
- ``report_<lang>.xlsx`` — one sheet per table, numbers as numbers;
- ``figures/<name>_<lang>.png`` — the same figures as files, for documents.

Every file is written atomically (temporary file in the same folder + ``os.replace``).
Modules: `tables` (the numbers), `figures` (matplotlib), `html` (Jinja2 template under
``templates/``), `xlsx` (openpyxl), `labels` (Finnish and English words and formats).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from .labels import LANGS

FORMATS = ("html", "xlsx")


@dataclass
class ReportFiles:
    html: Path | None = None
    xlsx: Path | None = None
    figures: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)       # also shown in the report


def _write_bytes_atomic(path: Path, data: bytes) -> None:
    from ..files import PUBLIC, write_bytes_atomic

    write_bytes_atomic(path, data, PUBLIC)


def parse_formats(text: str) -> list[str]:
    fmts = [f.strip().lower() for f in text.split(",") if f.strip()]
    bad = [f for f in fmts if f not in FORMATS]
    if bad or not fmts:
        raise InputError("command line", "report --format",
                         f"unknown format {', '.join(bad) or repr(text)}; choose from {', '.join(FORMATS)}")
    return list(dict.fromkeys(fmts))


def build_report(results: str | Path, formats: list[str] | tuple[str, ...] = FORMATS, lang: str = "fi",
                 out: str | Path | None = None) -> ReportFiles:
    """Write the report files for the results under `results`; return their paths."""
    from .html import make_figures, render_html
    from .tables import collect
    from .xlsx import write_xlsx

    if lang not in LANGS:
        raise InputError("command line", "report --lang", f"unknown language {lang!r}; choose from fi, en")
    results = Path(results)
    out_dir = Path(out) if out else results / "report"
    rd = collect(results)
    from .html import warnings_list

    files = ReportFiles(warnings=warnings_list(rd, lang))
    if "html" in formats:
        figs = make_figures(rd, lang)
        for name, png in figs.items():
            if png:
                p = out_dir / "figures" / f"{name}_{lang}.png"
                _write_bytes_atomic(p, png)
                files.figures.append(p)
        files.html = out_dir / f"report_{lang}.html"
        _write_bytes_atomic(files.html, render_html(rd, lang, figs).encode("utf-8"))
    if "xlsx" in formats:
        files.xlsx = write_xlsx(rd, out_dir / f"report_{lang}.xlsx", lang)
    return files
