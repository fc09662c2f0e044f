"""``tyosim calibrate``: the command line of `calibration.command.calibrate_folder`."""

from __future__ import annotations

import argparse
import math

from ..calibration.command import calibrate_folder
from ..calibration.fit_area import DEFAULT_TARGETS
from ..errors import InputError


def calibrate_command(args: argparse.Namespace) -> int:
    if not 0 <= args.check_reps <= 100:
        raise InputError("command line", "--check-reps", f"expected 0–100, got {args.check_reps}")
    if not 50 <= args.forecast_paths <= 10_000:
        raise InputError("command line", "--forecast-paths",
                         f"expected 50–10000 (the 2.5/97.5 % quantiles need 50), got {args.forecast_paths}")
    if not 0 < args.years <= 5:
        raise InputError("command line", "--years", f"expected more than 0 and at most 5, got {args.years}")
    res = calibrate_folder(args.data, args.out, args.municipalities, args.region, args.fit, args.start,
                           args.targets or DEFAULT_TARGETS, args.check_reps, forecast_mode=args.forecast,
                           forecast_paths=args.forecast_paths, years=args.years)
    o = res.outcome
    print(f"in-sample MAPE: area {o.mape_in_area:.2f} %; hubs "
          + ", ".join(f"{h} {v:.2f}" for h, v in o.mape_in_hub.items()))
    if not math.isnan(o.mape_oos_area):
        print(f"out-of-sample (analogue) MAPE: area {o.mape_oos_area:.2f} %; hubs "
              + ", ".join(f"{h} {v:.2f}" for h, v in o.mape_oos_hub.items()))
    if res.history_mape:
        print(f"history check (simulated): area {res.history_mape['area']:.2f} %; hubs "
              + ", ".join(f"{h} {v:.2f}" for h, v in res.history_mape.items() if h != "area"))
    print(f"wrote {res.scenario_file} — run it with: tyosim run {res.scenario_file}")
    return 0
