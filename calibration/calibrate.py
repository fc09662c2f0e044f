"""Re-fit the default area's base files: ``python calibration/calibrate.py [--data CSV]
[--out-dir scenarios/base] [--targets TOML]``.

A thin caller of `simulation.calibration.fit_area.main` (the same fit as ``tyosim
calibrate``, which writes a runnable scenario folder for any set of municipalities).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulation.calibration.fit_area import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
