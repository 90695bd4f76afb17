"""Issue 14, web interview and results, in Debian's chromium at phone size (390x844), English and Chinese:
reload and Back on question and results pages (JavaScript on and off), a page for unknown addresses, a lean
results page (at most 5 phone screens above the fold-outs), the call button on the emergency page with the
person's country's number, "find a doctor" at doctor level, readable "Why?" lists, feedback on text with
nothing understood, three equal answer buttons, why sex is asked, what "Change" does, and axe with no
violations. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import contextlib
import re

import pytest

from .conftest import shot
from .test_browser import MAX_STEPS, answer_no_until_result, click_and_wait, current_q, run_axe

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
MAX_SCREENS = 5


def new_page(browser, server, *, locale: str = "en-GB", js: bool = True, axe: bool = False):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(viewport=PHONE, locale=locale, java_script_enabled=js, bypass_csp=axe)
    pg = ctx.new_page()
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: problems.append(str(e)))
    pg.problems = problems  # type: ignore[attr-defined]
    pg.base = server  # type: ignore[attr-defined]
    return ctx, pg


def wait_for_q(page, q: str) -> None:  # type: ignore[no-untyped-def]
    with contextlib.suppress(Exception):  # the assertion after it names what is wrong
        page.wait_for_function(
            "q => { const e = document.querySelector('input[name=q]'); return e && e.value === q; }",
            arg=q,
            timeout=15000,
        )


def assert_html_page(page) -> None:  # type: ignore[no-untyped-def]
    body = page.inner_text("body")
    assert "method GET is not allowed" not in body and not body.lstrip().startswith("{"), body[:200]
    assert page.locator("main h1").count() == 1


def submit(page, selector: str, js: bool) -> None:  # type: ignore[no-untyped-def]
    if js:
        click_and_wait(page, selector)
    else:
        with page.expect_navigation():
            page.click(selector)


def start_nojs(page, *, sites=("site_calf",), age="67", sex="female", lang="en") -> None:  # type: ignore[no-untyped-def]
    page.goto(page.base + f"/?lang={lang}")
    for s in sites:
        page.check(f"input[name=site][value={s}]")
    page.fill("#age", age)
    page.check(f"input[name=sex][value={sex}]")
    with page.expect_navigation():
        page.click("#start-btn")


def begin(page, lang: str = "en", *, sites=("site_calf",), age="67", sex="female", text="", confirm=True) -> None:  # type: ignore[no-untyped-def]
    """The start page in ``lang`` (whatever the browser's language), filled in and sent."""
    page.goto(page.base + f"/?lang={lang}")
    for s in sites:
        page.check(f"input[name=site][value={s}]")
    page.fill("#age", age)
    page.check(f"input[name=sex][value={sex}]")
    if text:
        page.fill("#text", text)
    click_and_wait(page, "#start-btn")
    if text and confirm and page.query_selector("#confirm"):
        click_and_wait(page, "#confirm")


def to_result(page, js: bool) -> None:  # type: ignore[no-untyped-def]
    for _ in range(MAX_STEPS):
        if page.query_selector("#triage"):
            return
        submit(page, "#none" if page.query_selector("#none") else "#no", js)
    raise AssertionError("no result")


# --- 1. reload, Back and sharing ---------------------------------------------------------------------------
@pytest.mark.parametrize(("js", "lang"), [(True, "en"), (True, "zh"), (False, "en"), (False, "zh")])
def test_reload_and_back_on_questions_and_results(browser, server, js: bool, lang: str) -> None:  # type: ignore[no-untyped-def]
    ctx, page = new_page(browser, server, locale="zh-CN" if lang == "zh" else "en-GB", js=js)
    if js:
        begin(page, lang)
    else:
        start_nojs(page, lang=lang)
    first = current_q(page)
    assert first == "danger"
    assert "/interview?" in page.url and "s=" in page.url
    submit(page, "#none", js)
    second = current_q(page)
    assert second and second != first
    url2 = page.url
    page.reload()
    assert_html_page(page)
    assert current_q(page) == second and page.url == url2, "reload did not show the same question"
    page.go_back()
    wait_for_q(page, first)
    assert current_q(page) == first, "the browser's Back did not step back one question"
    page.go_forward()
    wait_for_q(page, second)
    assert current_q(page) == second
    to_result(page, js)
    assert "/results?" in page.url
    level = page.inner_text("#triage h1")
    causes = page.locator(".cause-name").all_inner_texts()
    page.reload()
    assert_html_page(page)
    assert page.inner_text("#triage h1") == level and page.locator(".cause-name").all_inner_texts() == causes
    # a shared link: a fresh browser opens the same results
    ctx2, other = new_page(browser, server, locale="zh-CN" if lang == "zh" else "en-GB", js=js)
    other.goto(page.url)
    assert other.inner_text("#triage h1") == level
    shot(page, f"20-reloaded-result-{lang}-{'js' if js else 'nojs'}")
    ctx2.close()
    assert not page.problems, page.problems
    ctx.close()


@pytest.mark.parametrize(
    "path", ["/no-such-page", "/interview", "/start", "/results", "/interview?s=forged.value"]
)
def test_a_browser_gets_pages_not_json(browser, server, path: str) -> None:  # type: ignore[no-untyped-def]
    ctx, page = new_page(browser, server)
    resp = page.goto(server + path)
    assert resp is not None and "text/html" in (resp.headers.get("content-type") or "")
    assert_html_page(page)
    if path == "/no-such-page":
        assert resp.status == 404 and page.locator("#home").is_visible()
    if "forged" in path:
        assert resp.status == 400 and "start again" in page.inner_text("#errors")
    ctx.close()


# --- 2. a lean results page -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("lang", "text", "age", "sex"),
    [
        ("en", "my calves cramp at night", "70", "female"),
        ("zh", "跑步的时候小腿抽筋，拉伸一下就好了", "25", "male"),
    ],
)
def test_self_care_results_fit_in_five_phone_screens(browser, server, lang, text, age, sex) -> None:  # type: ignore[no-untyped-def]
    ctx, page = new_page(browser, server, locale="zh-CN" if lang == "zh" else "en-GB")
    begin(page, lang, sites=(), age=age, sex=sex, text=text)
    answer_no_until_result(page)
    assert page.get_attribute("#triage", "class").endswith("level-self_care")
    # the level first, then its one next step as a button
    assert page.locator("#next-step").is_visible()
    top = page.evaluate("document.querySelector('#triage').getBoundingClientRect().top")
    assert top < 844
    height = page.evaluate("document.documentElement.scrollHeight")
    screens = height / 844
    print(f"results page ({lang}): {height} px = {screens:.2f} phone screens")
    assert screens <= MAX_SCREENS, f"{height} px = {screens:.1f} screens"
    # the doctor summary is for print only; the answers are folded; the first causes are shown, the rest folded
    assert not page.locator("#doctor").is_visible()
    assert page.locator("#answers-fold").get_attribute("open") is None
    # every advice group open shows its top items; the rest of the advice is folded
    assert page.locator("details.advice-kind[open]").count() >= 1
    shot(page, f"21-result-self-care-{lang}")
    page.emulate_media(media="print")
    assert page.locator("#doctor").is_visible()
    page.emulate_media(media="screen")
    ctx.close()


def test_when_to_see_someone_is_open_when_it_holds_the_medicine_question(browser, server) -> None:  # type: ignore[no-untyped-def]
    ctx, page = new_page(browser, server)
    text = "my calves cramp most nights and wake me up, I'm 68 and take a water pill"
    begin(page, sites=(), age="68", sex="male", text=text)
    answer_no_until_result(page)
    see = page.locator("#advice-see")
    assert see.get_attribute("open") is not None
    # the item that asks about the water tablet is shown, not folded away
    item = page.locator("#advice-item-review_medicines")
    assert item.is_visible() and re.search(r"medicines", item.inner_text(), re.I)
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"results page (water tablet): {height} px = {height / 844:.2f} phone screens")
    assert height / 844 <= MAX_SCREENS
    shot(page, "22-result-water-tablet-see-open")
    ctx.close()


# --- the next step: call, or find a doctor ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("locale", "number", "words"),
    [("en-GB", "999", "the UK"), ("en-US", "911", "the US"), ("zh-CN", "120", "中国大陆")],
)
def test_emergency_page_has_a_call_button_with_the_countrys_number(browser, server, locale, number, words) -> None:  # type: ignore[no-untyped-def]
    ctx, page = new_page(browser, server, locale=locale)
    begin(page, "zh" if locale.startswith("zh") else "en", age="62", sex="male")
    page.check("input[name=tick][value=chest_pain]")
    click_and_wait(page, "#continue")
    click_and_wait(page, "#yes")
    call = page.locator("#emergency a#call")
    assert call.is_visible() and call.get_attribute("href") == f"tel:{number}"
    assert number in call.inner_text()
    assert number in page.inner_text("#call-which") and words in page.inner_text("#call-which")
    box = call.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844, "the call button is not on the first screen"
    shot(page, f"23-emergency-call-{locale}")
    ctx.close()


@pytest.mark.parametrize(("locale", "host"), [("en-GB", "www.nhs.uk"), ("en-US", "findahealthcenter.hrsa.gov")])
def test_doctor_level_links_to_find_a_doctor(browser, server, locale, host) -> None:  # type: ignore[no-untyped-def]
    ctx, page = new_page(browser, server, locale=locale)
    # a numb thumb and fingers with hand cramps is a doctor-level case (a possible carpal tunnel)
    begin(page, sites=("site_hand",), age="34", sex="female", text="my thumb and fingers go numb")
    answer_no_until_result(page)
    assert page.get_attribute("#triage", "class").endswith("level-doctor")
    link = page.locator("#next-step")
    assert host in (link.get_attribute("href") or "") and link.inner_text() == "Find a doctor"
    shot(page, f"24-doctor-find-{locale}")
    ctx.close()


# --- 3. "Why?" ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_why_lists_read_well(browser, server, lang: str) -> None:  # type: ignore[no-untyped-def]
    ctx, page = new_page(browser, server, locale="zh-CN" if lang == "zh" else "en-GB")
    begin(
        page, lang, age="70", sex="female", text="my calves cramp at night" if lang == "en" else "我晚上小腿抽筋"
    )
    answer_no_until_result(page)
    for d in page.locator("#causes details").all():
        d.evaluate("d => d.open = true")
    why = page.inner_text("#causes")
    assert not re.search(r"\bno no\b|\bno a\b|没有没有|没有自我护理后没有", why), why
    assert "no kidney disease" not in why.split("What does not fit")[0]
    page.locator("#causes details.why").first.evaluate("d => d.scrollIntoView()")
    shot(page, f"25-why-{lang}")
    ctx.close()


# --- 4. smaller points ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_text_with_nothing_understood_says_so(browser, server, lang: str) -> None:  # type: ignore[no-untyped-def]
    ctx, page = new_page(browser, server)
    begin(page, lang, sites=(), age="30", sex="male", text="asdf qwerty")
    note = page.locator("#note")
    assert note.is_visible() and note.get_attribute("role") == "status"
    assert ("could not find any symptoms" if lang == "en" else "没能从您的描述中找到") in note.inner_text()
    shot(page, f"26-nothing-understood-{lang}")
    ctx.close()


def test_yes_no_dont_know_look_the_same(browser, server) -> None:  # type: ignore[no-untyped-def]
    ctx, page = new_page(browser, server)
    begin(page, age="30", sex="female")
    for _ in range(MAX_STEPS):
        if page.query_selector("#yes") or page.query_selector("#triage"):
            break
        click_and_wait(page, "#none")
    assert page.query_selector("#yes"), "no yes/no question on the way"
    props = "['background-color','color','border-top-color','border-top-width','font-weight','width','height']"
    styles = [
        page.evaluate(
            f"(s) => {{ const c = getComputedStyle(document.querySelector(s)); return {props}.map(p => c[p]); }}",
            sel,
        )
        for sel in ("#yes", "#no", "#unknown")
    ]
    assert styles[0][:5] == styles[1][:5] == styles[2][:5], styles  # same colours, border and weight
    sizes = [[float(v.removesuffix("px")) for v in st[5:]] for st in styles]
    assert all(abs(a - b) <= 1 for size in sizes for a, b in zip(size, sizes[0], strict=True)), sizes  # same size
    shot(page, "27-yes-no-equal")
    ctx.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sex_question_says_why(browser, server, lang: str) -> None:  # type: ignore[no-untyped-def]
    ctx, page = new_page(browser, server)
    page.goto(server + f"/?lang={lang}")
    why = page.locator("#sex-why")
    assert why.is_visible() and ("pregnancy" in why.inner_text() or "怀孕" in why.inner_text())
    ctx.close()


def test_change_says_what_happens_and_keeps_later_answers(browser, server) -> None:  # type: ignore[no-untyped-def]
    ctx, page = new_page(browser, server)
    begin(page)
    click_and_wait(page, "#none")  # danger: none
    second = current_q(page)
    boxes = page.locator("input[name=tick]")
    assert boxes.count() >= 1
    chosen = boxes.first.get_attribute("value")
    page.check(f"input[name=tick][value={chosen}]")
    click_and_wait(page, "#continue")
    assert "asks the questions after it again" in page.inner_text("#change-hint")
    click_and_wait(page, "button[value='change:danger']")
    assert current_q(page) == "danger"
    click_and_wait(page, "#none")
    # the later question comes again with the earlier answer already ticked
    assert current_q(page) == second
    assert page.is_checked(f"input[name=tick][value={chosen}]")
    ctx.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("where", ["question", "yes-no", "result", "emergency", "understood", "not-found"])
def test_axe_has_nothing_to_report(browser, server, where: str, lang: str) -> None:  # type: ignore[no-untyped-def]
    ctx, page = new_page(browser, server, locale="zh-CN" if lang == "zh" else "en-GB", axe=True)
    zh = lang == "zh"
    if where == "not-found":
        page.goto(server + f"/nowhere?lang={lang}")
    elif where == "understood":
        begin(page, lang, sites=(), text="my calves cramp at night" if not zh else "我晚上小腿抽筋", confirm=False)
    else:
        begin(page, lang)
        if where == "result":
            answer_no_until_result(page)
        elif where == "yes-no":
            for _ in range(MAX_STEPS):
                if page.query_selector("#yes") or page.query_selector("#triage"):
                    break
                click_and_wait(page, "#none")
        elif where == "emergency":
            page.check("input[name=tick][value=chest_pain]")
            click_and_wait(page, "#continue")
            click_and_wait(page, "#yes")
    if where in ("result", "emergency"):
        for d in page.locator("main details").all():  # folded content is checked too
            d.evaluate("d => d.open = true")
    run_axe(page, f"{where}-{lang}")
    ctx.close()
