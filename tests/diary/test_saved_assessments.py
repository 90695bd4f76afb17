"""Saved assessments (issue 15) are checked against the knowledge base before they are kept: the running
kb_version, known ids, probabilities 0..1, valid levels and the triage these answers give; what is kept is the
server's own result. They can be deleted through the API and the command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from crampcheck.api import create_app
from crampcheck.assess import default_assessor
from crampcheck.cli.diary_cmd import diary_app
from crampcheck.schema import AssessRequest

LOCAL = ("127.0.0.1", 50000)
runner = CliRunner()


def real() -> dict[str, Any]:
    req = AssessRequest.model_validate(
        {"age": 67, "sex": "female", "answers": [{"finding": "site_calf", "state": "present"}]}
    )
    return json.loads(default_assessor().assess(req).model_dump_json())


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(a: dict[str, Any]) -> None:
        *head, last = path.split(".")
        node: Any = a
        for p in head:
            node = node[int(p)] if p.isdigit() else node[p]
        node[int(last) if last.isdigit() else last] = value

    return change


FORGED = {
    "age -5": (_set("age", -5), "age"),
    "probability 2.5": (_set("conditions.0.probability", 2.5), "conditions[0].probability"),
    "probability changed": (_set("conditions.0.probability", 0.01), "conditions[0].probability"),
    "empty kb_version": (_set("kb_version", ""), "kb_version"),
    "long kb_version": (_set("kb_version", "1.0" + "x" * 100), "kb_version"),
    "unknown condition": (_set("conditions.0.id", "made_up"), "conditions[0].id"),
    "made-up triage": (_set("triage.level", "self_care" if real()["triage"]["level"] != "self_care" else "urgent"),
                       "triage.level"),
    "unknown finding": (_set("answers.0.finding", "calf_pian"), "answers[0].finding"),
    "none of the above": (_set("none_of_the_above", 0.999), "none_of_the_above"),
}  # fmt: skip


@pytest.fixture
def client(data_dir: Path) -> Any:
    with TestClient(create_app(), client=LOCAL, raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("case", FORGED, ids=list(FORGED))
def test_a_forged_assessment_is_refused_naming_the_field(client: TestClient, case: str) -> None:
    change, field = FORGED[case]
    body = real()
    change(body)
    r = client.post("/v1/diary/assessments", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == field
    assert client.get("/v1/diary/assessments").json() == []


def test_a_real_assessment_is_kept_with_the_servers_texts_and_can_be_deleted(client: TestClient) -> None:
    body = real()
    body["conditions"][0]["name"] = "<b>You have something awful</b>"  # texts are the server's, not the client's
    body["triage"]["label"] = "made up"
    r = client.post("/v1/diary/assessments", json=body)
    assert r.status_code == 201, r.text
    saved = r.json()
    assert saved["kb_version"] == default_assessor().kb.version
    html = client.get("/v1/diary/report?format=html").text
    assert "You have something awful" not in html and "made up" not in html
    assert client.delete(f"/v1/diary/assessments/{saved['id']}").status_code == 204
    assert client.get("/v1/diary/assessments").json() == []
    assert client.delete(f"/v1/diary/assessments/{saved['id']}").status_code == 404
    assert client.delete(f"/v1/diary/assessments/{2**40}").status_code == 422


def test_the_cli_checks_saved_assessments_and_deletes_them(data_dir: Path, tmp_path: Path) -> None:
    forged = real()
    forged["conditions"][0]["probability"] = 2.5
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    (tmp_path / "real.json").write_text(json.dumps(real()))
    r = runner.invoke(diary_app, ["save-assessment", str(tmp_path / "forged.json"), "--lang", "en"])
    assert r.exit_code != 0 and "conditions[0].probability" in r.output and "Traceback" not in r.output
    r = runner.invoke(diary_app, ["save-assessment", str(tmp_path / "real.json"), "--lang", "en"])
    assert r.exit_code == 0, r.output
    listed = runner.invoke(diary_app, ["assessments", "--lang", "en"])
    assert listed.exit_code == 0 and "knowledge base" in listed.output
    ident = listed.output.split()[0]
    r = runner.invoke(diary_app, ["delete-assessment", ident, "--lang", "en"])
    assert r.exit_code == 0 and f"deleted assessment {ident}" in r.output
    r = runner.invoke(diary_app, ["delete-assessment", ident, "--lang", "en"])
    assert r.exit_code != 0 and "no assessment" in r.output
    assert "no saved assessments" in runner.invoke(diary_app, ["assessments", "--lang", "en"]).output


def test_records_of_every_version_load_and_newer_ones_are_refused() -> None:
    """A record written before versions (the bare API response), or with fields a later layout dropped or added,
    still loads; a record from a newer program is refused with a clear message, not a traceback."""
    import json

    from crampcheck.diary import records

    base = {
        "kb_version": "kb-1",
        "age": 50,
        "sex": "female",
        "triage": {"level": "self_care", "label": "Self-care"},
        "engine": {"method": "exact"},
        "next_question": None,
    }
    old = records.load(json.dumps(base))  # version 0
    assert old.record_version == records.RECORD_VERSION and old.engine_method == "exact"
    extra = records.load(json.dumps({**records.from_v0(base), "a_field_from_later": 1}))
    assert extra == old
    with pytest.raises(records.RecordError, match="record version 99"):
        records.load(json.dumps({**base, "record_version": 99}))
    with pytest.raises(records.RecordError, match="not JSON"):
        records.load("{")
