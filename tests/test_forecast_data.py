"""Reading and validating monthly series: every bad input names the file and the row or column."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from simulation.errors import InputError
from simulation.forecast.data import MIN_MONTHS, load_monthly

DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "data"
REAL = DATA_DIR / "unemployed_monthly_area.csv"
needs_data = pytest.mark.skipif(not REAL.is_file(), reason=f"real data not found at {REAL}")


def _write(
    tmp_path: Path,
    rows: list[str],
    name: str = "series.csv",
    header: str = "month,municipality,unemployed,labour_force,open_vacancies",
) -> Path:
    p = tmp_path / name
    p.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return p


def _months(n: int, start: str = "2018-01") -> list[str]:
    return [str(p) for p in pd.period_range(start, periods=n, freq="M")]


def _good_rows(n: int = 30, munis: tuple[str, ...] = ("Laukaa", "Kivijärvi")) -> list[str]:
    return [f"{m},{mu},{100 + i},1000," for mu in munis for i, m in enumerate(_months(n))]


def test_good_long_csv_is_pivoted(tmp_path: Path) -> None:
    d = load_monthly(_write(tmp_path, _good_rows()))
    assert d.municipalities == ("Kivijärvi", "Laukaa")
    assert str(d.first_month) == "2018-01" and len(d.unemployed) == 30
    assert d.unemployed.loc[pd.Period("2018-03", "M"), "Laukaa"] == 102


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as e:
        load_monthly(tmp_path / "nope.csv")
    assert "nope.csv" in e.value.message and "not found" in e.value.message


def test_missing_column_is_named(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        [f"{m},Laukaa,1000" for m in _months(30)],
        header="month,municipality,labour_force",
    )
    with pytest.raises(InputError) as e:
        load_monthly(p)
    assert e.value.file == str(p)
    assert "'unemployed'" in e.value.key and "missing" in e.value.reason


def test_non_numeric_value_names_row_municipality_and_month(tmp_path: Path) -> None:
    rows = _good_rows()
    m, mu, _, lf, ov = rows[4].split(",")
    rows[4] = f"{m},{mu},abc,{lf},{ov}"  # line 6 of the file (header is line 1)
    p = _write(tmp_path, rows)
    with pytest.raises(InputError) as e:
        load_monthly(p)
    assert e.value.file == str(p)
    assert e.value.key == f"row 6 ({mu}, {m}): unemployed"
    assert "'abc'" in e.value.reason
    assert e.value.message.startswith(f"{p}: row 6 ")


def test_non_numeric_optional_column_is_an_error_too(tmp_path: Path) -> None:
    rows = _good_rows()
    rows[2] = rows[2].rsplit(",", 1)[0] + ",many"
    with pytest.raises(InputError) as e:
        load_monthly(_write(tmp_path, rows))
    assert e.value.key.startswith("row 4 (") and e.value.key.endswith("open_vacancies")


def test_negative_and_empty_counts_are_rejected(tmp_path: Path) -> None:
    rows = _good_rows()
    rows[1] = rows[1].replace(",101,", ",-5,")
    with pytest.raises(InputError, match="non-negative"):
        load_monthly(_write(tmp_path, rows))
    rows = _good_rows()
    rows[1] = rows[1].replace(",101,", ",,")
    with pytest.raises(InputError) as e:
        load_monthly(_write(tmp_path, rows, "b.csv"))
    assert "row 3" in e.value.key and "missing value" in e.value.reason


def test_bad_month_is_named(tmp_path: Path) -> None:
    rows = _good_rows()
    rows[0] = rows[0].replace("2018-01", "2018-13")
    with pytest.raises(InputError) as e:
        load_monthly(_write(tmp_path, rows))
    assert e.value.key.startswith("row 2 ") and "YYYY-MM" in e.value.reason


def test_duplicated_month_names_both_rows(tmp_path: Path) -> None:
    rows = _good_rows()
    rows.append(rows[3])  # Laukaa 2018-04 again, as line len(rows)+1
    p = _write(tmp_path, rows)
    with pytest.raises(InputError) as e:
        load_monthly(p)
    assert e.value.key == f"row 5 and row {len(rows) + 1} (Laukaa, 2018-04)"
    assert "duplicated month" in e.value.reason


def test_gap_says_which_municipality_and_months(tmp_path: Path) -> None:
    rows = [
        r
        for r in _good_rows()
        if not (r.startswith(("2018-05,Kivijärvi", "2018-06,Kivijärvi", "2018-09,Kivijärvi")))
    ]
    with pytest.raises(InputError) as e:
        load_monthly(_write(tmp_path, rows))
    assert e.value.key == "municipality Kivijärvi"
    assert "2018-05–2018-06, 2018-09" in e.value.reason and "gap" in e.value.reason


def test_series_ending_in_different_months(tmp_path: Path) -> None:
    rows = [r for r in _good_rows() if not r.startswith(f"{_months(30)[-1]},Kivijärvi")]
    with pytest.raises(InputError, match=r"Kivijärvi ends 2020-05; the others end 2020-06"):
        load_monthly(_write(tmp_path, rows))


def test_too_short(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=f"at least {MIN_MONTHS}"):
        load_monthly(_write(tmp_path, _good_rows(n=12)))


def test_until_cuts_and_checks(tmp_path: Path) -> None:
    d = load_monthly(_write(tmp_path, _good_rows()))
    cut = d.until("2019-12")
    assert str(cut.last_month) == "2019-12" and len(cut.unemployed) == 24
    with pytest.raises(InputError, match="--until"):
        d.until("2019-13")
    with pytest.raises(InputError, match="at least"):
        d.until("2018-06")


@needs_data
def test_real_file_loads_as_documented() -> None:
    d = load_monthly(REAL)
    assert len(d.municipalities) == 13
    assert (str(d.first_month), str(d.last_month)) == ("2006-01", "2020-10")
    assert d.unemployed.shape == (178, 13) and not d.unemployed.isna().any().any()
