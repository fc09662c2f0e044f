"""PxWeb parsers on hand-made fixtures, and `tyosim data fetch` offline (HTTP replaced)."""

from __future__ import annotations

import argparse
import json
import urllib.error
from pathlib import Path

import pandas as pd
import pytest

from simulation.cli import forecast as commands
from simulation.errors import InputError
from simulation.forecast import pxweb
from simulation.forecast.data import load_monthly

FIX = Path(__file__).resolve().parent / "fixtures" / "forecast"

EXPECTED = pd.DataFrame(
    {"Kivijärvi": [53.0, 50.0, 52.0], "Laukaa": [915.0, 873.0, 869.0]},
    index=pd.PeriodIndex(["2020-08", "2020-09", "2020-10"], freq="M", name="month"),
)


def _short_ok(monkeypatch: pytest.MonkeyPatch) -> None:
    # the fixtures hold 3 months; the forecast needs 24, so allow short files here
    monkeypatch.setattr("simulation.forecast.data.MIN_MONTHS", 1)


@pytest.mark.parametrize(
    "name",
    ["pxweb_web_download.csv", "pxweb_api.csv", "pxweb_jsonstat2.json", "pxweb_jsonstat1.json"],
)
def test_every_pxweb_shape_gives_the_same_series(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _short_ok(monkeypatch)
    d = load_monthly(FIX / name)
    pd.testing.assert_frame_equal(d.unemployed, EXPECTED)


def test_web_download_keeps_optional_measures_and_skips_other_areas_and_rates() -> None:
    text = (FIX / "pxweb_web_download.csv").read_text(encoding="utf-8")
    long = pxweb.parse_pxweb_csv_text(text, "x.csv")
    assert set(long.municipality) == {"Laukaa", "Kivijärvi"}  # MK13 Keski-Suomi dropped
    laukaa = long[long.municipality == "Laukaa"].set_index("month")
    assert laukaa.loc["2020-08", "open_vacancies"] == ".."  # missing, kept as missing
    assert laukaa.loc["2020-10", "labour_force"] == "8518"
    # the unemployment-rate row (13.1 %) must not be read as the count
    assert (
        long[long.municipality == "Kivijärvi"].set_index("month").loc["2020-10", "unemployed"]
        == "52"
    )


def test_windows_1252_download_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _short_ok(monkeypatch)
    p = tmp_path / "latin.csv"
    p.write_bytes((FIX / "pxweb_web_download.csv").read_text(encoding="utf-8").encode("cp1252"))
    pd.testing.assert_frame_equal(load_monthly(p).unemployed, EXPECTED)


def test_pxweb_non_numeric_count_names_the_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _short_ok(monkeypatch)
    text = (FIX / "pxweb_web_download.csv").read_text(encoding="utf-8").replace(";873;", ";8x3;")
    p = tmp_path / "bad.csv"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_monthly(p)
    assert e.value.file == str(p)
    assert e.value.key == "row 4 (Laukaa, 2020-09): unemployed" and "'8x3'" in e.value.reason


def test_jsonstat_missing_count_names_the_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _short_ok(monkeypatch)
    obj = json.loads((FIX / "pxweb_jsonstat2.json").read_text(encoding="utf-8"))
    obj["value"][0] = None  # Laukaa 2020M08, the count
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(obj), encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_monthly(p)
    assert e.value.key == "Alue=KU410, Kuukausi=2020M08 (Laukaa, 2020-08): unemployed"


def test_pxweb_without_count_measure_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "rates.csv"
    p.write_text(
        '"Alue";"Kuukausi";"Työttömien osuus (%)"\n"Laukaa";"2020M10";10.2\n', encoding="utf-8"
    )
    with pytest.raises(InputError) as e:
        load_monthly(p)
    assert e.value.file == str(p) and e.value.key == "Tiedot" and "unemployed" in e.value.reason


def test_unrecognised_csv_says_what_was_expected(tmp_path: Path) -> None:
    p = tmp_path / "other.csv"
    p.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="month, municipality, unemployed"):
        load_monthly(p)


def test_labels_and_codes() -> None:
    assert pxweb.municipality_of("KU992 Äänekoski") == "Äänekoski"
    assert pxweb.municipality_of("KU992") == "Äänekoski"
    assert pxweb.municipality_of("MK13 Keski-Suomi") is None
    assert pxweb.municipality_of("SSS") is None
    assert pxweb.measure_of("TYOTTOMAT") == pxweb.measure_of("TYOTTOMATLOPUSSA") == "unemployed"
    assert pxweb.measure_of("Työttömien osuus (%)") is None
    assert pxweb.measure_of("Työttömät työnhakijat (lkm.)") == "unemployed"
    assert pxweb.measure_of("Avoimet työpaikat kuukauden lopussa (lkm.)") == "open_vacancies"


# ---------------------------------------------------------------------------------------
# data fetch, offline


class FakeApi:
    """Stands in for `pxweb._http`: metadata on GET, the JSON-stat fixture on POST."""

    def __init__(self) -> None:
        self.posts: list[dict] = []

    def __call__(self, url: str, body: bytes | None = None, timeout_s: float = 60.0) -> bytes:
        if body is None:
            return (FIX / "pxweb_metadata.json").read_bytes()
        self.posts.append(json.loads(body))
        return (FIX / "pxweb_jsonstat2.json").read_bytes()


def test_fetch_posts_a_query_built_from_metadata_and_saves_long_csv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _short_ok(monkeypatch)
    api = FakeApi()
    monkeypatch.setattr(pxweb, "_http", api)
    out = tmp_path / "sub" / "fetched.csv"
    args = argparse.Namespace(
        data_command="fetch",
        out=str(out),
        url=pxweb.PXWEB_TABLE_URL,
        municipalities="Laukaa,Kivijärvi",
        timeout=5.0,
    )
    assert commands.data_fetch_command(args) == 0
    q = {v["code"]: v["selection"] for v in api.posts[0]["query"]}
    assert q["Alue"] == {"filter": "item", "values": ["KU410", "KU265"]}
    assert q["Kuukausi"]["filter"] == "all"
    assert q["Tiedot"]["values"] == [
        "TYOTTOMATLOPUSSA",
        "TYOVOIMATK",
        "AVPAIKATLOPUSSA",
    ]  # not the rate
    assert api.posts[0]["response"]["format"] == "json-stat2"
    saved = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(saved.columns) == [
        "month",
        "municipality",
        "unemployed",
        "labour_force",
        "open_vacancies",
    ]
    assert saved.iloc[0].tolist() == ["2020-08", "Kivijärvi", "53", "398", "2"]
    pd.testing.assert_frame_equal(load_monthly(out).unemployed, EXPECTED)
    assert not list(out.parent.glob(".*tmp"))  # atomic write left no temporary file


def test_fetch_unknown_municipality_and_offline_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pxweb, "_http", FakeApi())
    with pytest.raises(InputError, match="no municipality Atlantis"):
        pxweb.fetch_table(tmp_path / "x.csv", ["Laukaa", "Atlantis"])

    def offline(url: str, body: bytes | None = None, timeout_s: float = 60.0) -> bytes:
        raise urllib.error.URLError("Name or service not known")

    monkeypatch.setattr(pxweb, "_http", offline)
    with pytest.raises(InputError) as e:
        pxweb.fetch_table(tmp_path / "x.csv", ["Laukaa"])
    assert e.value.file == pxweb.PXWEB_TABLE_URL and "--data" in e.value.reason
    assert not (tmp_path / "x.csv").exists()
