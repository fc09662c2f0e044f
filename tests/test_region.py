"""The employment area (simulation/region.py, simulation/data/region_pohjoinen_keski_suomi.toml)."""

from __future__ import annotations

import dataclasses
from importlib import resources

import pytest

from simulation.errors import InputError
from simulation.scenario.region import load_region

HUBS = {
    "Äänekoski": {"Äänekoski", "Konnevesi", "Uurainen"},
    "Laukaa": {"Laukaa", "Hankasalmi"},
    "Saarijärvi": {"Saarijärvi", "Karstula", "Kannonkoski", "Kyyjärvi"},
    "Viitasaari": {"Viitasaari", "Kinnula", "Kivijärvi", "Pihtipudas"},
}

LABOUR_FORCE_2019 = {  # DOMAIN.md §2
    "Äänekoski": 8189, "Laukaa": 8518, "Saarijärvi": 4020, "Viitasaari": 2577,
    "Hankasalmi": 2005, "Karstula": 1666, "Pihtipudas": 1699, "Uurainen": 1612,
    "Konnevesi": 1144, "Kinnula": 618, "Kannonkoski": 531, "Kyyjärvi": 525, "Kivijärvi": 398,
}

POPULATION_2022 = {  # DOMAIN.md §3, the plan's appendix
    "Kannonkoski": 1269, "Karstula": 3665, "Kinnula": 1554, "Kivijärvi": 1064,
    "Kyyjärvi": 1196, "Pihtipudas": 3786, "Viitasaari": 5951,
}


def test_thirteen_municipalities_four_hubs(region):
    assert len(region.municipalities) == 13
    assert set(region.municipality_names) == set(LABOUR_FORCE_2019)
    assert len(region.hubs) == 4
    assert set(region.hub_names) == set(HUBS)
    assert region.main_hub == "Äänekoski"
    assert region.responsible_municipality == "Äänekoski"


def test_each_municipality_served_by_exactly_one_hub(region):
    served = [m for h in region.hubs.values() for m in h.serves]
    assert sorted(served) == sorted(region.municipality_names)  # no duplicates, none missing
    for hub, munis in HUBS.items():
        assert set(region.hubs[hub].serves) == munis
        for m in munis:
            assert region.hub_of(m) == hub


def test_hub_of_unknown_municipality(region):
    with pytest.raises(InputError) as ei:
        region.hub_of("Jyväskylä")
    assert "Jyväskylä" in ei.value.reason
    assert ei.value.file.endswith("region_pohjoinen_keski_suomi.toml")


def test_every_service_point_and_hub_address_present(region):
    for m in region.municipalities.values():
        assert m.service_point.strip(), m.name
        assert any(ch.isdigit() for ch in m.service_point), m.name  # street number
    for h in region.hubs.values():
        assert h.address.strip(), h.name
    assert region.hubs["Äänekoski"].address.startswith("Hallintokatu 4")
    assert region.municipalities["Äänekoski"].service_point == "Hallintokatu 4"


def test_labour_force_2019(region):
    lf = region.attribute_by_municipality("labour_force_2019")
    assert lf == {k: float(v) for k, v in LABOUR_FORCE_2019.items()}
    assert sum(lf.values()) == pytest.approx(33_500, abs=300)  # "about 33,500"


def test_unemployed_2019(region):
    u = region.attribute_by_municipality("unemployed_2019_mean")
    assert sum(u.values()) == pytest.approx(3_790, abs=20)  # "about 3,790"
    assert u["Äänekoski"] == pytest.approx(1129, abs=1)
    assert u["Laukaa"] == pytest.approx(790, abs=1)
    assert u["Saarijärvi"] == pytest.approx(553, abs=1)
    assert u["Kivijärvi"] == pytest.approx(41, abs=1)


def test_population_of_seven_municipalities(region):
    pops = {m.name: m.population_2022_12_31 for m in region.municipalities.values()
            if m.population_2022_12_31 is not None}
    assert pops == POPULATION_2022
    assert sum(pops.values()) == 18_485


def test_staff_fte(region):
    assert region.staff_fte["customer_service"] == 28.0
    assert region.staff_fte["administration"] == 5.0
    assert region.staff_fte["specialists"] == 18.0
    assert 5.0 <= region.staff_fte["regional_services_bought"] <= 7.0


def test_by_hub_sums(region):
    lf = region.by_hub(region.attribute_by_municipality("labour_force_2019"))
    assert lf["Äänekoski"] == 8189 + 1144 + 1612
    assert lf["Laukaa"] == 8518 + 2005
    assert sum(lf.values()) == sum(LABOUR_FORCE_2019.values())


def test_split_by_rule(region):
    u = region.attribute_by_municipality("unemployed_2019_mean")
    split = region.split_by_rule(28.0, "proportional_to_unemployed_2019_mean")
    assert sum(split.values()) == pytest.approx(28.0)
    total = sum(u.values())
    for hub, munis in HUBS.items():
        assert split[hub] == pytest.approx(28.0 * sum(u[m] for m in munis) / total)
    lf_split = region.split_by_rule(10.0, "proportional_to_labour_force_2019")
    lf_total = sum(LABOUR_FORCE_2019.values())
    assert lf_split["Laukaa"] == pytest.approx(10.0 * (8518 + 2005) / lf_total)


@pytest.mark.parametrize("rule", ["equal", "proportional_to_hub", "proportional_to_nothing"])
def test_split_by_unknown_rule(region, rule):
    with pytest.raises(InputError) as ei:
        region.split_by_rule(28.0, rule)
    assert ei.value.key == "staff.allocation_rule"


def test_region_is_read_only(region):
    with pytest.raises(TypeError):
        region.municipalities["X"] = None  # MappingProxyType
    with pytest.raises(dataclasses.FrozenInstanceError):
        region.name = "other"  # frozen dataclass


def test_unknown_region_name():
    with pytest.raises(InputError) as ei:
        load_region("etela_savo_xyz")
    assert ei.value.key == "region"


def _packaged_text():
    return (resources.files("simulation") / "data" / "region_pohjoinen_keski_suomi.toml").read_text(
        encoding="utf-8")


def test_load_region_by_path(tmp_path):
    p = tmp_path / "region_copy.toml"
    p.write_text(_packaged_text(), encoding="utf-8")
    r = load_region(p)
    assert r.source_file == str(p)
    assert len(r.municipalities) == 13


def test_region_file_municipality_served_twice(tmp_path):
    text = _packaged_text().replace(
        'serves = ["Laukaa", "Hankasalmi"]', 'serves = ["Laukaa", "Hankasalmi", "Konnevesi"]')
    p = tmp_path / "r.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as ei:
        load_region(p)
    assert ei.value.key == "hubs.Laukaa.serves"
    assert "Konnevesi" in ei.value.reason


def test_region_file_syntax_error(tmp_path):
    p = tmp_path / "r.toml"
    p.write_text(_packaged_text().replace("[staff_fte]", "[staff_fte"), encoding="utf-8")
    with pytest.raises(InputError) as ei:
        load_region(p)
    assert ei.value.file == str(p)
    assert "line" in ei.value.reason
