"""Dated legal rules (simulation/rules.py, simulation/data/rules_fi.toml), DOMAIN.md §5."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from simulation.errors import InputError
from simulation.scenario.rules import load_rules, parse_overrides

D = date


# ---- the 2 May 2022 boundary (Nordic labour-market service model, HE 167/2021) ----------

def test_nordic_model_starts_2022_05_02(rules):
    before, after = rules.on(D(2022, 5, 1)), rules.on(D(2022, 5, 2))
    assert before.initial_interview_deadline_working_days == 10
    assert after.initial_interview_deadline_working_days == 5
    assert before.intensive_interview_interval_days == 0
    assert after.intensive_interview_interval_days == 14
    assert before.intensive_repeat_every_months == 0
    assert after.intensive_repeat_every_months == 6


# ---- the 1 January 2026 boundary (HE 108/2025) ------------------------------------------

def test_process_change_2026_01_01(rules):
    before, after = rules.on(D(2025, 12, 31)), rules.on(D(2026, 1, 1))
    assert before.initial_interview_deadline_working_days == 5
    assert after.initial_interview_deadline_working_days == 10
    assert before.supplementary_interviews_scheduled is True
    assert after.supplementary_interviews_scheduled is False
    # HE 108/2025: the scheduled supplementary interviews (the biweekly intensive period and
    # the half-yearly two-interview month) end on 31.12.2025; interviews every 3 months
    # counted from the initial interview
    assert before.intensive_interview_interval_days == 14
    assert after.intensive_interview_interval_days == 0
    assert before.intensive_repeat_every_months == 6
    assert after.intensive_repeat_every_months == 0
    assert after.regular_interview_interval_months == 3
    assert before.regular_interviews_counted_from == "previous_interview"
    assert after.regular_interviews_counted_from == "initial_interview"
    # HE 167/2021: the biweekly meetings of the first 3 months are the supplementary interviews
    assert before.supplementary_interviews_per_intensive_period == 6


def test_job_search_profile_task_from_2026_09_01(rules):
    assert rules.on(D(2026, 8, 31)).job_search_profile_by_authority is False
    assert rules.on(D(2026, 9, 1)).job_search_profile_by_authority is True


def test_work_condition_12_months_from_2024_09_02(rules):
    assert rules.on(D(2024, 9, 1)).work_condition_months == 6
    assert rules.on(D(2024, 9, 2)).work_condition_months == 12


# ---- the 1 January 2025 boundary (municipal financing reform) ---------------------------

PAID_DAYS = (100, 101, 200, 201, 300, 301, 1000, 1001)


def test_municipal_share_until_2024_12_31(rules):
    r = rules.on(D(2024, 12, 31))
    assert r.municipal_share_benefits == ("labour_market_subsidy",)
    assert r.municipal_share_service_days_count is False
    assert [r.municipal_share(d) for d in PAID_DAYS] == [0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.5, 0.7]


def test_municipal_share_from_2025_01_01(rules):
    r = rules.on(D(2025, 1, 1))
    assert set(r.municipal_share_benefits) >= {"basic_allowance", "labour_market_subsidy",
                                                "earnings_related"}
    assert r.municipal_share_service_days_count is True
    assert [r.municipal_share(d) for d in PAID_DAYS] == [0.0, 0.1, 0.1, 0.2, 0.2, 0.3, 0.5, 0.5]
    assert r.municipal_share(400) == 0.3
    assert r.municipal_share(401) == 0.4
    assert r.municipal_share(700) == 0.4
    assert r.municipal_share(701) == 0.5


def test_2025_schedule_is_settled_from_the_statute(rules):
    new = rules.sources_on(D(2025, 6, 1))["municipal_share_schedule"]
    old = rules.sources_on(D(2024, 6, 1))["municipal_share_schedule"]
    assert new["to_verify"] is False and "385/2023" in new["source"]
    assert new["valid_from"] == "2025-01-01"
    assert new["override"] is False
    assert new["source"]  # a source is always named
    assert old["to_verify"] is False
    assert old["valid_to"] == "2025-01-01"


# ---- earnings-related step-downs from 2 September 2024 ----------------------------------

def test_earnings_related_stepdowns_from_2024_09_02(rules):
    before, after = rules.on(D(2024, 9, 1)), rules.on(D(2024, 9, 2))
    days = (1, 40, 41, 170, 171, 400)
    assert [before.earnings_related_factor(d) for d in days] == [1.0] * 6
    assert [after.earnings_related_factor(d) for d in days] == [1.0, 1.0, 0.8, 0.8, 0.75, 0.75]


# ---- benefit merger 1 May 2026 ----------------------------------------------------------

def test_general_benefit_from_2026_05_01(rules):
    assert rules.on(D(2026, 4, 30)).benefit_system == "separate"
    assert rules.on(D(2026, 5, 1)).benefit_system == "general_benefit"
    assert rules.sources_on(D(2026, 5, 1))["benefit_system"]["to_verify"] is True


def test_basic_allowance_levels(rules):
    assert rules.on(D(2023, 1, 1)).basic_allowance_eur_per_day == pytest.approx(37.21)
    assert rules.on(D(2027, 12, 31)).basic_allowance_eur_per_day == pytest.approx(37.21)
    assert rules.on(D(2022, 12, 31)).basic_allowance_eur_per_day == pytest.approx(34.61)


def test_change_points_2024_to_2026(rules):
    pts = rules.change_points(D(2024, 1, 1), D(2027, 1, 1))
    for p in (D(2024, 9, 2), D(2025, 1, 1), D(2026, 1, 1), D(2026, 5, 1)):
        assert p in pts
    assert pts == sorted(pts)


def test_on_is_cached_per_interval_and_order_independent(rules):
    # query out of order: the per-interval cache must not leak values across boundaries
    late = rules.on(D(2026, 6, 1))
    early = rules.on(D(2022, 5, 1))
    assert late.initial_interview_deadline_working_days == 10
    assert early.initial_interview_deadline_working_days == 10
    assert rules.on(D(2023, 3, 3)).initial_interview_deadline_working_days == 5
    assert rules.on(D(2026, 6, 2)) is late  # same interval -> same cached object


# ---- scenario overrides -----------------------------------------------------------------

def _override_2025():
    return parse_overrides(
        {"initial_interview_deadline_working_days": [
            {"valid_from": D(2025, 3, 1), "valid_to": D(2025, 9, 1), "value": 7}]},
        "reform.toml")


def test_override_applies_only_inside_its_period():
    r = load_rules(_override_2025())
    assert r.on(D(2025, 2, 28)).initial_interview_deadline_working_days == 5
    assert r.on(D(2025, 3, 1)).initial_interview_deadline_working_days == 7
    assert r.on(D(2025, 8, 31)).initial_interview_deadline_working_days == 7
    assert r.on(D(2025, 9, 1)).initial_interview_deadline_working_days == 5
    assert r.on(D(2026, 1, 1)).initial_interview_deadline_working_days == 10
    src = r.sources_on(D(2025, 5, 1))["initial_interview_deadline_working_days"]
    assert src["override"] is True and src["value"] == 7
    after = r.sources_on(D(2025, 9, 1))["initial_interview_deadline_working_days"]
    assert after["override"] is False
    # other rules are untouched
    assert r.on(D(2025, 5, 1)).supplementary_interviews_scheduled is True


def test_override_single_table_form_is_accepted():
    ov = parse_overrides(
        {"benefit_system": {"valid_from": D(2026, 1, 1), "value": "general_benefit"}},
        "reform.toml")
    r = load_rules(ov)
    assert r.on(D(2025, 12, 31)).benefit_system == "separate"
    assert r.on(D(2026, 1, 1)).benefit_system == "general_benefit"


def test_adjacent_override_periods_are_allowed():
    ov = parse_overrides({"initial_interview_deadline_working_days": [
        {"valid_from": D(2026, 1, 1), "valid_to": D(2027, 1, 1), "value": 7},
        {"valid_from": D(2027, 1, 1), "value": 8}]}, "reform.toml")
    r = load_rules(ov)
    assert r.on(D(2026, 12, 31)).initial_interview_deadline_working_days == 7
    assert r.on(D(2027, 1, 1)).initial_interview_deadline_working_days == 8


def test_overlapping_override_periods_are_rejected():
    with pytest.raises(InputError) as ei:
        parse_overrides({"initial_interview_deadline_working_days": [
            {"valid_from": D(2026, 1, 1), "valid_to": D(2027, 1, 1), "value": 7},
            {"valid_from": D(2026, 6, 1), "value": 8}]}, "reform.toml")
    e = ei.value
    assert e.file == "reform.toml"
    assert e.key == "rules.initial_interview_deadline_working_days"
    assert "overlap" in e.reason


def test_open_ended_override_followed_by_another_overlaps():
    with pytest.raises(InputError, match="overlap"):
        parse_overrides({"benefit_system": [
            {"valid_from": D(2026, 1, 1), "value": "general_benefit"},
            {"valid_from": D(2027, 1, 1), "value": "separate"}]}, "reform.toml")


def test_unknown_rule_name_suggests_nearest():
    with pytest.raises(InputError) as ei:
        parse_overrides({"initial_interview_deadline_workingdays": [{"value": 7}]}, "reform.toml")
    e = ei.value
    assert e.file == "reform.toml"
    assert e.key == "rules.initial_interview_deadline_workingdays"
    assert "'initial_interview_deadline_working_days'" in e.reason
    assert e.message.startswith("reform.toml: rules.initial_interview_deadline_workingdays: ")


def test_unknown_period_key_suggests_nearest():
    with pytest.raises(InputError) as ei:
        parse_overrides({"benefit_system": [
            {"valid_from": D(2026, 1, 1), "valid_too": D(2027, 1, 1), "value": "separate"}]},
            "reform.toml")
    assert ei.value.key == "rules.benefit_system[0].valid_too"
    assert "'valid_to'" in ei.value.reason


@pytest.mark.parametrize("rule", ["municipal_share_schedule", "earnings_related_stepdowns"])
@pytest.mark.parametrize("share", [1.5, -0.1])
def test_share_outside_0_1_in_override(rule, share):
    with pytest.raises(InputError) as ei:
        parse_overrides(
            {rule: [{"valid_from": D(2026, 1, 1), "value": [[101, 0.1], [201, share]]}]},
            "reform.toml")
    e = ei.value
    assert e.file == "reform.toml"
    assert e.key == f"rules.{rule}[0].value[1]"
    assert "0–1" in e.reason and str(share) in e.reason


def test_override_wrong_value_type():
    with pytest.raises(InputError) as ei:
        parse_overrides({"initial_interview_deadline_working_days": [
            {"valid_from": D(2026, 1, 1), "value": "seven"}]}, "reform.toml")
    assert ei.value.key == "rules.initial_interview_deadline_working_days[0].value"
    assert "integer" in ei.value.reason


def test_override_dates_out_of_order():
    with pytest.raises(InputError) as ei:
        parse_overrides({"initial_interview_deadline_working_days": [
            {"valid_from": D(2026, 1, 1), "valid_to": D(2025, 1, 1), "value": 7}]}, "reform.toml")
    assert ei.value.key == "rules.initial_interview_deadline_working_days[0].valid_to"
    assert "not after" in ei.value.reason


def test_override_missing_value():
    with pytest.raises(InputError) as ei:
        parse_overrides({"benefit_system": [{"valid_from": D(2026, 1, 1)}]}, "reform.toml")
    assert ei.value.key == "rules.benefit_system[0].value"


# ---- regressions: bugs found by the first test pass, now fixed ------------------------

def test_override_datetime_instead_of_date_is_input_error():
    with pytest.raises(InputError) as ei:
        load_rules(parse_overrides({"initial_interview_deadline_working_days": [
            {"valid_from": datetime(2026, 1, 1), "value": 7}]}, "reform.toml")).on(D(2026, 2, 1))
    assert ei.value.key == "rules.initial_interview_deadline_working_days[0].valid_from"


def test_override_array_of_non_tables_is_input_error():
    with pytest.raises(InputError) as ei:
        parse_overrides({"initial_interview_deadline_working_days": [5]}, "reform.toml")
    assert ei.value.key.startswith("rules.initial_interview_deadline_working_days")


def test_override_steps_out_of_order_is_input_error():
    with pytest.raises(InputError):
        parse_overrides({"municipal_share_schedule": [{"value": [[101, 0.1], [50, 0.2]]}]},
                        "reform.toml")
