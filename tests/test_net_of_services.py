"""Exit hazards net of explicit services (calibration/net_of_services.py).

The committed multiplier in scenarios/base/services_net_2025.toml must make the status quo
(services of 2025 kept unchanged) hold the mean unemployed stock of the calibrated model
without explicit services; with multiplier 1 the services' exits count twice and the
stock falls well below. Fails when the calibration, the start state or the status-quo
services change and the script was not re-run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from calibration import net_of_services as nos  # noqa: E402
from simulation.scenario.config import load_scenario  # noqa: E402

STATUS_QUO = REPO / "scenarios" / "service_mix_current.toml"


@pytest.mark.slow
def test_status_quo_holds_the_stock_of_the_model_without_explicit_services():
    sq = load_scenario(STATUS_QUO)
    assert 0.5 < sq.exits.hazard_multiplier < 1.0
    reps = 2
    plain = nos.mean_stock(nos.with_multiplier(nos.without_services(sq), 1.0), reps, None)
    netted = nos.mean_stock(sq, reps, None)
    double = nos.mean_stock(nos.with_multiplier(sq, 1.0), reps, None)
    assert netted / plain == pytest.approx(1.0, abs=0.02)
    assert double / plain < 0.92          # counted twice: the stock falls by about 14 %


def test_bad_input_exits_2(tmp_path, capsys):
    assert nos.main(["--status-quo", str(tmp_path / "missing.toml"), "--out", str(tmp_path / "x.toml")]) == 2
    assert "missing.toml" in capsys.readouterr().err
    assert not (tmp_path / "x.toml").exists()
    no_services = REPO / "scenarios" / "base" / "services_net_2025.toml"
    assert nos.main(["--status-quo", str(no_services), "--out", str(tmp_path / "x.toml")]) == 2
    assert not (tmp_path / "x.toml").exists()
