"""End-to-end tests in Debian's chromium: full interviews in English and Chinese, back and change-answer,
the emergency path, the app without JavaScript, no CSP violations, and axe-core accessibility checks.
Screenshots of the main pages go to artifacts/screenshots/."""

from __future__ import annotations

import base64
import json
import zlib

import pytest

from .conftest import AXE, shot

pytestmark = pytest.mark.browser

MAX_STEPS = 40


def _token(page) -> str:  # type: ignore[no-untyped-def]
    return page.get_attribute("main", "data-render") or ""


def click_and_wait(page, selector: str) -> None:  # type: ignore[no-untyped-def]
    """Click a control that submits a form and wait until the next page is in place (htmx or not)."""
    old = _token(page)
    page.click(selector)
    page.wait_for_function(
        "old => { const m = document.querySelector('main'); return m && m.dataset.render && m.dataset.render !== old; }",
        arg=old,
    )


def start(
    page, *, lang_zh: bool = False, sites=("site_calf",), age="67", sex="female", text="", confirm=True
) -> None:  # type: ignore[no-untyped-def]
    page.goto(page.base + "/")
    if lang_zh:
        page.click("nav.langs a")
        page.wait_for_selector("html[lang=zh-Hans]")
    for s in sites:
        page.check(f"input[name=site][value={s}]")
    page.fill("#age", age)
    page.check(f"input[name=sex][value={sex}]")
    if text:
        page.fill("#text", text)
    click_and_wait(page, "#start-btn")
    if text and confirm and page.query_selector("#confirm"):
        click_and_wait(page, "#confirm")  # "what I understood": keep it as it is


def current_q(page) -> str | None:  # type: ignore[no-untyped-def]
    el = page.query_selector("input[name=q]")
    return el.get_attribute("value") if el else None


def answer_no_until_result(page) -> list[str]:  # type: ignore[no-untyped-def]
    asked = []
    for _ in range(MAX_STEPS):
        if page.query_selector("#triage"):
            return asked
        q = current_q(page)
        assert q, "neither a question nor a result on the page"
        assert q not in asked, f"question {q} asked twice"
        asked.append(q)
        click_and_wait(page, "#none" if page.query_selector("#none") else "#no")
    raise AssertionError("the interview did not reach a result")


def state_of(page) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """The interview state the page carries in its signed ``s`` (read, not verified: the server's key is its own)."""
    token = page.get_attribute("input[name=s]", "value") or ""
    payload = token.split(".")[0]
    return json.loads(zlib.decompress(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def run_axe(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """axe-core on the page: no violation of any impact."""
    page.add_script_tag(path=str(AXE))
    res = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = res["violations"]
    assert not bad, f"{name}: " + json.dumps(
        [{"id": v["id"], "impact": v["impact"], "nodes": [n["html"][:120] for n in v["nodes"][:3]]} for v in bad],
        indent=1,
    )


def test_full_interview_english(page) -> None:  # type: ignore[no-untyped-def]
    page.goto(page.base + "/")
    assert "not a diagnosis" in page.inner_text(".caution")
    shot(page, "01-start-en")
    start(page, text="my calves cramp at night, no swelling")
    assert current_q(page) == "danger"
    shot(page, "02-question-danger-en")
    asked = answer_no_until_result(page)
    assert len(asked) >= 2
    shot(page, "03-result-en")
    assert page.inner_text("#triage h1")
    assert page.locator(".causes meter").count() >= 1
    assert page.locator(".badge").count() >= 1
    sources = page.locator("#advice details.sources:visible").first  # of an advice item shown open
    sources.locator("summary").click()
    assert sources.locator("li").first.inner_text()
    assert "not a diagnosis" in page.inner_text("footer")
    assert not page.locator("#doctor").is_visible()  # the summary for the doctor is for print only
    page.emulate_media(media="print")
    shot(page, "04-result-print-en")
    assert page.locator("#doctor").is_visible() and not page.locator(".top").is_visible()
    assert page.inner_text("#doctor dl")
    page.emulate_media(media="screen")
    assert not page.problems, page.problems  # no CSP violations, no script errors


def test_full_interview_chinese(page) -> None:  # type: ignore[no-untyped-def]
    start(page, lang_zh=True, text="我晚上小腿抽筋", age="58", sex="male")
    assert page.get_attribute("html", "lang") == "zh-Hans"
    assert "诊断" in page.inner_text(".caution")
    shot(page, "05-question-zh")
    answer_no_until_result(page)
    assert page.get_attribute("html", "lang") == "zh-Hans"
    assert "紧急程度" in page.inner_text("#triage h1")
    shot(page, "06-result-zh")
    # switch to English on the results page: same results, other language
    click_and_wait(page, "nav.langs button")
    assert page.get_attribute("html", "lang") == "en"
    assert "How urgent" in page.inner_text("#triage h1")
    assert not page.problems, page.problems


def test_back_and_change_answer(page) -> None:  # type: ignore[no-untyped-def]
    start(page)
    assert current_q(page) == "danger"
    click_and_wait(page, "#none")
    second = current_q(page)
    assert second and second != "danger"
    click_and_wait(page, "#back")
    assert current_q(page) == "danger"
    # change the danger answer from a later page: tick 'fever' the second time
    click_and_wait(page, "#none")
    if page.query_selector("#none"):
        click_and_wait(page, "#none")
    else:
        click_and_wait(page, "#no")
    third = current_q(page)
    assert third is not None
    click_and_wait(page, "button[value='change:danger']")
    assert current_q(page) == "danger"
    st = state_of(page)
    assert "danger" not in st["q"], "the changed question is still recorded"
    # the 'site' answer from the start page is kept
    assert "site_calf:present:question:site" in st["a"]
    click_and_wait(page, "#finish")
    assert page.query_selector("#triage")
    shot(page, "07-result-after-change")


def test_emergency_path(page) -> None:  # type: ignore[no-untyped-def]
    start(page, age="62", sex="male")
    page.check("input[name=tick][value=chest_pain]")
    click_and_wait(page, "#continue")
    # a lone tick that nothing else supports is asked again first, on one yes / no / don't know screen
    assert current_q(page) == "confirm:chest_pain"
    assert page.locator("#emergency").count() == 0
    shot(page, "08a-confirm-en")
    click_and_wait(page, "#yes")
    banner = page.locator("#emergency")
    assert banner.is_visible()
    assert banner.get_attribute("role") == "alert"
    assert "emergency services now" in banner.inner_text()
    shot(page, "08-emergency-en")


def test_works_without_javascript(browser, server) -> None:  # type: ignore[no-untyped-def]
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    page.goto(server + "/")
    page.check("input[name=site][value=site_hand]")
    page.fill("#age", "35")
    page.check("input[name=sex][value=female]")
    with page.expect_navigation():
        page.click("#start-btn")
    for _ in range(MAX_STEPS):
        if page.query_selector("#triage"):
            break
        with page.expect_navigation():
            page.click("#none" if page.query_selector("#none") else "#no")
    else:
        raise AssertionError("no result without JavaScript")
    assert page.locator(".cause").count() >= 1
    shot(page, "09-result-nojs")
    ctx.close()


def test_start_form_errors_are_announced(page) -> None:  # type: ignore[no-untyped-def]
    page.goto(page.base + "/")
    click_and_wait(page, "#start-btn")  # no age, no sex
    alert = page.locator("#errors")
    assert alert.get_attribute("role") == "alert"
    assert "1 to 110" in alert.inner_text() and "female or male" in alert.inner_text()
    shot(page, "10-start-errors")


def test_calf_then_lockjaw_and_wound_lists_tetanus(page) -> None:  # type: ignore[no-untyped-def]
    """Issue 11: ticking only 'calf' must not record 'no' for the jaw, which would drop tetanus from the result."""
    start(page, age="45", sex="female")
    for _ in range(MAX_STEPS):
        if page.query_selector("#triage"):
            break
        q = current_q(page)
        if q is not None and q.startswith("confirm:"):
            click_and_wait(page, "#yes")  # "You said yes to: stiff jaw. Is that right, now?" It is.
        elif q == "danger":
            assert page.inner_text("#none") == "None of these"
            page.check("input[name=tick][value=jaw_stiffness_trismus]")
            assert page.inner_text("#none") == "None of the others"  # what the button would now say
            click_and_wait(page, "#continue")
        elif (q or "").split("+")[0] == "exposure" and page.query_selector("input[name=tick][value=recent_wound]"):
            page.check("input[name=tick][value=recent_wound]")
            click_and_wait(page, "#continue")
        else:
            click_and_wait(page, "#none" if page.query_selector("#none") else "#no")
    assert page.locator("#emergency").is_visible()
    assert "Tetanus" in page.locator(".cause-name").all_inner_texts()
    assert page.locator("input[name=a][value^='site_jaw_face:']").count() == 0
    shot(page, "11-emergency-tetanus-after-calf")
    assert not page.problems, page.problems


@pytest.mark.parametrize(
    ("zh", "text", "typed"),
    [
        (
            False,
            "my calves cramp most nights and wake me up, I take a water pill",
            ["takes_diuretic", "site_calf"],
        ),
        (True, "跑步的时候小腿抽筋，拉伸一下就好了", ["during_exercise", "site_calf", "relieved_by_stretching"]),
    ],
)
def test_free_text_is_pre_ticked_and_kept(page, zh: bool, text: str, typed: list[str]) -> None:  # type: ignore[no-untyped-def]
    start(page, lang_zh=zh, sites=(), age="68", sex="male", text=text, confirm=False)
    assert page.locator("#u-title").is_visible()
    for f in typed:
        assert page.is_checked(f"input[name=u_{f}][value=present]"), f
    shot(page, f"12-understood-{'zh' if zh else 'en'}")
    click_and_wait(page, "#confirm")
    for _ in range(MAX_STEPS):
        if page.query_selector("#triage"):
            break
        for f in typed:
            assert page.locator(f"input[name=tick][value={f}]").count() == 0, f"{f} asked again"
        click_and_wait(page, "#none" if page.query_selector("#none") else "#no")
    for f in typed:
        assert page.locator(f"input[name=a][value='{f}:present:text']").count() >= 1, f
        assert page.locator(f"input[name=a][value^='{f}:absent']").count() == 0, f
    assert not page.problems, page.problems


@pytest.mark.parametrize("where", ["start", "question", "result", "emergency", "start-zh", "understood"])
def test_accessibility_axe(browser, server, where: str) -> None:  # type: ignore[no-untyped-def]
    ctx = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844})  # to inject axe
    page = ctx.new_page()
    page.base = server
    if where == "start":
        page.goto(server + "/")
    elif where == "start-zh":
        page.goto(server + "/?lang=zh")
    elif where == "understood":
        start(page, text="my calf cramps at night, maybe some swelling in one leg", confirm=False)
    else:
        start(page)
        if where == "result":
            answer_no_until_result(page)
        elif where == "emergency":
            page.check("input[name=tick][value=chest_pain]")
            click_and_wait(page, "#continue")
            click_and_wait(page, "#yes")  # the confirmation of the tick
    run_axe(page, where)
    ctx.close()
