"""The cramp diary pages: without a browser (TestClient: add, errors keep what was typed, edit, delete, the
day's exposures, chart data, Chinese, saving a result) and in Debian's chromium on a phone-sized screen
(quick entry, charts with values on hover and focus, no CSP violations, axe-core). Every test uses its own
temporary database (CRAMPCHECK_DATA_DIR); screenshots go to artifacts/screenshots/20-diary-*.png."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from crampcheck.api import create_app
from crampcheck.diary import service
from crampcheck.settings import Settings, get_settings
from crampcheck.storage.db import close_all, open_database
from support.forms import BrowserClient
from support.server import server_env, start_uvicorn, stop

from .conftest import SCREENSHOTS, open_phone_page, shot

LOCAL = ("127.0.0.1", 50000)
REMOTE = ("203.0.113.9", 50000)
EPISODE = {
    "lang": "en",
    "started_at": "2024-05-01T03:10",
    "duration_min": "2.5",
    "muscle": "calf",
    "side": "left",
    "severity": "7",
    "activity": "sleeping",
    "relief": "stretching",
}


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CRAMPCHECK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CRAMPCHECK_DATABASE_URL", raising=False)
    monkeypatch.delenv("CRAMPCHECK_LOCAL_USER", raising=False)
    monkeypatch.delenv("CRAMPCHECK_LOCAL_NO_TOKEN", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    close_all()
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def app() -> Any:
    return create_app()


@pytest.fixture
def client(app: Any, data_dir: Path) -> Iterator[TestClient]:
    with BrowserClient(app, client=LOCAL, raise_server_exceptions=False) as c:
        yield c


def local_user_id() -> int:
    with open_database().session() as s:
        return service.ensure_user(session=s, name="local").id


def stored_episodes() -> list[Any]:
    with open_database().session() as s:
        return service.list_episodes(session=s, user_id=local_user_id())


def fill_synthetic(settings: Settings | None = None, *, days: int = 120) -> None:
    """A synthetic diary with a planted trigger (hand use), as the diary tests use."""
    from crampcheck.diary.schemas import EpisodeCreate, ExposureIn
    from crampcheck.diary.synthetic import Planted, make_diary

    d = make_diary(seed=2, days=days, planted=Planted("hand_use_hours"))
    db = open_database(settings)
    with db.session() as s:
        uid = service.ensure_user(session=s, name="local").id
        for r in d.episodes.to_dict("records"):
            service.add_episode(session=s, user_id=uid, episode=EpisodeCreate.model_validate(r))
        for r in d.exposures.to_dict("records"):
            r["medicines"] = ["amlodipine"] if r["day"].day % 3 == 0 else []
            service.put_exposure(session=s, user_id=uid, exposure=ExposureIn.model_validate(r))


def chart_json(html: str) -> dict[str, Any]:
    m = re.search(r'<script type="application/json" id="diary-chart-data">(.*?)</script>', html, re.S)
    assert m, "no chart data block on the page"
    data: dict[str, Any] = json.loads(m.group(1))
    return data


# ---- pages without a browser -------------------------------------------------------------------------


def test_quick_entry_form_defaults_to_now_and_adds_a_cramp(client: TestClient) -> None:
    r = client.get("/diary")
    assert r.status_code == 200
    now = dt.datetime.now()
    m = re.search(r'id="started_at" name="started_at" type="datetime-local" required value="([^"]+)"', r.text)
    assert m, "the time field is missing"
    shown = dt.datetime.fromisoformat(m.group(1))
    assert abs((shown - now).total_seconds()) < 120
    for muscle in ("calf", "foot", "thigh", "hand"):
        assert f'name="muscle" value="{muscle}"' in r.text
    assert r.text.count('name="severity" value=') == 11
    assert "No cramps recorded yet." in r.text

    r = client.post("/diary/episodes", data=EPISODE, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/diary?lang=en&done=episode")
    page = client.get(r.headers["location"]).text
    assert "The cramp was saved." in page
    assert "2024-05-01 03:10" in page and "Calf, Left" in page and "severity 7/10" in page
    [e] = stored_episodes()
    assert (e.muscle, e.side, e.severity, e.duration_s, e.activity, e.source) == (
        "calf",
        "left",
        7,
        150,
        "sleeping",
        "manual",
    )


def test_validation_errors_sit_next_to_the_field_and_keep_what_was_typed(client: TestClient) -> None:
    bad = {**EPISODE, "muscle": "", "severity": "12", "duration_min": "two", "activity": "running up hills"}
    r = client.post("/diary/episodes", data=bad)
    assert r.status_code == 422
    html = r.text
    assert 'role="alert"' in html
    assert '<p class="field-error" id="muscle-err">Choose which muscle cramped.</p>' in html
    assert '<p class="field-error" id="severity-err">Choose how bad it was, from 0 to 10.</p>' in html
    assert "Enter a number from 0 to 1440, or leave it empty." in html
    assert re.search(r'name="duration_min"[^>]*value="two"[^>]*aria-describedby="duration_min-err', html)
    assert 'value="running up hills"' in html
    assert 'value="2024-05-01T03:10"' in html
    assert re.search(r'name="side" value="left" checked', html)
    assert "Traceback" not in html
    assert stored_episodes() == []


def test_time_in_the_future_and_nonsense_time_are_refused(client: TestClient) -> None:
    future = (dt.datetime.now() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    r = client.post("/diary/episodes", data={**EPISODE, "started_at": future})
    assert r.status_code == 422 and "That time is in the future." in r.text
    r = client.post("/diary/episodes", data={**EPISODE, "started_at": "yesterday night"})
    assert r.status_code == 422 and 'id="started_at-err"' in r.text
    assert 'value="yesterday night"' in r.text


def test_edit_a_cramp(client: TestClient) -> None:
    client.post("/diary/episodes", data=EPISODE)
    [e] = stored_episodes()
    r = client.get(f"/diary/episodes/{e.id}/edit")
    assert r.status_code == 200
    assert 'value="2024-05-01T03:10"' in r.text and 'value="2.5"' in r.text
    assert re.search(r'name="muscle" value="calf" checked', r.text)
    bad = client.post(f"/diary/episodes/{e.id}", data={**EPISODE, "severity": ""})
    assert bad.status_code == 422 and 'id="severity-err"' in bad.text and 'value="stretching"' in bad.text
    r = client.post(
        f"/diary/episodes/{e.id}",
        data={**EPISODE, "severity": "3", "side": "", "muscle": "foot"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    [e2] = stored_episodes()
    assert (e2.id, e2.severity, e2.side, e2.muscle) == (e.id, 3, None, "foot")
    assert "The changes were saved." in client.get(r.headers["location"]).text


def test_delete_asks_first_then_deletes(client: TestClient) -> None:
    client.post("/diary/episodes", data=EPISODE)
    [e] = stored_episodes()
    page = client.get("/diary").text
    assert f'href="/diary/episodes/{e.id}/delete?lang=en"' in page
    confirm = client.get(f"/diary/episodes/{e.id}/delete")
    assert confirm.status_code == 200 and "Delete this cramp?" in confirm.text
    assert f'action="/diary/episodes/{e.id}/delete"' in confirm.text
    assert len(stored_episodes()) == 1, "looking at the confirm page must not delete"
    r = client.post(f"/diary/episodes/{e.id}/delete", data={"lang": "en"}, follow_redirects=False)
    assert r.status_code == 303
    assert stored_episodes() == []
    again = client.post(f"/diary/episodes/{e.id}/delete", data={"lang": "en"})
    assert again.status_code == 404 and "not in your diary" in again.text
    assert client.get("/diary/episodes/not-a-number/edit").status_code == 404


def test_days_exposures_save_replace_and_show_errors(client: TestClient) -> None:
    day = {
        "lang": "en",
        "day": "2024-05-01",
        "exercise_minutes": "45",
        "exercise_intensity": "hard",
        "sleep_hours": "6,5",
        "fluids_l": "1.2",
        "caffeine_mg": "200",
        "cold": "yes",
        "hand_use_hours": "8",
        "medicines": "amlodipine, ibuprofen",
        "menstrual_phase": "luteal",
    }
    r = client.post("/diary/exposures", data=day, follow_redirects=False)
    assert r.status_code == 303
    with open_database().session() as s:
        x = service.get_exposure(session=s, user_id=local_user_id(), day=dt.date(2024, 5, 1))
    assert (x.sleep_hours, x.exercise_intensity, x.cold, x.medicines, x.pregnant) == (
        6.5,
        "hard",
        True,
        ["amlodipine", "ibuprofen"],
        None,
    )
    shown = client.get("/diary?day=2024-05-01").text
    assert 'value="amlodipine, ibuprofen"' in shown and 'value="6.5"' in shown
    assert re.search(r'name="menstrual_phase" value="luteal" checked', shown)

    r = client.post("/diary/exposures", data={**day, "sleep_hours": "30", "cold": "maybe"})
    assert r.status_code == 422
    assert (
        '<p class="field-error" id="sleep_hours-err">Enter a number from 0 to 24, or leave it empty.</p>' in r.text
    )
    assert 'id="cold-err"' in r.text and 'value="30"' in r.text
    with open_database().session() as s:
        assert service.get_exposure(session=s, user_id=local_user_id(), day=dt.date(2024, 5, 1)).sleep_hours == 6.5


def test_charts_data_tables_caution_and_links(client: TestClient) -> None:
    fill_synthetic()
    r = client.get("/diary")
    assert r.status_code == 200
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert 'style="' not in r.text and "<script>" not in r.text
    data = chart_json(r.text)
    assert len(data["by_hour"]) == 24
    assert sum(b["count"] for b in data["by_hour"]) == sum(b["count"] for b in data["by_muscle"]) > 0
    assert data["over_time_unit"] == "per week (from Monday)"  # 120 days: weekly
    assert all(dt.date.fromisoformat(w["label"]).weekday() == 0 for w in data["over_time"])
    assert sum(w["count"] for w in data["over_time"]) == sum(b["count"] for b in data["by_hour"])
    effects = data["effects"]
    hand = next(e for e in effects if e["label"].startswith("typing, writing or gripping"))
    assert hand["verdict"] == "possible_trigger" and hand["ci_low"] > 1 and "(per " in hand["label"]
    assert all(e["ci_low"] <= e["odds_ratio"] <= e["ci_high"] for e in effects if e["odds_ratio"] is not None)
    assert "We tested" in data["caution"] and data["caution"] in r.text
    # the same numbers as tables (for screen readers and without JavaScript), and the sentences
    assert r.text.count('<details class="chart-table" open>') == 4
    assert hand["sentence"] and hand["sentence"] in r.text
    for link in (
        'href="/v1/diary/report?format=html&amp;lang=en"',
        'href="/v1/diary/report?format=pdf&amp;lang=en"',
    ):
        assert link in r.text
    assert 'href="/v1/diary/fhir"' in r.text
    assert client.get("/v1/diary/fhir").status_code == 200


def test_too_little_data_is_said_plainly(client: TestClient) -> None:
    client.post("/diary/episodes", data=EPISODE)
    html = client.get("/diary").text
    data = chart_json(html)
    assert any(w.startswith("Too little data") for w in data["warnings"])
    assert "Too little data" in html
    assert data["over_time_unit"] == "per day" and data["over_time"] == [{"label": "2024-05-01", "count": 1}]


def test_chinese_diary_page(client: TestClient) -> None:
    client.post("/diary/episodes", data=EPISODE)
    r = client.get("/diary?lang=zh")
    assert r.status_code == 200
    assert '<html lang="zh-Hans">' in r.text
    assert "我的抽筋日记" in r.text and "小腿, 左侧" in r.text and "记录一次抽筋" in r.text
    assert 'href="/diary?lang=en"' in r.text, "the language switch stays on the diary"
    assert any(w.startswith("数据太少") for w in chart_json(r.text)["warnings"])
    bad = client.post("/diary/episodes", data={**EPISODE, "lang": "zh", "muscle": ""})
    assert bad.status_code == 422 and "请选择抽筋的肌肉。" in bad.text
    assert (
        "/diary?lang=zh"
        in client.post("/diary/episodes", data={**EPISODE, "lang": "zh"}, follow_redirects=False).headers[
            "location"
        ]
    )


def test_save_a_result_to_the_diary(client: TestClient) -> None:
    html = client.post("/start", data={"age": "67", "sex": "female", "lang": "en", "site": ["site_calf"]}).text
    fields = re.findall(r'<input type="hidden" name="([a-z]+)" value="([^"]*)">', html)
    form: dict[str, list[str]] = {}
    for k, v in fields:
        form.setdefault(k, []).append(v)
    result = client.post("/interview", data={**form, "action": "finish"}).text
    assert 'action="/diary/assessments"' in result and "Save to my diary" in result
    assert 'href="/diary?lang=en"' in result
    # the save form of the results page carries the plain state the diary reads
    save = result[result.index('action="/diary/assessments"') :]
    save = save[: save.index("</form>")]
    form = {}
    for k, v in re.findall(r'<input type="hidden" name="([a-z]+)" value="([^"]*)">', save):
        form.setdefault(k, []).append(v)
    r = client.post("/diary/assessments", data={**form, "lang": "en"}, follow_redirects=False)
    assert r.status_code == 303
    assert "Your results were saved in your diary." in client.get(r.headers["location"]).text
    with open_database().session() as s:
        saved = service.latest_assessment(session=s, user_id=local_user_id())
    assert saved is not None
    meta, assessment = saved
    shown = re.search(r"<dt>Knowledge base version</dt><dd>([^<]+)</dd>", result)
    assert shown, "the result page names its knowledge-base version"
    kb_version = shown.group(1)
    assert kb_version.startswith(
        (Path(__file__).resolve().parents[2] / "src/crampcheck/knowledge/VERSION").read_text().strip()
    )
    assert meta.kb_version == assessment.kb_version == kb_version
    assert assessment.age == 67 and assessment.sex == "female"
    bad = client.post("/diary/assessments", data={"age": "abc", "sex": "x", "lang": "en"})
    assert bad.status_code == 400 and "could not be saved" in bad.text


def test_from_another_computer_the_diary_explains_itself(app: Any, data_dir: Path) -> None:
    with BrowserClient(app, client=REMOTE, raise_server_exceptions=False) as remote:
        r = remote.get("/diary")
        assert r.status_code == 401 and "The diary is not available here" in r.text
        assert 'href="/diary/signin?lang=en"' in r.text
        assert remote.post("/diary/episodes", data=EPISODE).status_code == 401
    assert stored_episodes() == []


def _issue(name: str) -> str:
    with open_database().session() as s:
        return service.issue_token(session=s, name=name)


def test_signing_in_with_a_token_opens_that_persons_diary(app: Any, data_dir: Path) -> None:
    token = _issue("alice")
    with BrowserClient(app, client=REMOTE, raise_server_exceptions=False) as remote:
        page = remote.get("/diary/signin?lang=zh")
        assert page.status_code == 200 and "登录您的日记" in page.text and 'type="password"' in page.text
        assert 'href="/diary/signin?lang=en"' in page.text  # the language switch stays on this page
        wrong = remote.post("/diary/signin", data={"lang": "en", "token": "not-a-token"})
        assert wrong.status_code == 401 and "This token is not known" in wrong.text
        assert "crampcheck_diary" not in remote.cookies
        assert remote.post("/diary/signin", data={"lang": "en", "token": ""}).status_code == 401

        r = remote.post("/diary/signin", data={"lang": "en", "token": token}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/diary?lang=en"
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
        diary = remote.get("/diary?lang=en")
        assert diary.status_code == 200 and 'id="signout-button"' in diary.text
        assert remote.post("/diary/episodes", data=EPISODE, follow_redirects=False).status_code == 303
        api = remote.get("/v1/diary/episodes")  # the links of the page (report, FHIR, CSV) work too
        assert api.status_code == 200 and len(api.json()) == 1

        out = remote.post("/diary/signout", data={"lang": "en"}, follow_redirects=False)
        assert out.status_code == 303
        assert remote.get("/diary").status_code == 401
    assert stored_episodes() == []  # the episode is Alice's, not the local user's
    with open_database().session() as s:
        alice = service.ensure_user(session=s, name="alice").id
        assert len(service.list_episodes(session=s, user_id=alice)) == 1


def test_a_token_that_no_longer_works_is_forgotten(app: Any, data_dir: Path) -> None:
    old = _issue("bob")
    with BrowserClient(app, client=REMOTE, raise_server_exceptions=False) as remote:
        remote.post("/diary/signin", data={"lang": "en", "token": old})
        assert remote.get("/diary").status_code == 200
        _issue("bob")  # a new token: the old one stops working
        r = remote.get("/diary")
        assert r.status_code == 401 and "Sign in with your diary token" in r.text
        assert "crampcheck_diary" not in remote.cookies


# ---- in the browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def diary_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A uvicorn server on its own temporary database, filled with a synthetic 120-day diary."""
    data = tmp_path_factory.mktemp("diary-web")
    settings = Settings.from_env({"CRAMPCHECK_DATA_DIR": str(data)})
    fill_synthetic(settings)
    open_database(settings).dispose()
    try:
        proc, base = start_uvicorn(
            "crampcheck.api.app:create_app", factory=True, env=server_env(data), probe="/healthz"
        )
    except RuntimeError as e:
        pytest.fail(str(e))
    try:
        yield base
    finally:
        stop(proc)


@pytest.fixture
def phone(browser, diary_server):  # type: ignore[no-untyped-def]
    ctx, pg = open_phone_page(browser, diary_server)
    yield pg
    ctx.close()


def real_problems(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Console errors, except the browser's note that a form answered 422 (a form with errors does)."""
    return [p for p in page.problems if not ("status of 422" in p and "Failed to load resource" in p)]


def _rendered(page) -> str:  # type: ignore[no-untyped-def]
    return page.get_attribute("main", "data-render") or ""


def submit_and_wait(page, selector: str) -> None:  # type: ignore[no-untyped-def]
    old = _rendered(page)
    page.click(selector)
    page.wait_for_function(
        "old => { const m = document.querySelector('main'); return m && m.dataset.render && m.dataset.render !== old; }",
        arg=old,
    )


@pytest.mark.browser
def test_quick_entry_on_a_phone(phone) -> None:  # type: ignore[no-untyped-def]
    page = phone
    page.goto(page.base + "/diary")
    shot(page, "20-diary-entry-en")
    # keyboard only: the time is already "now"; pick the muscle, side and severity with the keyboard
    page.focus("input[name=muscle][value=calf]")
    page.keyboard.press("Space")
    page.focus("input[name=side][value=right]")
    page.keyboard.press("Space")
    page.focus("input[name=severity][value='6']")
    page.keyboard.press("Space")
    page.fill("#duration_min", "1.5")
    page.fill("#activity", "walking the dog")
    submit_and_wait(page, "#save-episode")
    assert "The cramp was saved." in page.inner_text("#done")
    first = page.locator(".episode").first.inner_text()
    assert "Calf, Right" in first and "severity 6/10" in first and "1.5 min" in first
    # an error is shown next to its field, and the typed text stays
    page.fill("#activity", "typing")
    submit_and_wait(page, "#save-episode")
    assert page.locator("#muscle-err").is_visible()
    assert page.input_value("#activity") == "typing"
    shot(page, "20-diary-errors-en")
    assert not real_problems(page), real_problems(page)


@pytest.mark.browser
def test_charts_are_drawn_with_values_on_focus_and_hover(phone) -> None:  # type: ignore[no-untyped-def]
    page = phone
    page.goto(page.base + "/diary#charts")
    page.wait_for_selector(".chart-canvas[data-chart=by_hour] svg")
    for key in ("over_time", "by_hour", "by_muscle", "effects"):
        assert page.locator(f".chart-canvas[data-chart={key}] svg").count() == 1, key
    # the tables fold away once a chart is drawn (they stay one click away)
    assert page.locator("#chart-by_hour details.chart-table[open]").count() == 0
    bars = page.locator(".chart-canvas[data-chart=by_hour] .bar")
    assert bars.count() == 24
    assert (
        bars.first.get_attribute("aria-label")
        == "00:00 — Cramps: " + bars.first.get_attribute("aria-label").split(": ")[-1]
    )
    bars.first.focus()
    tip = page.locator(".chart-canvas[data-chart=by_hour] .tip")
    assert tip.get_attribute("class") == "tip" and (tip.text_content() or "").startswith("00:00: ")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')").startswith("01:00")
    assert (tip.text_content() or "").startswith("01:00: ")
    row = page.locator(".chart-canvas[data-chart=effects] .row.is-possible_trigger").first
    row.scroll_into_view_if_needed()
    row.hover()
    forest_tip = page.locator(".chart-canvas[data-chart=effects] .tip")
    assert forest_tip.get_attribute("class") == "tip" and (forest_tip.text_content() or "").startswith(
        "Odds ratio "
    )
    assert "typing, writing or gripping" in (row.get_attribute("aria-label") or "")
    page.locator("#chart-effects").screenshot(path=str(SCREENSHOTS / "20-diary-forest-en.png"), caret="initial")
    shot(page, "20-diary-charts-en")
    assert not real_problems(page), real_problems(page)


@pytest.mark.browser
def test_diary_without_javascript_shows_tables_and_deletes_with_a_confirm_page(browser, diary_server) -> None:  # type: ignore[no-untyped-def]
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    page.goto(diary_server + "/diary?lang=zh")
    assert page.locator("details.chart-table[open] table").count() == 4
    assert page.locator(".chart-canvas svg").count() == 0
    shot(page, "20-diary-nojs-zh")
    first = page.locator(".episode").first
    gone = first.get_attribute("id")
    with page.expect_navigation():
        first.locator("a.danger").click()
    assert "删除这次抽筋记录？" in page.inner_text("h1")
    with page.expect_navigation():
        page.click("#confirm-delete")
    assert "已删除这次抽筋。" in page.inner_text("#done")
    assert page.locator(f"#{gone}").count() == 0 and page.locator(".episode").count() > 0
    ctx.close()


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_diary_accessibility_axe(browser, diary_server, lang: str) -> None:  # type: ignore[no-untyped-def]
    from .test_browser import run_axe

    ctx = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})  # to inject axe
    page = ctx.new_page()
    page.goto(f"{diary_server}/diary?lang={lang}")
    page.wait_for_selector(".chart-canvas[data-chart=effects] svg")
    run_axe(page, f"diary-{lang}")
    # with the errors shown, too
    page.click("#save-episode")
    page.wait_for_selector("#muscle-err")
    run_axe(page, f"diary-errors-{lang}")
    # the sign-in page, with a wrong token's message
    page.goto(f"{diary_server}/diary/signin?lang={lang}")
    page.fill("#token", "not-a-token")
    page.click("#signin-button")
    page.wait_for_selector("#token-error")
    run_axe(page, f"diary-signin-{lang}")
    shot(page, f"20-diary-signin-{lang}")
    ctx.close()


def test_long_diaries_are_charted_per_month() -> None:
    from crampcheck.diary.schemas import EpisodePublic
    from crampcheck.diary.triggers import TriggerReport
    from crampcheck.web.diary_views import chart_view

    def ep(i: int, day: str) -> EpisodePublic:
        return EpisodePublic(id=i, started_at=dt.datetime.fromisoformat(day), muscle="calf", severity=5)

    report = TriggerReport("m", 0, 0, 0, 0, 0)
    eps = [ep(1, "2023-11-30T02:00"), ep(2, "2023-11-02T02:00"), ep(3, "2025-01-15T23:00")]
    data = chart_view(eps, report, [0] * 24, {"calf": 3}, "zh")
    assert data["over_time_unit"] == "每月"
    assert data["over_time"][0] == {"label": "2023-11", "count": 2}
    assert data["over_time"][-1] == {"label": "2025-01", "count": 1}
    assert len(data["over_time"]) == 15 and sum(x["count"] for x in data["over_time"]) == 3
    assert data["by_muscle"] == [{"label": "小腿", "count": 3}]
    weekly = chart_view([ep(1, "2024-01-03T02:00"), ep(2, "2024-04-01T02:00")], report, [0] * 24, {}, "en")
    assert weekly["over_time"][0] == {"label": "2024-01-01", "count": 1} and weekly["over_time_unit"].startswith(
        "per week"
    )
