"""One definition of each diary field (crampcheck/diary/fields.yaml) reaches every place that reads or shows it.

The first tests go over every field of the registry, whatever it holds, so that a field added there cannot be
forgotten by the request models, the storage model, the CSV reader and writer, the web form, the command line,
the trigger analysis or the FHIR export. The others check the command-line points of issue 14 that the field
definitions fix (muscle names in both languages, no silent midnight or default severity, minutes, full-width
commas) and the read model (the trigger fit once per page, not again for an unchanged diary).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from crampcheck.cli.diary_cmd import diary_app
from crampcheck.diary import csvio, fhir, service
from crampcheck.diary.fields import EPISODE_FIELDS, EXPOSURE_FIELDS, DiaryField, registry
from crampcheck.diary.schemas import EpisodeCreate, EpisodePublic, ExposureIn, ExposurePublic
from crampcheck.diary.triggers import SPECS, build_day_table, spec_for
from crampcheck.storage.models import Episode, Exposure

runner = CliRunner(env={"LC_ALL": "C.UTF-8"})
DAY = dt.date(2024, 5, 1)
LOCAL = ("127.0.0.1", 50000)


def stored_sample(f: DiaryField) -> Any:
    """A value of the field as stored (inside its bounds, not at the edges)."""
    if f.type in ("int", "number"):
        assert f.min is not None and f.max is not None
        v = f.min + (f.max - f.min) / 4
        return round(v) if f.type == "int" else v
    if f.type == "choice":
        return f.values[-1]
    if f.type == "bool":
        return True
    if f.type == "text":
        return "a few words"
    if f.type == "list":
        return ["alpha", "beta"]
    if f.type == "date":
        return DAY
    return dt.datetime(2024, 5, 1, 3, 10)


def typed_sample(f: DiaryField) -> str:
    """The same value as a person types it (entry unit, full-width comma between list items)."""
    v = stored_sample(f)
    if f.type == "list":
        return "alpha，beta"
    if f.entry is not None:
        return f"{f.to_entry(v):g}"
    if f.type in ("int", "number"):
        return f"{v:g}"
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return str(v)


def form_sample(f: DiaryField) -> str:
    return ("yes" if stored_sample(f) else "no") if f.type == "bool" else typed_sample(f)


def _cli_args(fields: tuple[DiaryField, ...]) -> list[str]:
    args: list[str] = []
    for f in fields:
        if f.cli is None or f.type in ("date", "datetime"):
            continue
        if f.type == "bool":
            args.append(f"--{f.cli.option}")
        else:
            args += [f"--{f.cli.option}", typed_sample(f)]
    return args


@pytest.fixture
def web(data_dir: Path) -> Iterator[Any]:
    from crampcheck.api import create_app
    from support.forms import BrowserClient

    with BrowserClient(create_app(), client=LOCAL, raise_server_exceptions=False) as c:
        yield c


def test_the_registry_is_complete_and_agrees_with_storage() -> None:
    reg = registry()
    assert [f.name for f in reg.exposure][0] == "day" and any(f.required for f in reg.episode)
    for fields, table in ((EPISODE_FIELDS, Episode.__table__), (EXPOSURE_FIELDS, Exposure.__table__)):
        for f in fields:
            assert f.name in table.columns, f"{f.name}: defined but not stored (storage/models.py + a migration)"
            assert f.label is not None and f.label.en and f.label.zh, f"{f.name}: label in both languages"
            assert all(c.en and c.zh for c in f.choices), f"{f.name}: every allowed value has words in both"
            if f.type not in ("date",):
                assert f.cli is not None and f.cli.help.en and f.cli.help.zh, f"{f.name}: a command-line option"


def test_every_exposure_field_reaches_every_output(data_dir: Path, web: Any) -> None:
    names = [f.name for f in EXPOSURE_FIELDS]
    # request and response models
    assert list(ExposureIn.model_fields) == names
    assert set(ExposurePublic.model_fields) == {"id", *names}
    # the command line: one option per field, and what it records is what was typed
    code = runner.invoke(diary_app, ["day", DAY.isoformat(), *_cli_args(EXPOSURE_FIELDS)])
    assert code.exit_code == 0, code.output
    from crampcheck.storage.db import open_database

    db = open_database()
    with db.session() as s:
        uid = service.ensure_user(session=s, name="local").id
        stored = service.get_exposure(session=s, user_id=uid, day=DAY)
    for f in EXPOSURE_FIELDS:
        assert getattr(stored, f.name) == stored_sample(f), f"{f.name}: the command-line option did not record it"
    # the web form: every field is on the page, and what is posted is what is stored
    page = web.get("/diary?lang=zh").text
    for f in EXPOSURE_FIELDS:
        assert f'name="{f.entry_name}"' in page, f"{f.name}: not on the day form"
        assert f.label_text("zh") in page, f"{f.name}: no Chinese label on the day form"
    other = DAY + dt.timedelta(days=1)
    form = {f.entry_name: form_sample(f) for f in EXPOSURE_FIELDS} | {"day": other.isoformat(), "lang": "en"}
    r = web.post("/diary/exposures", data=form, follow_redirects=False)
    assert r.status_code == 303, re.findall(r'class="field-error"[^>]*>([^<]*)', r.text)
    with db.session() as s:
        posted = service.get_exposure(session=s, user_id=uid, day=other)
    assert posted.model_dump(exclude={"id", "day"}) == stored.model_dump(exclude={"id", "day"})
    # CSV: every field is a column, and an export imported into an empty diary exports the same file
    with db.session() as s:
        text = csvio.export_csv(session=s, user_id=uid, kind="exposures")
        assert text.splitlines()[0].split(",") == names
        bob = service.ensure_user(session=s, name="bob").id
        csvio.import_csv(session=s, user_id=bob, source=io.StringIO(text))
        assert csvio.export_csv(session=s, user_id=bob, kind="exposures") == text
    # FHIR: a component per field, read back to the same record
    bundle = fhir.build_bundle(episodes=[], assessment=None, exposures=[stored])
    obs = fhir.exposure_observation(stored, "urn:uuid:p")
    codes = {c.code.coding[0].code for c in obs.component or []}
    for f in EXPOSURE_FIELDS:
        if f.type != "date":
            assert f.name in codes, f"{f.name}: not in the FHIR export"
    assert fhir.exposures_from_bundle(bundle)[0].model_dump() == stored.model_dump(exclude={"id"})
    # the trigger analysis: every analysed field gives its column and its words
    table = build_day_table(
        pd.DataFrame(columns=["started_at"]), pd.DataFrame([service.exposure_row_values(stored)])
    )
    for f in EXPOSURE_FIELDS:
        t = f.trigger
        if t is None:
            continue
        column = f"{t.id}:alpha" if t.each is not None else (t.id or f.name)
        assert column in table.columns, f"{f.name}: not analysed"
        spec = spec_for(column)
        assert spec.en and spec.zh and (t.each is not None or column in SPECS)


def test_every_episode_field_reaches_every_input(data_dir: Path, web: Any) -> None:
    names = [f.name for f in EPISODE_FIELDS]
    assert list(EpisodeCreate.model_fields) == names
    assert set(EpisodePublic.model_fields) == {"id", "source", *names}
    assert [*names, "source"] == csvio.EPISODE_COLUMNS
    page = web.get("/diary").text
    for f in EPISODE_FIELDS:
        assert f'name="{f.entry_name}"' in page, f"{f.name}: not on the cramp form"
    help_text = runner.invoke(diary_app, ["add", "--help"], env={"COLUMNS": "200"}).output
    for f in EPISODE_FIELDS:
        if f.cli is not None and f.name != "muscle":  # the muscle is the argument
            assert f"--{f.cli.option}" in help_text, f"{f.name}: no option of `diary add`"
    options = tuple(f for f in EPISODE_FIELDS if f.name not in ("started_at", "muscle"))
    args = ["add", "calf", "--when", "2024-05-01T03:10", *_cli_args(options)]
    r = runner.invoke(diary_app, args)
    assert r.exit_code == 0, r.output
    row = json.loads(runner.invoke(diary_app, ["list", "--json"]).output)[0]
    for f in options:
        assert row[f.name] == stored_sample(f), f"{f.name}: the command-line option did not record it"


# ---- the command line (issue 14, Terminal) ---------------------------------------------------------------


def _run(*args: str, locale: str = "C.UTF-8") -> tuple[int, str]:
    r = runner.invoke(diary_app, list(args), env={"LC_ALL": locale, "COLUMNS": "200"})
    return r.exit_code, r.output


def _stored(data_dir: Path) -> list[dict[str, Any]]:
    return json.loads(_run("list", "--json")[1])  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("typed", "muscle"), [("小腿", "calf"), ("Calf", "calf"), ("背部", "trunk"), ("jaw or face", "jaw_face")]
)
def test_add_takes_muscle_names_in_either_language(data_dir: Path, typed: str, muscle: str) -> None:
    code, out = _run("add", typed, "-s", "5", "--when", "2024-05-01T03:10", "--lang", "zh")
    assert code == 0, out
    assert _stored(data_dir)[0]["muscle"] == muscle
    assert "已添加第 1 次抽筋" in out


@pytest.mark.parametrize(("lang", "expected"), [("zh", "不是可选的值之一"), ("en", "is not one of")])
def test_an_unknown_muscle_is_refused_in_the_users_language(data_dir: Path, lang: str, expected: str) -> None:
    code, out = _run("add", "大脚趾", "-s", "5", "--lang", lang)
    assert code == 2 and expected in out and "Input should be" not in out and "Traceback" not in out
    assert ("小腿" in out) == (lang == "zh") and ("calf" in out) == (lang == "en")
    assert _stored(data_dir) == []


@pytest.mark.parametrize(("lang", "expected"), [("en", "has no time of day"), ("zh", "没有给出时刻")])
def test_a_date_without_a_time_is_refused_not_midnight(data_dir: Path, lang: str, expected: str) -> None:
    code, out = _run("add", "calf", "-s", "5", "--when", "2024-05-01", "--lang", lang)
    assert code == 2 and expected in out and "2024-05-01T03:10" in out
    assert _stored(data_dir) == []
    code, out = _run("add", "calf", "-s", "5", "--when", "2024-05-01 00:00")  # midnight, when meant, is kept
    assert code == 0 and _stored(data_dir)[0]["started_at"] == "2024-05-01T00:00:00"


def test_severity_is_never_a_silent_default(data_dir: Path) -> None:
    code, out = _run("add", "calf", "--when", "2024-05-01T03:10")
    assert code == 2 and "--severity" in out and _stored(data_dir) == []
    code, out = _run("add", "calf", "--when", "2024-05-01T03:10", "--lang", "zh")
    assert code == 2 and "请用 --severity" in out


def test_duration_is_in_minutes_as_on_the_web(data_dir: Path) -> None:
    assert _run("add", "calf", "-s", "5", "--when", "2024-05-01T03:10", "--duration", "1.5")[0] == 0
    assert _stored(data_dir)[0]["duration_s"] == 90
    code, out = _run("list")
    assert code == 0 and "minutes" in out and "1.5" in out
    assert _run("edit", "1", "--duration", "2")[0] == 0 and _stored(data_dir)[0]["duration_s"] == 120
    code, out = _run("edit", "1", "--duration", "1441")
    assert code == 2 and "--duration '1441' must be a number from 0 to 1440" in out


def test_a_full_width_comma_separates_list_items(data_dir: Path) -> None:
    code, out = _run("day", "2024-05-01", "--medicine", "氨氯地平，布洛芬", "--medicine", "statin")
    assert code == 0, out
    code, out = _run("stats", "--json")
    with_meds = json.loads(out)["summary"]["medicines"]
    assert with_meds == {"氨氯地平": 1, "布洛芬": 1, "statin": 1}


# ---- one read model ---------------------------------------------------------------------------------------


def test_the_trigger_fit_runs_once_per_page_and_not_again_for_an_unchanged_diary(
    data_dir: Path, web: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crampcheck.diary import readmodel

    fits: list[str] = []
    real = readmodel.analyse_tables

    def counted(*args: Any, **kwargs: Any) -> Any:
        fits.append(kwargs.get("lang", "en"))
        return real(*args, **kwargs)

    monkeypatch.setattr(readmodel, "analyse_tables", counted)
    readmodel._fits.clear()
    assert web.get("/diary").status_code == 200 and len(fits) == 1
    assert web.get("/diary").status_code == 200 and len(fits) == 1  # nothing changed: no second fit
    form = {"lang": "en", "started_at": "2024-05-01T03:10", "muscle": "calf", "severity": "4"}
    assert web.post("/diary/episodes", data=form, follow_redirects=False).status_code == 303
    assert web.get("/diary").status_code == 200 and len(fits) == 2  # the diary changed: fitted again, once
    assert web.get("/v1/diary/stats").status_code == 200 and len(fits) == 2  # the same content, the same fit


def test_the_stats_endpoint_reads_the_diary_once(
    data_dir: Path, web: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[int] = []
    real = service.list_episodes

    def counted(**kwargs: Any) -> Any:
        reads.append(1)
        return real(**kwargs)

    monkeypatch.setattr(service, "list_episodes", counted)
    r = web.get("/v1/diary/stats?lang=zh")
    assert r.status_code == 200 and set(r.json()) == {"summary", "triggers"} and len(reads) == 1
