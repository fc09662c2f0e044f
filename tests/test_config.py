"""Scenario loading and validation (simulation/config.py).

Every validation error must be an `InputError` naming the file that set the key, the
dotted key path and a reason that says what was expected.
"""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pytest
from conftest import REPO_ROOT, merge_overrides, write_toml
from pydantic import ValidationError

from simulation.errors import InputError
from simulation.scenario.config import load_scenario

D = date


def _err(path, overrides=None) -> InputError:
    with pytest.raises(InputError) as ei:
        load_scenario(path, overrides)
    e = ei.value
    # the one-line format: file: key.path: reason
    assert e.message == ": ".join(p for p in (e.file, e.key, e.reason) if p)
    return e


def _name(e: InputError) -> str:
    return Path(e.file).name


# ---- a complete scenario ----------------------------------------------------------------

def test_complete_scenario_loads(complete_scenario_toml):
    p = complete_scenario_toml()
    sc = load_scenario(p)
    assert sc.name == "test_scenario"
    assert sc.run.start_date == D(2025, 1, 1)
    assert sc.staff.customer_service_fte_total == 28.0          # from area.toml
    assert sc.meetings.channel_shares["initial"]["in_person"] == 0.70
    assert [Path(c).name for c in sc.extends_chain] == ["scenario.toml", "area.toml"]
    assert sc.source_file == str(p)
    with pytest.raises(ValidationError):
        sc.name = "changed"  # frozen


def test_standalone_complete_scenario_equals_extended(complete_scenario_toml):
    a = load_scenario(complete_scenario_toml())
    b = load_scenario(complete_scenario_toml("full.toml", standalone=True))
    assert a.resolved_dict() == b.resolved_dict()
    assert len(b.extends_chain) == 1


# ---- an unknown key (with the nearest valid one) -----------------------------------------

@pytest.mark.parametrize("overrides,key,hint", [
    ({"staff": {"customer_meeting_time_shar": 0.5}}, "staff.customer_meeting_time_shar",
     "'customer_meeting_time_share'"),
    ({"nmae": "x"}, "nmae", "'name'"),
    ({"run": {"replicatons": 3}}, "run.replicatons", "'replications'"),
    ({"exits": {"short_group_mean_month": 3.0}}, "exits.short_group_mean_month",
     "'short_group_mean_months'"),
])
def test_unknown_key_suggests_nearest(complete_scenario_toml, overrides, key, hint):
    e = _err(complete_scenario_toml(overrides=overrides))
    assert _name(e) == "scenario.toml"
    assert e.key == key
    assert "unknown key" in e.reason
    assert f"did you mean {hint}" in e.reason


def test_unknown_key_without_close_match_has_no_suggestion(complete_scenario_toml):
    e = _err(complete_scenario_toml(overrides={"staff": {"zzzzqqq": 1}}))
    assert e.key == "staff.zzzzqqq"
    assert e.reason == "unknown key"


# ---- a wrong type ------------------------------------------------------------------------

@pytest.mark.parametrize("overrides,key,expected", [
    ({"run": {"years": "three"}}, "run.years", "number"),
    ({"run": {"replications": 2.5}}, "run.replications", "integer"),
    ({"run": {"start_date": "2025-13-01"}}, "run.start_date", "date"),
    ({"inflow": {"seasonal_factors": [1.0] * 11}}, "inflow.seasonal_factors", "12"),
    ({"staff": {"customer_service_fte_by_hub": "lots"}}, "staff.customer_service_fte_by_hub",
     "dictionary"),
    ({"meetings": {"duration_distribution": "normal"}}, "meetings.duration_distribution",
     "lognormal"),
])
def test_wrong_type(complete_scenario_toml, overrides, key, expected):
    e = _err(complete_scenario_toml(overrides=overrides))
    assert _name(e) == "scenario.toml"
    assert e.key == key
    assert expected in e.reason


def test_wrong_type_boolean_for_integer(complete_scenario_toml):
    e = _err(complete_scenario_toml(overrides={"run": {"replications": True}}))
    assert e.key == "run.replications"


def test_missing_required_key(complete_scenario_toml):
    e = _err(complete_scenario_toml(overrides={"exits": {"layoff_mean_months": None}}))
    assert e.key == "exits.layoff_mean_months"
    assert "missing" in e.reason
    e = _err(complete_scenario_toml(overrides={"inflow": None}))
    assert e.key == "inflow" and "missing" in e.reason


# ---- negative staff ----------------------------------------------------------------------

@pytest.mark.parametrize("field", ["customer_service_fte_total", "specialists_fte",
                                   "administration_fte", "regional_services_fte"])
def test_negative_staff_total(complete_scenario_toml, field):
    e = _err(complete_scenario_toml(overrides={"staff": {field: -1.0}}))
    assert _name(e) == "scenario.toml"
    assert e.key == f"staff.{field}"
    assert "greater than or equal to 0" in e.reason and "-1.0" in e.reason


def test_negative_staff_by_hub(complete_scenario_toml):
    by_hub = {"Äänekoski": 10.0, "Laukaa": -2.0, "Saarijärvi": 6.0, "Viitasaari": 4.0}
    e = _err(complete_scenario_toml(overrides={"staff": {"customer_service_fte_by_hub": by_hub}}))
    assert _name(e) == "scenario.toml"
    assert e.key == "staff.customer_service_fte_by_hub.Laukaa"
    assert "negative" in e.reason and "-2.0" in e.reason


# ---- a share outside 0–1 -----------------------------------------------------------------

@pytest.mark.parametrize("overrides,key,bound", [
    ({"staff": {"absence_share": 1.5}}, "staff.absence_share", "less than or equal to 1"),
    ({"staff": {"customer_meeting_time_share": -0.1}}, "staff.customer_meeting_time_share",
     "greater than or equal to 0"),
    ({"inflow": {"layoff_share": 2.0}}, "inflow.layoff_share", "less than or equal to 1"),
    ({"exits": {"short_group_share": -0.5}}, "exits.short_group_share",
     "greater than or equal to 0"),
    ({"backup": {"max_share_of_main_hub_capacity": 1.01}}, "backup.max_share_of_main_hub_capacity",
     "less than or equal to 1"),
    ({"meetings": {"any_hub_share": 1.2}}, "meetings.any_hub_share", "less than or equal to 1"),
])
def test_share_outside_0_1(complete_scenario_toml, overrides, key, bound):
    e = _err(complete_scenario_toml(overrides=overrides))
    assert _name(e) == "scenario.toml"
    assert e.key == key
    assert bound in e.reason


@pytest.mark.parametrize("factors,absence,words", [
    ([1.2] * 12, 0.13, "average 1 (they average 1.2000)"),
    ([-0.5] + [12.5 / 11] * 11, 0.13, "cannot be negative"),
    ([6.5] + [0.5] * 11, 0.2, "largest factor 6.5 = 1.300"),
    ([1.0] * 11, 0.13, "at least 12 items"),
])
def test_absence_month_factors_must_be_12_non_negative_averaging_1(complete_scenario_toml, factors,
                                                                   absence, words):
    e = _err(complete_scenario_toml(overrides={"staff": {"absence_month_factors": factors,
                                                         "absence_share": absence}}))
    assert _name(e) == "scenario.toml"
    assert e.key == "staff.absence_month_factors"
    assert words in e.reason


def test_channel_share_outside_0_1(complete_scenario_toml):
    e = _err(complete_scenario_toml(
        overrides={"meetings": {"channel_shares": {"initial": {"phone": 1.5}}}}))
    assert _name(e) == "scenario.toml"
    assert e.key == "meetings.channel_shares.initial.phone"
    assert "0–1" in e.reason and "1.5" in e.reason


# ---- a mix whose shares do not sum to 1 --------------------------------------------------

def test_mix_not_summing_to_1(complete_scenario_toml):
    mix = {"in_person": 0.5, "service_point": 0.3, "remote": 0.3, "phone": 0.1}
    e = _err(complete_scenario_toml(overrides={"meetings": {"channel_shares": {"job_search": mix}}},
                                    standalone=True))
    assert _name(e) == "scenario.toml"
    assert e.key == "meetings.channel_shares.job_search"
    assert "sum to 1" in e.reason and "1.2" in e.reason


def test_later_mix_not_summing_to_1(complete_scenario_toml):
    mix = {"in_person": 0.5, "service_point": 0.1, "remote": 0.1, "phone": 0.2}
    e = _err(complete_scenario_toml(overrides={"meetings": {"later_channel_shares": mix}},
                                    standalone=True))
    assert e.key == "meetings.later_channel_shares"
    assert "sum to 1" in e.reason and "0.9" in e.reason


def test_mix_broken_in_base_names_base_file(complete_scenario_toml, area_toml_path):
    p = complete_scenario_toml()
    text = area_toml_path.read_text(encoding="utf-8")
    # [meetings.channel_shares.initial] phone = 0.05 -> 0.25 (sum 1.2)
    start = text.index("[meetings.channel_shares.initial]")
    i = text.index("phone = 0.05", start)
    area_toml_path.write_text(text[:i] + "phone = 0.25" + text[i + len("phone = 0.05"):],
                              encoding="utf-8")
    e = _err(p)
    assert _name(e) == "area.toml"
    assert e.key == "meetings.channel_shares.initial"
    assert "sum to 1" in e.reason


def test_mix_redefined_in_child_names_child_file(complete_scenario_toml):
    mix = {"in_person": 0.5, "service_point": 0.3, "remote": 0.3, "phone": 0.1}
    e = _err(complete_scenario_toml(overrides={"meetings": {"channel_shares": {"initial": mix}}}))
    assert e.key == "meetings.channel_shares.initial"
    assert _name(e) == "scenario.toml"


# ---- an unknown municipality or hub ------------------------------------------------------

def test_unknown_municipality(complete_scenario_toml):
    e = _err(complete_scenario_toml(
        overrides={"inflow": {"per_month_by_municipality": {"Jyväskylä": 5.0}}}))
    assert _name(e) == "scenario.toml"
    assert e.key == "inflow.per_month_by_municipality.Jyväskylä"
    assert "unknown municipality" in e.reason


def test_misspelt_municipality_suggests_nearest(complete_scenario_toml):
    e = _err(complete_scenario_toml(
        overrides={"start_state": {"stock_by_municipality": {"Laukka": 5.0}}}))
    assert e.key == "start_state.stock_by_municipality.Laukka"
    assert "did you mean 'Laukaa'" in e.reason


def test_missing_municipality(complete_scenario_toml):
    e = _err(complete_scenario_toml(
        overrides={"inflow": {"per_month_by_municipality": {"Kinnula": None}}}))
    assert e.key == "inflow.per_month_by_municipality"
    assert "Kinnula" in e.reason and "missing" in e.reason


def test_negative_inflow(complete_scenario_toml):
    e = _err(complete_scenario_toml(
        overrides={"inflow": {"per_month_by_municipality": {"Laukaa": -5.0}}}))
    assert e.key == "inflow.per_month_by_municipality.Laukaa"
    assert "negative" in e.reason


def test_unknown_hub(complete_scenario_toml):
    by_hub = {"Äänekoski": 10.0, "Jyväskylä": 2.0}
    e = _err(complete_scenario_toml(overrides={"staff": {"customer_service_fte_by_hub": by_hub}}))
    assert _name(e) == "scenario.toml"
    assert e.key == "staff.customer_service_fte_by_hub.Jyväskylä"
    assert "unknown hub" in e.reason


def test_unknown_channel_and_meeting_type(complete_scenario_toml):
    e = _err(complete_scenario_toml(
        overrides={"meetings": {"channel_shares": {"initial": {"fax": 0.0}}}}))
    assert e.key == "meetings.channel_shares.initial.fax"
    assert "unknown channel" in e.reason
    e = _err(complete_scenario_toml(
        overrides={"meetings": {"duration_minutes": {"intial": {"phone": 10.0}}}}))
    assert e.key == "meetings.duration_minutes.intial"
    assert "did you mean 'initial'" in e.reason


def test_unknown_allocation_rule(complete_scenario_toml):
    over = {"staff": {"allocation_rule": "proportional_to_nothing"}}
    e = _err(complete_scenario_toml(overrides=over))
    assert e.key == "staff.allocation_rule"
    assert "nothing" in e.reason


def test_seasonal_factors_must_average_1(complete_scenario_toml):
    e = _err(complete_scenario_toml(overrides={"exits": {"seasonal_factors": [1.5] * 12}}))
    assert e.key == "exits.seasonal_factors"
    assert "average 1" in e.reason


def test_service_point_weekday_out_of_range(complete_scenario_toml):
    over = {"meetings": {"service_point_visit_weekdays": [1, 5]}}
    e = _err(complete_scenario_toml(overrides=over))
    assert e.key == "meetings.service_point_visit_weekdays[1]"


# ---- dates out of order (rule overrides in a scenario) -----------------------------------

def test_override_dates_out_of_order(complete_scenario_toml):
    rules = {"initial_interview_deadline_working_days": [
        {"valid_from": D(2026, 1, 1), "valid_to": D(2025, 6, 1), "value": 7}]}
    e = _err(complete_scenario_toml(overrides={"rules": rules}))
    assert _name(e) == "scenario.toml"
    assert e.key == "rules.initial_interview_deadline_working_days[0].valid_to"
    assert "not after valid_from" in e.reason


def test_override_ending_before_run_start(complete_scenario_toml):
    rules = {"initial_interview_deadline_working_days": [
        {"valid_from": D(2020, 1, 1), "valid_to": D(2024, 1, 1), "value": 7}]}
    e = _err(complete_scenario_toml(overrides={"rules": rules}))
    assert e.key == "rules.initial_interview_deadline_working_days[0].valid_to"
    assert "before the run starts" in e.reason


def test_scenario_rule_override_errors(complete_scenario_toml):
    over = {"rules": {"benefit_sytem": [{"value": "separate"}]}}
    e = _err(complete_scenario_toml(overrides=over))
    assert e.key == "rules.benefit_sytem" and "did you mean 'benefit_system'" in e.reason
    e = _err(complete_scenario_toml(overrides={"rules": {"municipal_share_schedule": [
        {"valid_from": D(2026, 1, 1), "value": [[101, 1.5]]}]}}))
    assert _name(e) == "scenario.toml"
    assert e.key == "rules.municipal_share_schedule[0].value[0]"
    assert "outside 0–1" in e.reason


def test_scenario_rule_override_is_applied(complete_scenario_toml):
    rules = {"initial_interview_deadline_working_days": [
        {"valid_from": D(2025, 3, 1), "valid_to": D(2025, 9, 1), "value": 7}]}
    sc = load_scenario(complete_scenario_toml(overrides={"rules": rules}))
    r = sc.rules_obj()
    assert r.on(D(2025, 2, 1)).initial_interview_deadline_working_days == 5
    assert r.on(D(2025, 4, 1)).initial_interview_deadline_working_days == 7
    assert r.on(D(2025, 9, 1)).initial_interview_deadline_working_days == 5


def test_run_start_without_rules_in_force(complete_scenario_toml):
    e = _err(complete_scenario_toml(overrides={"run": {"start_date": D(2014, 1, 1)}}))
    assert e.key == "run.start_date"
    assert "no rules in force" in e.reason


# ---- a cycle of extends, a missing or unreadable file, TOML syntax -----------------------

def test_extends_cycle(tmp_path):
    write_toml(tmp_path / "a.toml", {"extends": "b.toml", "name": "a"})
    write_toml(tmp_path / "b.toml", {"extends": "a.toml", "name": "b"})
    e = _err(tmp_path / "a.toml")
    assert _name(e) in ("a.toml", "b.toml")
    assert e.key == "extends"
    assert "cycle" in e.reason
    assert "a.toml" in e.reason and "b.toml" in e.reason


def test_extends_self(tmp_path):
    write_toml(tmp_path / "s.toml", {"extends": "s.toml"})
    e = _err(tmp_path / "s.toml")
    assert e.key == "extends" and "cycle" in e.reason


def test_missing_file(tmp_path):
    e = _err(tmp_path / "nope.toml")
    assert _name(e) == "nope.toml"
    assert "not found" in e.reason


def test_extends_missing_file(tmp_path):
    write_toml(tmp_path / "child.toml", {"extends": "base/nope.toml", "name": "x"})
    e = _err(tmp_path / "child.toml")
    assert _name(e) == "child.toml"
    assert e.key == "extends"
    assert "not found" in e.reason and "nope.toml" in e.reason


def test_extends_not_a_string(tmp_path):
    write_toml(tmp_path / "child.toml", {"extends": ["a.toml"], "name": "x"})
    e = _err(tmp_path / "child.toml")
    assert e.key == "extends"


def test_invalid_utf8_file(tmp_path):
    p = tmp_path / "latin1.toml"
    p.write_bytes('name = "Äänekoski"\n'.encode("latin-1"))
    e = _err(p)
    assert _name(e) == "latin1.toml"
    assert "cannot read" in e.reason


def test_unreadable_file_directory(tmp_path):
    p = tmp_path / "dir.toml"
    p.mkdir()
    e = _err(p)
    assert _name(e) == "dir.toml"
    assert "cannot read" in e.reason


def test_toml_syntax_error_names_line(tmp_path):
    p = tmp_path / "broken.toml"
    p.write_text('name = "x"\n[run\nyears = 3\n', encoding="utf-8")
    e = _err(p)
    assert _name(e) == "broken.toml"
    assert "TOML syntax error" in e.reason
    assert "line 2" in e.reason


def test_toml_syntax_error_in_parent_names_parent(tmp_path):
    (tmp_path / "parent.toml").write_text("x = = 1\n", encoding="utf-8")
    write_toml(tmp_path / "child.toml", {"extends": "parent.toml"})
    e = _err(tmp_path / "child.toml")
    assert _name(e) == "parent.toml"
    assert "line 1" in e.reason


# ---- extends two levels deep -------------------------------------------------------------

@pytest.fixture
def three_levels(tmp_path, complete_scenario_toml):
    """grand.toml (complete, extends base/area.toml) <- parent.toml <- child.toml."""
    complete_scenario_toml("grand.toml", overrides={
        "name": "grand",
        "meetings": {"service_point_visit_weekdays": [1]},
    })

    def make(parent_over=None, child_over=None):
        parent = merge_overrides({
            "extends": "grand.toml",
            "name": "parent",
            "staff": {"absence_share": 0.20},
            "run": {"replications": 5},
            "meetings": {"service_point_visit_weekdays": [0, 3]},
            "exits": {"seasonal_factors": [1.1] * 6 + [0.9] * 6},
        }, parent_over)
        child = merge_overrides({
            "extends": "parent.toml",
            "name": "child",
            "staff": {"cost_per_fte_eur": 65000.0},
            "run": {"years": 1.0},
            "meetings": {"service_point_visit_weekdays": [2]},
            "inflow": {"per_month_by_municipality": {"Laukaa": 99.0}},
        }, child_over)
        write_toml(tmp_path / "parent.toml", parent)
        return write_toml(tmp_path / "child.toml", child)

    return make


def test_extends_two_levels_deep(three_levels, complete_scenario_dict, area_toml_path):
    sc = load_scenario(three_levels())
    rest = complete_scenario_dict()
    assert sc.name == "child"
    # each level's override wins over the level below; tables merged key by key
    assert sc.staff.cost_per_fte_eur == 65000.0                  # child
    assert sc.staff.absence_share == 0.20                        # parent
    assert sc.staff.working_hours_per_day == 7.25                # area.toml
    assert sc.staff.customer_meeting_time_share == 0.60          # area.toml
    assert sc.run.years == 1.0                                   # child
    assert sc.run.replications == 5                              # parent
    assert sc.run.seed == rest["run"]["seed"]                    # grand
    assert sc.run.start_date == rest["run"]["start_date"]        # grand
    # nested tables merge key by key: one municipality changed, the other 12 kept
    inflow = sc.inflow.per_month_by_municipality
    assert inflow["Laukaa"] == 99.0
    assert len(inflow) == 13
    for m, v in rest["inflow"]["per_month_by_municipality"].items():
        if m != "Laukaa":
            assert inflow[m] == v
    # arrays are replaced, never concatenated or merged by position
    assert sc.meetings.service_point_visit_weekdays == [2]
    assert sc.exits.seasonal_factors == [1.1] * 6 + [0.9] * 6
    assert sc.inflow.seasonal_factors == rest["inflow"]["seasonal_factors"]
    assert [Path(c).name for c in sc.extends_chain] == [
        "child.toml", "parent.toml", "grand.toml", "area.toml"]


def test_child_fixes_value_broken_in_parent(three_levels):
    # validation happens on the merged result: the parent's 2.0 never reaches it
    sc = load_scenario(three_levels(parent_over={"staff": {"absence_share": 2.0}},
                                    child_over={"staff": {"absence_share": 0.1}}))
    assert sc.staff.absence_share == 0.1


@pytest.mark.parametrize("parent_over,key,words", [
    ({"staff": {"absence_shar": 0.2}}, "staff.absence_shar", "did you mean 'absence_share'"),
    ({"staff": {"customer_meeting_time_share": 2.0}}, "staff.customer_meeting_time_share",
     "less than or equal to 1"),
    ({"run": {"replications": "many"}}, "run.replications", "integer"),
    ({"staff": {"customer_service_fte_by_hub": {"Laukaa": -1.0}}},
     "staff.customer_service_fte_by_hub.Laukaa", "negative"),
    ({"start_state": {"stock_by_municipality": {"Jyväskylä": 1.0}}},
     "start_state.stock_by_municipality.Jyväskylä", "unknown municipality"),
])
def test_bad_key_in_parent_names_parent_file(three_levels, parent_over, key, words):
    e = _err(three_levels(parent_over=parent_over))
    assert _name(e) == "parent.toml"
    assert e.key == key
    assert words in e.reason


def test_bad_key_in_grandparent_names_grandparent_file(tmp_path, three_levels,
                                                       complete_scenario_toml):
    p = three_levels()
    complete_scenario_toml("grand.toml", overrides={"exits": {"layoff_mean_months": -1.0}})
    e = _err(p)
    assert _name(e) == "grand.toml"
    assert e.key == "exits.layoff_mean_months"


def test_rule_override_in_parent_names_parent_file(three_levels):
    rules = {"initial_interview_deadline_working_days": [
        {"valid_from": D(2026, 1, 1), "valid_to": D(2025, 6, 1), "value": 7}]}
    e = _err(three_levels(parent_over={"rules": rules}))
    assert _name(e) == "parent.toml"
    assert e.key == "rules.initial_interview_deadline_working_days[0].valid_to"


def test_rule_override_error_in_child_names_child_when_parent_has_rules(three_levels):
    parent_rules = {"benefit_system": [{"valid_from": D(2026, 1, 1), "value": "general_benefit"}]}
    child_rules = {"municipal_share_schedule": [
        {"valid_from": D(2026, 1, 1), "value": [[101, 1.5]]}]}
    e = _err(three_levels(parent_over={"rules": parent_rules}, child_over={"rules": child_rules}))
    assert e.key == "rules.municipal_share_schedule[0].value[0]"
    assert _name(e) == "child.toml"


def test_rules_tables_from_all_levels_are_kept(three_levels):
    parent_rules = {"benefit_system": [{"valid_from": D(2026, 1, 1), "value": "general_benefit"}]}
    child_rules = {"initial_interview_deadline_working_days": [
        {"valid_from": D(2025, 6, 1), "value": 8}]}
    sc = load_scenario(three_levels(parent_over={"rules": parent_rules},
                                    child_over={"rules": child_rules}))
    assert set(sc.rules) == {"benefit_system", "initial_interview_deadline_working_days"}
    r = sc.rules_obj()
    assert r.on(D(2026, 1, 1)).benefit_system == "general_benefit"
    assert r.on(D(2025, 6, 1)).initial_interview_deadline_working_days == 8


# ---- overrides on load and with_overrides ------------------------------------------------

def test_load_scenario_overrides_argument(complete_scenario_toml):
    p = complete_scenario_toml()
    sc = load_scenario(p, {"run": {"years": 1.0}})
    assert sc.run.years == 1.0 and sc.run.seed == 42
    e = _err(p, {"run": {"years": -1}})
    assert e.file == "<command line>"
    assert e.key == "run.years"


def test_with_overrides_returns_new_validated_scenario(complete_scenario_toml):
    sc = load_scenario(complete_scenario_toml())
    before = copy.deepcopy(sc.resolved_dict())
    v = sc.with_overrides({"staff": {"customer_service_fte_total": 30.0},
                           "run": {"years": 1.0}}, name="more_staff")
    assert v is not sc
    assert v.name == "more_staff"
    assert v.staff.customer_service_fte_total == 30.0
    assert v.run.years == 1.0
    assert v.staff.absence_share == sc.staff.absence_share  # merged, not replaced
    assert sum(v.staff_by_hub().values()) == pytest.approx(30.0)
    # the original is unchanged
    assert sc.name == "test_scenario"
    assert sc.staff.customer_service_fte_total == 28.0
    assert sc.resolved_dict() == before
    # overrides are validated
    with pytest.raises(InputError) as ei:
        sc.with_overrides({"staff": {"absence_share": 1.5}})
    assert ei.value.key == "staff.absence_share"
    with pytest.raises(InputError) as ei:
        sc.with_overrides({"staff": {"absence_shar": 0.1}})
    assert "did you mean 'absence_share'" in ei.value.reason
    assert sc.staff.absence_share == before["staff"]["absence_share"]


# ---- staff split by rule -----------------------------------------------------------------

def _unemployed_2019():
    import tomllib
    raw = tomllib.loads((REPO_ROOT / "simulation" / "data" / "region_pohjoinen_keski_suomi.toml")
                        .read_text(encoding="utf-8"))
    return {m: v["unemployed_2019_mean"] for m, v in raw["municipalities"].items()}


def test_staff_split_by_rule_is_proportional_to_2019_unemployed(complete_scenario_toml):
    sc = load_scenario(complete_scenario_toml())
    split = sc.staff_by_hub()
    u = _unemployed_2019()
    hubs = {
        "Äänekoski": u["Äänekoski"] + u["Konnevesi"] + u["Uurainen"],
        "Laukaa": u["Laukaa"] + u["Hankasalmi"],
        "Saarijärvi": u["Saarijärvi"] + u["Karstula"] + u["Kannonkoski"] + u["Kyyjärvi"],
        "Viitasaari": u["Viitasaari"] + u["Kinnula"] + u["Kivijärvi"] + u["Pihtipudas"],
    }
    total = sum(hubs.values())
    assert set(split) == set(hubs)
    assert sum(split.values()) == pytest.approx(28.0)
    for h, w in hubs.items():
        assert split[h] == pytest.approx(28.0 * w / total)
    # hand figure: Äänekoski hub (1128.67 + 115.92 + 127.92) / 3790.09 * 28 ≈ 10.14
    assert split["Äänekoski"] == pytest.approx(10.14, abs=0.01)


def test_staff_split_other_rule_and_default_total(complete_scenario_toml):
    sc = load_scenario(complete_scenario_toml(overrides={"staff": {
        "allocation_rule": "proportional_to_labour_force_2019",
        "customer_service_fte_total": None}}, standalone=True))  # deleted: the region's 28 htv
    assert sc.staff.customer_service_fte_total is None
    split = sc.staff_by_hub()
    assert sum(split.values()) == pytest.approx(28.0)
    lf_total = 33502
    assert split["Laukaa"] == pytest.approx(28.0 * (8518 + 2005) / lf_total)


def test_explicit_staff_by_hub_wins(complete_scenario_toml):
    by_hub = {"Äänekoski": 12.0, "Laukaa": 7.0, "Saarijärvi": 5.0, "Viitasaari": 4.0}
    over = {"staff": {"customer_service_fte_by_hub": by_hub}}
    sc = load_scenario(complete_scenario_toml(overrides=over))
    assert sc.staff_by_hub() == by_hub


# ---- the repository's scenario files -----------------------------------------------------

SCENARIO_FILES = sorted((REPO_ROOT / "scenarios").glob("*.toml"))


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[p.name for p in SCENARIO_FILES])
def test_repository_scenarios_validate(path):
    if not (REPO_ROOT / "scenarios" / "base" / "start_2025.toml").exists():
        pytest.skip("scenarios/base/start_2025.toml not generated yet")
    import tomllib
    parent = tomllib.loads(path.read_text(encoding="utf-8")).get("extends")
    if parent and not (path.parent / parent).exists():
        pytest.skip(f"{path.name} extends {parent}, which is not generated yet")
    sc = load_scenario(path)
    assert sc.name
    assert sum(sc.staff_by_hub().values()) > 0


def test_unknown_key_inside_optional_and_named_tables_gets_a_suggestion(tmp_path):
    """Keys under [services.NAME] and [budget] are checked with a "did you mean" too."""
    base = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.toml"
    for table, key, hint in (("services.coaching", "place", "places"),
                             ("budget", "frame_eur_per_yer", "frame_eur_per_year")):
        p = tmp_path / f"{key}.toml"
        p.write_text(f'extends = "{base.as_posix()}"\nname = "t"\n[{table}]\n{key} = 1.0\n',
                     encoding="utf-8")
        with pytest.raises(InputError) as e:
            load_scenario(p)
        assert e.value.key == f"{table}.{key}"
        assert f"did you mean '{hint}'" in e.value.reason


# ---- checks beside their fields (issue 16) -------------------------------------------------

def test_staff_for_only_some_hubs_names_the_missing_hub(complete_scenario_toml, capsys):
    """Staff for some hubs only: a validation error naming the hubs left out (exit 2 from
    `tyosim validate`), not a KeyError when the run looks the missing hub up."""
    from simulation.cli.main import main

    by_hub = {"Äänekoski": 12.0, "Laukaa": 7.0, "Saarijärvi": 5.0}
    p = complete_scenario_toml(overrides={"staff": {"customer_service_fte_by_hub": by_hub}})
    e = _err(p)
    assert e.key == "staff.customer_service_fte_by_hub"
    assert e.reason == "missing hub(s): Viitasaari"
    assert _name(e) == "scenario.toml"
    assert main(["validate", str(p)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"{p}: staff.customer_service_fte_by_hub: missing hub(s): Viitasaari"]


def test_missing_hub_in_a_variant_is_refused_too(complete_scenario_toml):
    sc = load_scenario(complete_scenario_toml())
    with pytest.raises(InputError) as ei:
        sc.with_overrides({"staff": {"customer_service_fte_by_hub": {"Laukaa": 7.0}}})
    assert "missing hub(s): Saarijärvi, Viitasaari, Äänekoski" in ei.value.reason


def test_sub_models_check_their_own_fields():
    """The checks live on the model that owns the field: a sub-model validated alone refuses
    what the scenario refuses, with the key below it and the same reason."""
    from simulation.scenario.checks import CHECK_ERROR
    from simulation.scenario.config import BenefitsConfig, MeetingsConfig, ServiceConfig

    def first(model, data):
        with pytest.raises(ValidationError) as ei:
            model.model_validate(data)
        err = ei.value.errors()[0]
        assert err["type"] == CHECK_ERROR
        return err["loc"], err["ctx"]["key"], err["ctx"]["reason"]

    svc = {"referral_probability": 0.1, "duration_mean_months": 3.0,
           "unit_cost_eur_per_month": 500.0, "lock_in_exit_multiplier": 0.5,
           "employment_at_end_share": 0.2}
    assert first(ServiceConfig, {**svc, "places": 5.0, "budget_eur_per_year": 1e5})[1:] == (
        "", "give one capacity (places, budget_eur_per_year or "
            "target_share_of_broad_unemployment), got ['places', 'budget_eur_per_year']")
    assert first(ServiceConfig, {**svc, "duration_max_months": 2.0})[1] == "duration_max_months"
    shares = {"earnings_related": 0.5, "basic_allowance": 0.2, "labour_market_subsidy": 0.2}
    loc, key, reason = first(BenefitsConfig, {"type_shares": shares, "no_benefit_share": 0.1,
                                              "earnings_related_full_eur_per_day": 70.0})
    assert (loc, key) == (("type_shares",), "")
    assert reason == "shares must sum to 1 (they sum to 0.9)"
    types = ("initial", "job_search", "supplementary")
    meet = {"duration_minutes": {t: {"in_person": 30.0} for t in types},
            "channel_shares": {t: {"in_person": 1.0} for t in types},
            "supplementary_purchased_share": 0.5, "supplementary_needs_share": 0.3}
    MeetingsConfig.model_validate(meet)
    bad = merge_overrides(meet, {"channel_shares": {"job_search": {"in_person": 0.5,
                                                                   "phone": 0.5}}})
    assert first(MeetingsConfig, bad)[1:] == ("duration_minutes.job_search.phone",
                                              "missing duration for a channel in use")
    assert first(MeetingsConfig, {**meet, "service_point_visit_weekdays": [1, 6]})[1:] == (
        "[1]", "weekday 6 must be 0 (Mon) – 4 (Fri)")


@pytest.mark.parametrize("overrides,key,reason", [
    ({"meetings": {"service_point_visit_weekdays": [1, 6]}},
     "meetings.service_point_visit_weekdays[1]", "weekday 6 must be 0 (Mon) – 4 (Fri)"),
    ({"start_state": {"service_participants": {"nope": 1.0}}},
     "start_state.service_participants.nope", "service not defined under [services]"),
    ({"service_order": ["coachin"], "services": {"coaching": {
        "referral_probability": 0.1, "duration_mean_months": 3.0, "unit_cost_eur_per_month": 500.0,
        "lock_in_exit_multiplier": 0.5, "employment_at_end_share": 0.2}}},
     "service_order", "service 'coachin' is referred to but not defined under [services]; "
                      "did you mean 'coaching'?"),
    ({"budget": {"use_of_services_by_municipality": {"Laukka": 1.0}}},
     "budget.use_of_services_by_municipality.Laukka",
     "unknown municipality; did you mean 'Laukaa'?"),
    ({"region": "nowhere"}, "region", "unknown region 'nowhere'"),
])
def test_checks_across_sections_keep_their_key_paths(complete_scenario_toml, overrides, key,
                                                     reason):
    e = _err(complete_scenario_toml(overrides=overrides))
    assert (e.key, e.reason) == (key, reason)
    assert _name(e) == "scenario.toml"


def test_a_scenario_read_back_from_results_is_checked_without_reading_files(complete_scenario_toml):
    """A resolved scenario (a manifest's) validates again; its forecast paths file is read
    only when a scenario is loaded to run, so results outlive the file."""
    import json

    from simulation.scenario.config import Scenario

    sc = load_scenario(complete_scenario_toml())
    data = sc.resolved_dict()
    data["inflow"]["forecast"] = {"paths_file": "/nonexistent/paths.parquet"}
    again = Scenario.model_validate_json(json.dumps(data))
    assert again.inflow.forecast.paths_file == "/nonexistent/paths.parquet"
    with pytest.raises(InputError) as ei:
        Scenario.model_validate_json(json.dumps(data), context={"check_files": True})
    assert "paths.parquet" in ei.value.file


def test_service_capacity_has_one_definition(complete_scenario_toml):
    """`ServiceConfig.capacity`: places; a yearly budget / 12 / unit cost a month; a target share
    × broad unemployment; unlimited when none is given."""
    import math

    from simulation.scenario.config import ServiceConfig

    svc = {"referral_probability": 0.1, "duration_mean_months": 3.0,
           "unit_cost_eur_per_month": 500.0, "lock_in_exit_multiplier": 0.5,
           "employment_at_end_share": 0.2}
    places = ServiceConfig.model_validate({**svc, "places": 40.0})
    budget = ServiceConfig.model_validate({**svc, "budget_eur_per_year": 120_000.0})
    target = ServiceConfig.model_validate({**svc, "target_share_of_broad_unemployment": 0.05})
    none = ServiceConfig.model_validate(svc)
    assert (places.capacity(), places.capacity(1e6), places.capacity_key) == (40.0, 40.0, "places")
    assert budget.capacity() == 120_000.0 / 12 / 500.0 == 20.0
    assert target.capacity(4000.0) == pytest.approx(200.0)
    assert target.capacity_terms() == (0.0, 0.05)
    assert math.isinf(none.capacity()) and none.capacity_key is None
    with pytest.raises(ValueError, match="broad_unemployment"):
        target.capacity()
    for s in (places, budget, target, none):
        p, share = s.capacity_terms()
        assert s.capacity(3000.0) == p + share * 3000.0


def test_rule_overrides_read_back_from_a_manifest(complete_scenario_toml):
    """A run's manifest holds the resolved scenario as JSON, rule dates as text: it reads back
    to the same scenario, its rules in force as before; a TOML file still needs real dates."""
    import json

    from simulation.scenario.config import Scenario

    rules = {"regular_interview_interval_months": [
        {"valid_from": D(2025, 1, 1), "valid_to": D(2026, 1, 1), "value": 6, "source": "test"}]}
    sc = load_scenario(complete_scenario_toml(overrides={"rules": rules}))
    again = Scenario.model_validate_json(json.dumps(sc.resolved_dict()))
    assert again.rules == sc.rules
    assert again.rules_obj().on(D(2025, 6, 1)).regular_interview_interval_months == 6
    text = {"regular_interview_interval_months": [{"valid_from": "2025-01-01", "value": 6}]}
    e = _err(complete_scenario_toml("text.toml", overrides={"rules": text}))
    assert e.key == "rules.regular_interview_interval_months[0].valid_from"
    assert "expected a date" in e.reason
