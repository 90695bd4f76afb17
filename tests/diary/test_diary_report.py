"""Charts, the doctor report (HTML and PDF, English and Chinese) and the FHIR Bundle."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread
from typer.testing import CliRunner

from crampcheck.cli.diary_cmd import diary_app
from crampcheck.diary import charts, fhir, report, service

runner = CliRunner()
needs_pdftoppm = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm missing (poppler-utils)")


def ink(png: Path) -> float:
    """Share of pixels that are not (near) white."""
    img = imread(png)
    rgb = img[..., :3] if img.ndim == 3 else img[..., None]
    return float((rgb.min(axis=-1) < 0.9).mean())


def test_charts_are_drawn_as_non_blank_pngs(filled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db, uid, d = filled
    with db.session() as s:
        episodes = service.episode_table(session=s, user_id=uid)
        trig = service.trigger_report(session=s, user_id=uid)
    paths = charts.draw_all(episodes, trig, tmp_path / "charts")
    assert {p.name for p in paths} == {"over_time.png", "by_hour.png", "by_muscle.png", "forest.png"}
    for p in paths:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert ink(p) > 0.01, f"{p.name} looks blank"


def test_chart_data_json(filled) -> None:  # type: ignore[no-untyped-def]
    db, uid, d = filled
    with db.session() as s:
        data = service.chart_data(session=s, user_id=uid)
    json.dumps(data)
    assert sum(r["count"] for r in data["by_hour"]) == len(d.episodes)
    assert {r["muscle"] for r in data["by_muscle"]} <= {"calf", "foot", "thigh", "hand"}
    top = data["effects"][0]
    assert top["exposure"] == "hand_use_hours" and top["ci_low"] < top["odds_ratio"] < top["ci_high"]


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["See a doctor", "Night-time leg cramps", "amlodipine", "Questions worth asking", "R25.2"]),
        ("zh", ["抽筋日记", "值得问医生的问题", "amlodipine", "个人诱因"]),
    ],
)
def test_report_html_holds_every_section(filled, lang: str, words: list[str]) -> None:  # type: ignore[no-untyped-def]
    db, uid, _ = filled
    with db.session() as s:
        html = report.render_html(report.gather(session=s, user_id=uid, lang=lang))
    for w in words:
        assert w in html, w
    assert html.count("data:image/png;base64,") == 4


@needs_pdftoppm
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pdf_report_renders_to_non_blank_pages(filled, tmp_path: Path, lang: str) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / f"report-{lang}.pdf"
    result = runner.invoke(diary_app, ["report", str(out), "--lang", lang])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:5] == b"%PDF-"
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(out), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert 2 <= len(pages) <= 6, f"{len(pages)} pages"
    for p in pages:
        assert ink(p) > 0.005, f"{p.name} is blank"
    if lang == "zh":
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
        assert "抽筋日记" in text  # the CJK glyphs really are in the PDF, not empty boxes


def test_fhir_bundle_round_trips(filled) -> None:  # type: ignore[no-untyped-def]
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.observation import Observation
    from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse
    from fhir.resources.R4B.riskassessment import RiskAssessment

    db, uid, d = filled
    with db.session() as s:
        bundle = fhir.export_bundle(session=s, user_id=uid)
        stored = service.list_episodes(session=s, user_id=uid)
        days = service.list_exposures(session=s, user_id=uid)
    text = bundle.model_dump_json()
    again = Bundle.model_validate_json(text)
    assert again.model_dump_json() == text
    kinds = [type(e.resource).__name__ for e in again.entry]
    assert days and kinds.count("Observation") == len(d.episodes) + len(days)
    assert "QuestionnaireResponse" in kinds and "RiskAssessment" in kinds
    ra = next(e.resource for e in again.entry if isinstance(e.resource, RiskAssessment))
    assert ra.prediction[0].outcome.coding[0].code == "R25.2"
    assert float(ra.prediction[0].probabilityDecimal) == pytest.approx(0.62)
    qr = next(e.resource for e in again.entry if isinstance(e.resource, QuestionnaireResponse))
    assert {i.linkId for i in qr.item} >= {"age", "sex", "site_calf", "pregnant"}
    obs = next(e.resource for e in again.entry if isinstance(e.resource, Observation))
    assert obs.code.coding[0].code == "55300003"
    back = fhir.episodes_from_bundle(again)
    assert [b.model_dump() for b in back] == [
        {k: v for k, v in e.model_dump().items() if k not in ("id", "source")} for e in stored
    ]
    # every recorded day comes back with every field it holds (issue 14: the bundle had no daily exposures)
    assert [x.model_dump() for x in fhir.exposures_from_bundle(again)] == [
        {k: v for k, v in x.model_dump().items() if k != "id"} for x in days
    ]


def test_fhir_cli_writes_json(filled, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "b.json"
    result = runner.invoke(diary_app, ["fhir", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["resourceType"] == "Bundle" and data["type"] == "collection"
    assert np.isclose(
        len(data["entry"]), 3 + len([e for e in data["entry"] if e["resource"]["resourceType"] == "Observation"])
    )
