"""``python -m simulation.app [--host H] [--port P] [--open]``: the page (as ``tyosim app``)."""

from __future__ import annotations

import argparse
import sys

from . import serve


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m simulation.app", description=__doc__)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback)")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--open", action="store_true", help="open the page in the default browser")
    p.add_argument(
        "--scenarios", default=None, help="folder of scenario files (default ./scenarios)"
    )
    p.add_argument(
        "--results", default=None, help="folder for the runs (default <temp>/tyosim-app)"
    )
    a = p.parse_args(argv)
    return serve(a.host, a.port, a.open, scenarios_dir=a.scenarios, results_dir=a.results)


if __name__ == "__main__":
    sys.exit(main())
