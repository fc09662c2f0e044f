"""The `tyosim` command line (also `python -m simulation`).

Commands follow DESIGN.md's contract. Exit codes: 0 success, 2 bad input (one line
``file: key: reason``), 1 internal error. A command whose capability is not built yet
says so and exits 2 — it never prints a made-up result.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from ..errors import InputError, NotBuiltError
from .argtypes import bounded_int, positive_float, positive_int

DEFAULT_SCENARIO = "scenarios/baseline.toml"


_positive_int = positive_int
_positive_float = positive_float


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own errors: exit 2, one line
        raise InputError("command line", self.prog.split(" ", 1)[-1], message)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="tyosim", description="Simulation and forecasts for a Finnish employment area.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    r = sub.add_parser("run", help="run one scenario and write its tables")
    r.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO)
    r.add_argument("--reps", type=_positive_int, help="replications (default: the scenario's run.replications)")
    r.add_argument("--seed", type=bounded_int(0, 2**63 - 1, "a seed"),
                   help="root seed (default: the scenario's run.seed)")
    r.add_argument("--years", type=_positive_float, help="simulated years (default: the scenario's run.years)")
    r.add_argument("--out", default="results", help="output folder (default: results/)")
    r.add_argument("--workers", type=_positive_int, default=None,
                   help="local worker processes (default: all cores; the tables do not depend on it)")
    r.add_argument("--quiet", action="store_true", help="no progress bar")

    v = sub.add_parser("validate", help="check scenario files")
    v.add_argument("scenarios", nargs="+")
    v.add_argument("--show", action="store_true", help="print the resolved scenario as TOML")

    b = sub.add_parser("batch", help="scenarios × replications with common random numbers")
    b.add_argument("scenarios", nargs="+")
    b.add_argument("--reps", default=None,
                   help="replications per scenario, or 'auto' (see --precision); default: the first "
                        "scenario's run.replications")
    b.add_argument("--seed", type=bounded_int(0, 2**63 - 1, "a seed"),
                   help="root seed for every scenario (default: the first's run.seed)")
    b.add_argument("--years", type=_positive_float, help="simulated years of every scenario")
    b.add_argument("--workers", type=_positive_int, default=None,
                   help="local worker processes (default: the CPUs), or Dask workers with --dask")
    b.add_argument("--scheduler", help="Dask scheduler address (tcp://host:port), or 'local'")
    b.add_argument("--dask", action="store_true", help="run on a loopback-only Dask LocalCluster")
    b.add_argument("--out", default="results/batch")
    b.add_argument("--precision", type=_positive_float,
                   help="with --reps auto: target 95 %% CI half-width relative to the mean (0.05)")
    b.add_argument("--min-reps", type=_positive_int, default=5, help="precision mode: first round")
    b.add_argument("--max-reps", type=_positive_int, default=50, help="precision mode: at most")
    b.add_argument("--quiet", action="store_true", help="no progress bar")

    c = sub.add_parser("compare", help="differences against a baseline with 95 %% CIs")
    c.add_argument("dir")
    c.add_argument("--baseline", default="baseline")
    c.add_argument("--format", choices=["table", "csv", "json"], default="table")
    c.add_argument("--by", choices=["area", "municipality"], default="area",
                   help="area totals (default) or paired differences per municipality")
    c.add_argument("--lang", choices=["fi", "en"], default="en",
                   help="language of the table and of --excel CSV (machine CSV/JSON keep the ids)")
    c.add_argument("--excel", action="store_true",
                   help="with --format csv: for Excel (semicolons, decimal commas, UTF-8 BOM, --lang words)")

    f = sub.add_parser("forecast", help="caseload and cost forecasts with intervals")
    bt = sub.add_parser("backtest", help="rolling-origin accuracy against baselines")
    d = sub.add_parser("data", help="data utilities")
    dsub = d.add_subparsers(dest="data_command", required=True, parser_class=_Parser)
    df = dsub.add_parser("fetch", help="download the monthly series from Statistics Finland")
    try:
        from . import forecast_arguments as fc
        fc.add_forecast_arguments(f)
        fc.add_backtest_arguments(bt)
        fc.add_data_fetch_arguments(df)
    except ImportError:
        for x in (f, bt):
            x.add_argument("--data")
            x.add_argument("rest", nargs=argparse.REMAINDER)

    rp = sub.add_parser("report", help="reports for people (HTML, XLSX)")
    rp.add_argument("dir", help="a batch folder (scenario folders inside) or one scenario's folder")
    rp.add_argument("--format", default="html,xlsx", help="comma-separated: html, xlsx")
    rp.add_argument("--lang", choices=["fi", "en"], default="fi")
    rp.add_argument("--out", help="output folder (default: DIR/report)")

    ca = sub.add_parser("calibrate", help="fit inflow, exits and a start state to any municipalities' "
                                          "monthly series; writes DIR/scenario.toml")
    ca.add_argument("--data", required=True, type=Path,
                    help="monthly CSV: month, municipality, unemployed[, labour_force]")
    ca.add_argument("--municipalities", help="comma-separated names (default: the default area's)")
    ca.add_argument("--region", type=Path, help="a region TOML file (hubs, staff) for the municipalities")
    ca.add_argument("--fit", help="fit window YYYY-MM:YYYY-MM (default: the 3 full years before the start)")
    ca.add_argument("--start", help="first simulated month YYYY-MM (default: the month after the data)")
    ca.add_argument("--targets", type=Path, default=None,
                    help="targets and assumptions TOML (default: simulation/calibration/targets.toml)")
    ca.add_argument("--check-reps", type=int, default=4, help="replications of the history check (0: none)")
    ca.add_argument("--forecast", choices=["median", "paths"],
                    help="drive the inflow by the caseload forecast from the start: every replication "
                         "follows the median path, or each its own sample path")
    ca.add_argument("--forecast-paths", type=int, default=200, help="sample paths of the forecast (default 200)")
    ca.add_argument("--years", type=float, default=1.0, help="years the forecast covers (default 1)")
    ca.add_argument("--out", required=True, type=Path, help="folder for scenario.toml and its base files")

    bu = sub.add_parser("budget", help="cost, budget frame and gap per year; or a cost-sharing file's table")
    bu.add_argument("scenario", help="a scenario file, or a cost-sharing file (kind = \"cost_sharing\")")
    bu.add_argument("--format", choices=["table", "csv", "json"], default="table")
    bu.add_argument("--results", help="results folder of the scenario (run or batch --out): adds the "
                                      "simulated service cost and municipal benefit share")
    bu.add_argument("--lang", choices=["fi", "en"], default="en",
                    help="language of the table and of --excel CSV (machine CSV/JSON keep the ids)")
    bu.add_argument("--excel", action="store_true",
                    help="with --format csv: for Excel (semicolons, decimal commas, UTF-8 BOM, --lang words)")
    ap = sub.add_parser("app", help="the scenario page in a browser (local; needs the extra: "
                                    "pip install 'tyosim[app]')")
    ap.add_argument("--host", default="127.0.0.1", help="address to listen on (default: loopback only)")
    ap.add_argument("--port", type=bounded_int(1, 65535, "a port"), default=8501, help="port (default 8501)")
    ap.add_argument("--open", action="store_true", help="open the page in the default browser")
    ap.add_argument("--scenarios", help="folder of scenario files to offer (default: scenarios/)")
    ap.add_argument("--results", help="folder for the page's runs (default: a temporary folder)")
    return p


def cmd_app(args: argparse.Namespace) -> int:
    """``tyosim app``: start the page (`simulation.app`, the layer above the API) in its own
    process; the command line does not import it."""
    import subprocess

    cmd = [sys.executable, "-m", "simulation.app", "--host", args.host, "--port", str(args.port)]
    if args.open:
        cmd.append("--open")
    for opt, value in (("--scenarios", args.scenarios), ("--results", args.results)):
        if value:
            cmd += [opt, value]
    try:
        return subprocess.call(cmd)
    except KeyboardInterrupt:
        return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from ..scenario.config import load_scenario

    for path in args.scenarios:
        sc = load_scenario(path)
        if args.show:
            import tomli_w
            data = sc.model_dump(mode="python")
            print(f"# {path} resolved (extends: {' <- '.join(Path(c).name for c in sc.extends_chain)})")
            print(tomli_w.dumps(_drop_none(data)))
            print("# staff by hub (fte):", {h: round(v, 2) for h, v in sc.staff_by_hub().items()},
                  "rule:", sc.staff.allocation_rule if sc.staff.customer_service_fte_by_hub is None else "explicit")
        else:
            print(f"{path}: ok ({sc.name})")
    return 0


def _drop_none(x):
    if isinstance(x, dict):
        return {k: _drop_none(v) for k, v in x.items() if v is not None}
    if isinstance(x, list):
        return [_drop_none(v) for v in x]
    return x


def cmd_run(args: argparse.Namespace) -> int:
    from ..experiments.runner import run_scenario
    from ..scenario.config import load_scenario
    from .run import print_run_summary, write_yearly_csv

    over: dict = {"run": {}}
    if args.seed is not None:
        over["run"]["seed"] = args.seed
    if args.years is not None:
        over["run"]["years"] = args.years
    sc = load_scenario(args.scenario, over if over["run"] else None)
    reps = args.reps or sc.run.replications
    import os
    workers = args.workers or os.cpu_count() or 1
    res = run_scenario(sc, reps, Path(args.out), workers=workers, progress=not args.quiet)
    print_run_summary(res)
    write_yearly_csv(res)
    if res.failed:
        for msg in res.failed.values():
            print(msg, file=sys.stderr)
        return 1
    return 0


def _not_built(what: str, issue: str) -> int:
    raise NotBuiltError(f"tyosim {what}: not built yet ({issue}); no result was produced")


def _dispatch(argv: list[str] | None) -> int:
    """Parse the command line and run the command (errors are handled by `main`)."""
    args = build_parser().parse_args(argv)
    if args.command == "validate":
        return cmd_validate(args)
    if args.command == "run":
        return cmd_run(args)
    if args.command in ("forecast", "backtest") or args.command == "data":
        try:
            from . import forecast as fc
        except ImportError:
            return _not_built(args.command, "forecasting, issue 5")
        fn = {"forecast": fc.forecast_command, "backtest": fc.backtest_command,
              "data": fc.data_fetch_command}[args.command]
        return fn(args)
    if args.command == "batch":
        from .batch import batch_command
        return batch_command(args)
    if args.command == "compare":
        from .compare import compare_command
        return compare_command(args)
    if args.command == "budget":
        from .budget import budget_command
        return budget_command(args)
    if args.command == "calibrate":
        from .calibrate import calibrate_command
        return calibrate_command(args)
    if args.command == "report":
        from .report import report_command
        return report_command(args)
    if args.command == "app":
        return cmd_app(args)
    return _not_built(args.command, "unknown")


def main(argv: list[str] | None = None) -> int:
    try:
        rc = _dispatch(argv)
        sys.stdout.flush()            # a closed pipe shows here, inside the handler below
        return rc
    except InputError as e:
        print(e.message, file=sys.stderr)
        return 2
    except NotBuiltError as e:
        print(str(e), file=sys.stderr)
        return 2
    except BrokenPipeError:   # `tyosim … | head`: the reader left; say nothing more
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as e:      # a folder that is a file, no permission, a full disk: one line
        where = e.filename or "tyosim"
        print(f"{where}: {e.strerror or e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tyosim: interrupted; finished replications are kept, a re-run resumes", file=sys.stderr)
        return 130
    except Exception:  # noqa: BLE001 — internal error: show the traceback, exit 1
        traceback.print_exc()
        return 1


if __name__ == "__main__":
    sys.exit(main())
