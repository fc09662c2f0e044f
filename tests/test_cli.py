"""The `tyosim` command line (simulation/cli.py): exit codes and one-line errors."""

from __future__ import annotations

import tomllib

import pytest

from simulation.cli.main import main


def _one_error_line(capsys) -> str:
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert out == ""
    return lines[0]


def _error_body(line: str) -> str:
    """The message after the program's own prefix, if any (``tyosim: error: ``)."""
    prefix = "tyosim: error: "
    return line[len(prefix):] if line.startswith(prefix) else line


def test_validate_good_file_exits_0(complete_scenario_toml, capsys):
    p = complete_scenario_toml()
    assert main(["validate", str(p)]) == 0
    out, err = capsys.readouterr()
    assert "ok" in out and "test_scenario" in out
    assert err == ""


def test_validate_several_good_files(complete_scenario_toml, capsys):
    a = complete_scenario_toml("a.toml")
    b = complete_scenario_toml("b.toml", overrides={"name": "second"})
    assert main(["validate", str(a), str(b)]) == 0
    out = capsys.readouterr().out
    assert "test_scenario" in out and "second" in out


@pytest.mark.parametrize("overrides,key,words", [
    ({"staff": {"customer_meeting_time_shar": 0.5}}, "staff.customer_meeting_time_shar",
     "did you mean 'customer_meeting_time_share'"),
    ({"run": {"years": "three"}}, "run.years", "number"),
    ({"staff": {"customer_service_fte_total": -3.0}}, "staff.customer_service_fte_total", "-3.0"),
    ({"inflow": {"per_month_by_municipality": {"Jyväskylä": 1.0}}},
     "inflow.per_month_by_municipality.Jyväskylä", "unknown municipality"),
])
def test_validate_bad_file_exits_2_with_one_line(complete_scenario_toml, capsys, overrides, key,
                                                 words):
    p = complete_scenario_toml(overrides=overrides)
    assert main(["validate", str(p)]) == 2
    body = _error_body(_one_error_line(capsys))
    assert body.startswith(f"{p}: {key}: ")
    assert words in body


def test_validate_stops_at_bad_file_among_good(complete_scenario_toml, capsys):
    good = complete_scenario_toml("good.toml")
    bad = complete_scenario_toml("bad.toml", overrides={"staff": {"absence_share": 7.0}})
    assert main(["validate", str(good), str(bad)]) == 2
    out, err = capsys.readouterr()
    assert len(err.strip().splitlines()) == 1
    assert f"{bad}: staff.absence_share: " in err


def test_validate_missing_file(tmp_path, capsys):
    p = tmp_path / "nope.toml"
    assert main(["validate", str(p)]) == 2
    body = _error_body(_one_error_line(capsys))
    assert body.startswith(f"{p}: ")
    assert "not found" in body


def test_validate_toml_syntax_error(tmp_path, capsys):
    p = tmp_path / "broken.toml"
    p.write_text('name = "x"\n\n[run\n', encoding="utf-8")
    assert main(["validate", str(p)]) == 2
    body = _error_body(_one_error_line(capsys))
    assert body.startswith(f"{p}: ")
    assert "line 3" in body


def test_validate_extends_cycle(tmp_path, capsys):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n', encoding="utf-8")
    assert main(["validate", str(tmp_path / "a.toml")]) == 2
    body = _error_body(_one_error_line(capsys))
    assert ": extends: " in body and "cycle" in body


def test_validate_show_prints_parseable_toml(complete_scenario_toml, capsys):
    p = complete_scenario_toml(overrides={"run": {"years": 2.0}})
    assert main(["validate", "--show", str(p)]) == 0
    out = capsys.readouterr().out
    data = tomllib.loads(out)
    assert data["name"] == "test_scenario"
    assert data["run"]["years"] == 2.0
    assert data["staff"]["customer_service_fte_total"] == 28.0      # resolved from area.toml
    assert len(data["inflow"]["per_month_by_municipality"]) == 13
    assert data["meetings"]["channel_shares"]["initial"]["in_person"] == 0.70
    # the staff split and its rule are shown
    assert "proportional_to_unemployed_2019_mean" in out
    assert "area.toml" in out  # the extends chain


def test_validate_show_output_round_trips(complete_scenario_toml, capsys, tmp_path):
    """The resolved TOML from --show is itself a valid, equivalent scenario file."""
    from simulation.scenario.config import load_scenario

    p = complete_scenario_toml()
    assert main(["validate", "--show", str(p)]) == 0
    shown = tmp_path / "shown.toml"
    shown.write_text(capsys.readouterr().out, encoding="utf-8")
    assert load_scenario(shown).resolved_dict() == load_scenario(p).resolved_dict()


@pytest.mark.parametrize("argv", [
    ["validate", "--bogus", "x.toml"],
    ["frobnicate"],
    [],
    ["validate"],
    ["run", "--reps", "0"],
    ["run", "--years", "-1"],
])
def test_bad_command_line_exits_2(argv, capsys):
    assert main(argv) == 2
    line = _one_error_line(capsys)
    assert "command line" in line


def test_internal_error_exits_1(monkeypatch, complete_scenario_toml, capsys):
    import simulation.scenario.config as config

    def boom(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(config, "load_scenario", boom)
    assert main(["validate", str(complete_scenario_toml())]) == 1
    assert "RuntimeError" in capsys.readouterr().err


def test_validate_rules_array_of_non_tables_exits_2(complete_scenario_toml, capsys):
    rules = {"initial_interview_deadline_working_days": [5]}
    p = complete_scenario_toml(overrides={"rules": rules})
    assert main(["validate", str(p)]) == 2


def test_an_output_folder_that_is_a_file_is_one_line_exit_2(tmp_path, capsys):
    from simulation.cli.main import main
    f = tmp_path / "file"
    f.write_text("x", encoding="utf-8")
    assert main(["run", "--reps", "1", "--years", "0.1", "--out", str(f), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and str(f) in err
