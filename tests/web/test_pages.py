"""The web pages through plain HTML forms (no browser): the state in hidden fields, back, change, errors."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from crampcheck.api import create_app
from crampcheck.web.state import InterviewState, StateError


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(), raise_server_exceptions=False) as c:
        yield c


def hidden(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<input type="hidden" name="([a-z]+)" value="([^"]*)">', html)


def q_of(html: str) -> str | None:
    m = re.search(r'name="q" value="([a-z_0-9]+)"', html)
    return m.group(1) if m else None


def post(client: TestClient, html: str, **extra: object) -> str:
    data: dict[str, list[str]] = {}
    for k, v in hidden(html):
        data.setdefault(k, []).append(v)
    for k, v in extra.items():
        data[k] = v if isinstance(v, list) else [str(v)]  # type: ignore[assignment]
    r = client.post("/interview", data=data)
    assert r.status_code == 200, r.text[:500]
    return r.text


def test_start_page_in_both_languages(client: TestClient) -> None:
    en = client.get("/").text
    assert "not a diagnosis" in en and 'name="site"' in en
    zh = client.get("/", headers={"Accept-Language": "zh-CN"}).text
    assert '<html lang="zh-Hans">' in zh and "不是诊断" in zh
    assert '<html lang="en">' in client.get("/?lang=en", headers={"Accept-Language": "zh"}).text


def test_start_errors_are_listed(client: TestClient) -> None:
    r = client.post("/start", data={"age": "abc", "sex": "", "lang": "en"})
    assert r.status_code == 422
    assert "1 to 110" in r.text and "female or male" in r.text


def test_back_and_change(client: TestClient) -> None:
    html = client.post("/start", data={"age": "67", "sex": "female", "lang": "en", "site": ["site_calf"]}).text
    assert q_of(html) == "danger"
    html = post(client, html, action="none")
    second = q_of(html)
    assert second not in (None, "danger")
    back = post(client, html, action="back")
    assert q_of(back) == "danger"
    assert ("asked", "danger") not in hidden(back)
    html = post(client, html, action="yes" if 'value="yes"' in html else "none")
    changed = post(client, html, action="change:danger")
    assert q_of(changed) == "danger"
    assert [v for k, v in hidden(changed) if k == "asked"] == ["site"]


def test_emergency_goes_straight_to_results(client: TestClient) -> None:
    html = client.post("/start", data={"age": "60", "sex": "male", "lang": "en"}).text
    res = post(client, html, action="answer", tick=["chest_pain"])
    assert 'id="emergency"' in res and "Call emergency services now" in res


def test_tampered_state_is_refused_kindly(client: TestClient) -> None:
    r = client.post(
        "/interview", data={"age": "60", "sex": "male", "a": ["calf_pian:present:question"], "q": "danger"}
    )
    assert r.status_code == 400 and "start again" in r.text
    r = client.post("/interview", data={"age": "60", "sex": "male", "a": ["<script>"]})
    assert r.status_code == 400 and "<script>" not in r.text


def test_result_page_sources_and_summary(client: TestClient) -> None:
    html = client.post("/start", data={"age": "45", "sex": "female", "lang": "zh", "site": ["site_hand"]}).text
    res = post(client, html, action="finish")
    assert 'id="triage"' in res and 'id="doctor"' in res and "<meter" in res
    assert "参考来源" in res or "来源" in res
    assert 'style="' not in res, "inline styles would be blocked by the CSP"
    assert "<script>" not in res


def test_state_round_trip() -> None:
    st = InterviewState.from_form("en", "30", "male", ["site_calf:present:question"], ["site"])
    assert st.fields()[:3] == [("age", "30"), ("sex", "male"), ("a", "site_calf:present:question")]
    st.apply("danger", {"fever": True, "chest_pain": False})
    assert st.asked == ["site", "danger"]
    assert st.drop("danger", ["fever", "chest_pain"]) == {"fever": "present", "chest_pain": "absent"}
    with pytest.raises(StateError):
        InterviewState.from_form("en", "30", "x", [], [])
    with pytest.raises(StateError):
        InterviewState.from_form("en", "300", "male", [], [])
