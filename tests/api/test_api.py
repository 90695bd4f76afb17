"""The HTTP API: the interview protocol, knowledge-base listings, languages and RFC 9457 errors."""

from __future__ import annotations

from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"


def _problem(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["status"] == status
    assert body["title"] and body["type"] and body["detail"]
    return body


def test_healthz(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_first_question_is_the_danger_screen(client: TestClient) -> None:
    r = client.post("/v1/assess", json={"age": 67, "sex": "female", "answers": []})
    assert r.status_code == 200
    body = r.json()
    assert body["kb_version"]
    assert body["next_question"]["id"] == "danger"
    assert body["disclaimer"]
    assert body["triage"]["level"] in ("self_care", "doctor", "urgent", "emergency")


def test_interview_walks_to_a_stop(client: TestClient) -> None:
    """Answer every question 'no' (tick nothing) except the site; the interview must end."""
    answers = [{"finding": "site_calf", "state": "present", "source": "initial"}]
    asked: list[str] = []
    for _ in range(40):
        body = client.post(
            "/v1/assess", json={"age": 67, "sex": "female", "answers": answers, "asked": asked}
        ).json()
        q = body["next_question"]
        if body["should_stop"] or q is None:
            break
        assert q["id"] not in asked, "a question was asked twice"
        asked.append(q["id"])
        answers += [{"finding": f, "state": "absent"} for f in q["findings"] if f != "site_calf"]
    else:
        raise AssertionError("the interview never stopped")
    assert body["conditions"], "no ranked causes"
    top = body["conditions"][0]
    assert 0 <= top["probability"] <= 1
    assert any(a["sources"] for a in body["advice"]), "advice without sources"


def test_emergency_answer_gives_emergency_triage(client: TestClient) -> None:
    ans = [{"finding": "site_calf", "state": "present"}, {"finding": "chest_pain", "state": "present"}]
    body = client.post("/v1/assess", json={"age": 60, "sex": "male", "answers": ans, "asked": ["danger"]}).json()
    assert body["triage"]["level"] == "emergency"
    assert body["triage"]["reasons"]


def test_language_from_body_query_and_header(client: TestClient) -> None:
    base = {"age": 50, "sex": "male"}
    zh = client.post("/v1/assess", json=base, headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}).json()
    assert zh["lang"] == "zh"
    en = client.post("/v1/assess?lang=en", json=base, headers={"Accept-Language": "zh-CN"}).json()
    assert en["lang"] == "en"
    body = client.post("/v1/assess?lang=zh", json={**base, "lang": "en"}).json()
    assert body["lang"] == "en", "an explicit body lang wins"
    r = client.get("/v1/conditions", headers={"Accept-Language": "en;q=0.2, zh;q=0.8"})
    assert r.json()["lang"] == "zh"


def test_unknown_finding_names_field_and_suggests(client: TestClient) -> None:
    ans = [
        {"finding": "site_calf", "state": "present"},
        {"finding": "at_night_in_bed", "state": "present"},
        {"finding": "calf_pian", "state": "present"},
    ]
    body = _problem(client.post("/v1/assess", json={"age": 40, "sex": "male", "answers": ans}), 422)
    assert body["detail"] == "answers[2].finding: unknown finding 'calf_pian'; did you mean 'site_calf'?"
    assert body["errors"][0]["field"] == "answers[2].finding"


def test_unknown_question_in_asked(client: TestClient) -> None:
    body = _problem(client.post("/v1/assess", json={"age": 40, "sex": "male", "asked": ["danger", "sitee"]}), 422)
    assert body["errors"] == [{"field": "asked[1]", "message": "unknown question 'sitee'; did you mean 'site'?"}]


def test_validation_errors_name_every_field(client: TestClient) -> None:
    r = client.post("/v1/assess", json={"age": 0, "sex": "x", "answers": [{"finding": "site_calf"}], "extra": 1})
    body = _problem(r, 422)
    fields = {e["field"] for e in body["errors"]}
    assert {"age", "sex", "answers[0].state", "extra"} <= fields
    assert "age:" in body["detail"]


def test_pregnant_man_is_an_input_error(client: TestClient) -> None:
    r = client.post(
        "/v1/assess", json={"age": 40, "sex": "male", "answers": [{"finding": "pregnant", "state": "present"}]}
    )
    assert "pregnant" in _problem(r, 422)["detail"]


def test_malformed_json_is_400(client: TestClient) -> None:
    r = client.post("/v1/assess", content=b'{"age": 4', headers={"content-type": "application/json"})
    assert "not valid JSON" in _problem(r, 400)["detail"]


def test_oversized_body_is_413(client: TestClient) -> None:
    big = b'{"age": 40, "sex": "male", "answers": [' + b" " * 300_000 + b"]}"
    r = client.post("/v1/assess", content=big, headers={"content-type": "application/json"})
    assert "256 kB" in _problem(r, 413)["detail"]


def test_oversized_streamed_body_is_413(client: TestClient) -> None:
    def chunks():
        for _ in range(100):
            yield b" " * 10_000

    r = client.post("/v1/assess", content=chunks(), headers={"content-type": "application/json"})
    _problem(r, 413)


def test_404_and_405_are_problems(client: TestClient) -> None:
    assert _problem(client.get("/v1/nothing"), 404)["instance"] == "/v1/nothing"
    body = _problem(client.get("/v1/assess"), 405)
    assert "POST" in body["detail"]
    body = _problem(client.get("/v1/conditions/nocturnal_leg_cramp"), 404)
    assert "did you mean 'nocturnal_leg_cramps'" in body["detail"]
    _problem(client.get("/v1/questions/nope"), 404)
    _problem(client.get("/v1/conditions?lang=fr"), 422)


def test_knowledge_listings_carry_version_and_sources(client: TestClient) -> None:
    conds = client.get("/v1/conditions").json()
    assert conds["kb_version"] and len(conds["conditions"]) > 10
    cid = conds["conditions"][0]["id"]
    one = client.get(f"/v1/conditions/{cid}?lang=zh").json()
    assert one["lang"] == "zh" and one["condition"]["sources"]
    assert one["condition"]["sources"][0]["citation"]
    findings = client.get("/v1/findings").json()
    assert any(f["id"] == "site_calf" for f in findings["findings"])
    advice = client.get("/v1/advice").json()["advice"]
    assert advice and all(a["sources"] for a in advice)
    q = client.get("/v1/questions/site?lang=zh").json()["question"]
    assert q["kind"] == "multiple" and "site_calf" in q["findings"]


def test_parse_free_text(client: TestClient) -> None:
    r = client.post("/v1/parse", json={"text": "I'm 70, my calves cramp at night, no swelling"})
    if r.status_code == 503:  # the parser is optional
        return
    body = r.json()
    states = {a["finding"]: a["state"] for a in body["answers"]}
    assert states.get("site_calf") == "present"
    # the answers can be sent straight to /v1/assess
    r2 = client.post("/v1/assess", json={"age": 70, "sex": "male", "answers": body["answers"]})
    assert r2.status_code == 200


def test_parse_rejects_too_long_text(client: TestClient) -> None:
    _problem(client.post("/v1/parse", json={"text": "x" * 6000}), 422)


def test_security_headers_everywhere(client: TestClient) -> None:
    for r in (client.get("/healthz"), client.get("/v1/nothing"), client.post("/v1/assess", content=b"{")):
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "same-origin"


def test_openapi_and_docs(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert "/v1/assess" in doc["paths"]
    resp = doc["paths"]["/v1/assess"]["post"]["responses"]
    assert "application/problem+json" in resp["422"]["content"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/static/vendor/swagger/swagger-ui-bundle.js" in docs.text
    assert client.get("/static/vendor/swagger/swagger-ui-bundle.js").status_code == 200


def test_only_self_contained_documents_may_use_inline_styles(client: TestClient) -> None:
    report = client.get("/v1/diary/report?format=html").headers["content-security-policy"]
    assert "style-src 'self' 'unsafe-inline'" in report and "script-src 'self';" in report
    page = client.get("/").headers["content-security-policy"]
    assert "unsafe-inline" not in page
