"""The web pages through plain HTML forms (no browser): the signed state in the URL, post/redirect/get, back,
change, errors."""

from __future__ import annotations

import base64
import re
import zlib
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from crampcheck.api import create_app
from crampcheck.api.guard import signing_key
from crampcheck.web.services import country_for
from crampcheck.web.state import MAX_TOKEN, InterviewState, Page, StateError, seal, unseal


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(), raise_server_exceptions=False) as c:
        yield c


def hidden(html: str) -> list[tuple[str, str]]:
    """The hidden fields of the page's state form (lang, s, q, view, pre), or of the plain state of the diary form."""
    return re.findall(r'<input type="hidden" name="([a-z]+)" value="([^"]*)">', html)


def page_of(html: str) -> Page:
    """The state the page carries (its signed ``s``), as the server reads it."""
    m = re.search(r'name="s" value="([^"]+)"', html)
    assert m, "the page carries no state"
    return unseal(m.group(1), "en", signing_key())


def asked_of(html: str) -> list[str]:
    return page_of(html).state.asked


def q_of(html: str) -> str | None:
    m = re.search(r'name="q" value="([a-z_0-9:+]+)"', html)
    return m.group(1) if m else None


def post(client: TestClient, html: str, **extra: object) -> str:
    data: dict[str, list[str]] = {}
    for k, v in hidden(html):
        if k in ("lang", "s", "q", "view", "pre"):
            data.setdefault(k, []).append(v)
    for k, v in extra.items():
        data[k] = v if isinstance(v, list) else [str(v)]  # type: ignore[assignment]
    r = client.post("/interview", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]  # post/redirect/get
    r = client.get(r.headers["location"])
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
    assert "danger" not in asked_of(back)
    html = post(client, html, action="yes" if 'value="yes"' in html else "none")
    changed = post(client, html, action="change:danger")
    assert q_of(changed) == "danger"
    assert asked_of(changed) == ["site"]


def test_emergency_goes_straight_to_results(client: TestClient) -> None:
    # chest pain typed by the person: the emergency result at once
    html = client.post("/start", data={"age": "60", "sex": "male", "lang": "en", "text": "I have chest pain"}).text
    assert 'id="emergency"' in html and "Call emergency services now" in html
    # a tick that nothing else supports is asked again on one yes / no / don't know screen first
    html = client.post("/start", data={"age": "60", "sex": "male", "lang": "en"}).text
    res = post(client, html, action="answer", tick=["chest_pain"])
    assert q_of(res) == "confirm:chest_pain" and 'id="emergency"' not in res
    assert "You said yes to" in res and 'id="yes"' in res and 'id="no"' in res and 'id="unknown"' in res
    done = post(client, res, action="yes")
    assert 'id="emergency"' in done and "Call emergency services now" in done
    assert "confirm:chest_pain" in asked_of(done)
    fixed = post(client, res, action="no")
    assert 'id="emergency"' not in fixed and q_of(fixed) not in (None, "confirm:chest_pain")
    # the confirmation's answer wins (the earlier tick is kept only so that Back can restore it)
    assert answers_of(fixed)["chest_pain"] == ("absent", "question")


def test_tampered_state_is_refused_kindly(client: TestClient) -> None:
    # the old plain fields are no longer read: without a signed state the form is refused
    r = client.post(
        "/interview", data={"age": "60", "sex": "male", "a": ["calf_pian:present:question"], "q": "danger"}
    )
    assert r.status_code == 400 and "start again" in r.text
    r = client.post("/interview", data={"age": "60", "sex": "male", "a": ["<script>"], "s": "<script>"})
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
    # a follow-up shares its findings with its checklist: going back from it forgets only its own answers
    st.apply("danger", {"fever": True})
    st.apply("danger_more", {"chest_pain": True})
    again = InterviewState.from_form("en", "30", "male", [v for k, v in st.fields() if k == "a"], st.asked)
    assert again.drop("danger_more", ["fever", "chest_pain"]) == {"chest_pain": "present"}
    assert again.answer_map() == {"site_calf": True, "fever": True} and again.asked == ["site", "danger"]
    with pytest.raises(StateError):
        InterviewState.from_form("en", "30", "male", ["fever:present:question:<x>"], [])
    with pytest.raises(StateError):
        InterviewState.from_form("en", "30", "x", [], [])
    with pytest.raises(StateError):
        InterviewState.from_form("en", "300", "male", [], [])


def radios(html: str) -> list[tuple[str, str]]:
    """The radio buttons checked on the page (name, value): what the form sends if the person changes nothing."""
    return re.findall(r'<input type="radio" name="(u_[a-z_0-9]+)" value="([a-z]+)" checked>', html)


def answers_of(html: str) -> dict[str, tuple[str, str]]:
    """finding -> (state, source) of the hidden state (a later answer wins)."""
    out: dict[str, tuple[str, str]] = {}
    for x in page_of(html).state.answers:
        out[x.finding] = (x.state, x.source)
    return out


def shown_options(html: str) -> set[str]:
    return set(re.findall(r'name="tick" value="([a-z_0-9]+)"', html))


def test_calf_then_lockjaw_and_wound_is_an_emergency_that_lists_tetanus(client: TestClient) -> None:
    html = client.post("/start", data={"age": "45", "sex": "female", "lang": "en", "site": ["site_calf"]}).text
    st = answers_of(html)
    assert st["site_calf"] == ("present", "question") and st["site_hand"][0] == "absent"
    # the red flags of "where" are not made "no" by boxes left unticked
    assert "site_jaw_face" not in st and "many_muscles_at_once" not in st
    for _ in range(10):
        if 'id="triage"' in html:
            break
        q = q_of(html)
        if q is not None and q.startswith("confirm:"):
            html = post(client, html, action="yes")  # the jaw really is stiff
        elif q == "danger":
            html = post(client, html, action="answer", tick=["jaw_stiffness_trismus"])
        elif q is not None and q.split("+")[0] == "exposure" and "recent_wound" in shown_options(html):
            html = post(client, html, action="answer", tick=["recent_wound"])
        else:
            html = post(client, html, action="none" if 'id="none"' in html else "no")
    assert 'id="emergency"' in html
    causes = re.findall(r'class="cause-name">([^<]+)<', html)
    assert "Tetanus" in causes, causes
    st = answers_of(html)
    assert st["jaw_stiffness_trismus"][0] == "present" and st["recent_wound"][0] == "present"
    assert "site_jaw_face" not in st and "chest_pain" not in st  # never answered, so never "no"


@pytest.mark.parametrize(
    ("lang", "text", "typed"),
    [
        (
            "en",
            "my calves cramp most nights and wake me up, I take a water pill",
            {"site_calf", "at_night_in_bed", "frequent_episodes", "disrupts_sleep", "takes_diuretic"},
        ),
        ("zh", "跑步的时候小腿抽筋，拉伸一下就好了", {"during_exercise", "site_calf", "relieved_by_stretching"}),
    ],
)
def test_free_text_is_pre_ticked_and_kept(client: TestClient, lang: str, text: str, typed: set[str]) -> None:
    html = client.post("/start", data={"age": "68", "sex": "male", "lang": lang, "text": text}).text
    assert 'id="u-title"' in html, "no 'what I understood' step after a free-text start"
    checked = dict(radios(html))
    assert {f: checked.get(f"u_{f}") for f in typed} == {f: "present" for f in typed}
    html = post(client, html, action="understood", **dict(radios(html)))
    for _ in range(40):
        if 'id="triage"' in html:
            break
        assert not shown_options(html) & typed, "a typed finding is asked again"
        html = post(client, html, action="none" if 'id="none"' in html else "no")
    else:
        raise AssertionError("no result")
    st = answers_of(html)
    assert {f: st[f] for f in typed} == {f: ("present", "text") for f in typed}


def test_what_was_understood_can_be_corrected_and_maybe_is_asked_later(client: TestClient) -> None:
    text = "my calf cramps at night, maybe some swelling in one leg"
    html = understood = client.post("/start", data={"age": "50", "sex": "female", "lang": "en", "text": text}).text
    checked = dict(radios(html))
    assert checked["u_calf_swelling_one_leg"] == "unknown" and 'value="unknown"' in html and "Maybe" in html
    assert checked["u_site_calf"] == "present"
    html = post(client, html, action="understood", **{**checked, "u_at_night_in_bed": "absent"})
    st = answers_of(html)
    assert st["at_night_in_bed"] == ("absent", "correction")
    assert st["site_calf"] == ("present", "text")
    # "maybe" is not an answer: the swelling (a danger sign) is asked in the danger checklist
    assert "calf_swelling_one_leg" not in st
    assert q_of(html) == "danger" and "calf_swelling_one_leg" in shown_options(html)
    bad = {**checked, "u_site_calf": "perhaps"}
    r = client.post(
        "/interview",
        data={**{k: v for k, v in hidden(understood) if k in ("lang", "s", "view")}, **bad},
    )
    assert r.status_code == 400 and "start again" in r.text


def test_understood_page_in_chinese(client: TestClient) -> None:
    html = client.post("/start", data={"age": "40", "sex": "male", "lang": "zh", "text": "我晚上小腿抽筋"}).text
    assert "我理解到的内容" in html and "也许" in html and "您的原话" in html
    # switching the language keeps the step and what was chosen
    en = post(client, html, action="lang:en", **dict(radios(html)))
    assert "What I understood" in en and dict(radios(en)) == dict(radios(html))


def test_none_of_the_others_is_explicit_and_continue_is_not(client: TestClient) -> None:
    html = client.post("/start", data={"age": "50", "sex": "male", "lang": "en"}).text
    assert q_of(html) == "danger"
    cont = answers_of(post(client, html, action="answer", tick=["fever"]))
    assert cont["fever"][0] == "present" and "chest_pain" not in cont  # a danger sign left unticked: unanswered
    others = answers_of(post(client, html, action="none", tick=["fever"]))
    assert others["fever"][0] == "present" and others["chest_pain"] == ("absent", "question")


# --- the state in the URL (post/redirect/get) -------------------------------------------------------------
def _first_question(client: TestClient) -> str:
    r = client.post("/start", data={"age": "67", "sex": "female", "lang": "en", "site": ["site_calf"]})
    return r.text


def test_every_step_is_a_get_of_its_own_url(client: TestClient) -> None:
    r = client.post(
        "/start", data={"age": "67", "sex": "female", "lang": "en", "site": ["site_calf"]}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/interview?lang=en&s=")
    page = client.get(r.headers["location"])
    assert page.status_code == 200 and q_of(page.text) == "danger"
    assert page.headers["hx-push-url"] == r.headers["location"]  # htmx shows this address, so reload finds it
    again = client.get(r.headers["location"])
    assert q_of(again.text) == "danger"  # a reload: the same page
    res = client.post(
        "/interview", data={**dict(hidden(page.text)), "action": "finish"}, follow_redirects=False
    ).headers["location"]
    assert res.startswith("/results?lang=en&s=")
    first, second = client.get(res).text, client.get(res).text
    assert re.findall(r'class="cause-name">([^<]+)<', first) == re.findall(r'class="cause-name">([^<]+)<', second)
    # the same results in the other language: only the lang value of the address changes
    zh = client.get(res.replace("lang=en", "lang=zh")).text
    assert '<html lang="zh-Hans">' in zh and 'id="triage"' in zh


def test_a_changed_or_oversized_state_is_refused(client: TestClient) -> None:
    html = _first_question(client)
    token = dict(hidden(html))["s"]
    data, sig = token.split(".")
    for bad in (
        data + "A." + sig,
        data + "." + sig[:-2] + ("AA" if not sig.endswith("AA") else "BB"),
        "x" * 7000,
        "",
    ):
        r = client.get("/interview", params={"lang": "en", "s": bad})
        assert r.status_code in (400, 422) or r.history, bad[:40]
        if r.status_code == 400:
            assert "start again" in r.text
    st = InterviewState.from_form("en", "30", "male", [], [])
    key = b"k" * 32
    big = Page(state=st, words={f"f{k}": "x" * 80 for k in range(2000)})
    with pytest.raises(StateError):
        seal(big, key)  # never a URL longer than MAX_TOKEN
    ok = seal(Page(state=st, ask="danger", prefill={"fever": "present"}), key)
    assert len(ok) <= MAX_TOKEN
    back = unseal(ok, "en", key)
    assert back.ask == "danger" and back.prefill == {"fever": "present"} and back.state.age == 30
    with pytest.raises(StateError):
        unseal(ok, "en", b"another key" * 3)


def test_the_state_holds_no_free_text(client: TestClient) -> None:
    text = "my calves cramp at night; my name is Alice Example and my phone is 07700 900123"
    r = client.post(
        "/start", data={"age": "50", "sex": "female", "lang": "en", "text": text}, follow_redirects=False
    )
    token = r.headers["location"].split("s=")[1]
    payload = token.split(".")[0]
    raw = zlib.decompress(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))).decode()
    assert "Alice" not in raw and "07700" not in raw  # only the words each finding was understood from
    assert "at_night_in_bed" in raw


@pytest.mark.parametrize(
    ("header", "lang", "number"),
    [
        ("en-GB,en;q=0.9", "en", "999"),
        ("en-US,en;q=0.9", "en", "911"),
        ("zh-CN,zh;q=0.9", "zh", "120"),
        ("zh-TW", "zh", "119"),
        ("zh-HK,en-GB;q=0.5", "zh", "999"),
        ("fr-FR,en;q=0.5", "en", "112"),
        ("", "en", "112"),
        ("", "zh", "120"),
        ("en-GB", "zh", "999"),
    ],
)
def test_country_of_the_browser(header: str, lang: str, number: str) -> None:
    assert country_for(header, lang).emergency == number


def test_unknown_addresses_get_a_page_in_a_browser_and_json_elsewhere(client: TestClient) -> None:
    r = client.get("/nowhere", headers={"Accept": "text/html"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html") and 'id="home"' in r.text
    r = client.get("/nowhere?lang=zh", headers={"Accept": "text/html,application/xhtml+xml"})
    assert "找不到" in r.text or "页面" in r.text
    r = client.get("/v1/nowhere", headers={"Accept": "text/html"})
    assert r.headers["content-type"].startswith("application/problem+json")
    r = client.get("/nowhere", headers={"Accept": "application/json"})
    assert r.headers["content-type"].startswith("application/problem+json")
    r = client.get("/start", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/?lang=")


def test_nothing_understood_is_said(client: TestClient) -> None:
    for lang, words in (("en", "could not find any symptoms"), ("zh", "没能从您的描述中找到")):
        html = client.post("/start", data={"age": "30", "sex": "male", "lang": lang, "text": "asdf qwerty"}).text
        assert words in html and q_of(html) == "danger"


def test_change_keeps_the_later_answers_as_choices(client: TestClient) -> None:
    html = _first_question(client)
    html = post(client, html, action="none")
    second = q_of(html)
    opts = sorted(shown_options(html))
    assert second and opts
    html = post(client, html, action="answer", tick=[opts[0]])
    assert "asks the questions after it again" in html
    html = post(client, html, action="change:danger")
    assert q_of(html) == "danger"
    html = post(client, html, action="none")
    assert q_of(html) == second
    assert f'value="{opts[0]}" checked' in html


def _assessed(answers: dict[str, str], age: int = 68, sex: str = "male"):  # type: ignore[no-untyped-def]
    from crampcheck.assess import default_assessor
    from crampcheck.schema import Answer, AssessRequest

    a = default_assessor()
    req = AssessRequest(
        age=age,
        sex=sex,  # type: ignore[arg-type]
        lang="en",
        answers=[Answer(finding=f, state=s, source="question") for f, s in answers.items()],  # type: ignore[arg-type]
    )
    return a, a.assess(req)


def test_top_advice_is_personal_and_one_per_likely_cause() -> None:
    from crampcheck.web.views import top_advice

    a, res = _assessed({"site_calf": "present", "at_night_in_bed": "present", "takes_diuretic": "present"})
    top = top_advice(a, res)
    assert "review_medicines" in top  # written for a medicine the person takes
    by_id = {x.id: x for x in res.advice}
    firsts = [by_id[t].for_conditions[:1] for t in top if by_id[t].for_conditions]
    assert len(firsts) == len({tuple(f) for f in firsts}), "two open items mainly about the same cause"
    assert len(top) <= 5 < len(res.advice)
    # at an emergency the banner says "call": the advice item that says it again is not opened as well
    a, res = _assessed({"chest_pain": "present", "breathing_difficulty": "present"}, age=60)
    assert res.triage.level == "emergency"
    assert "call_emergency_now" not in top_advice(a, res)


def test_a_wrong_method_gets_a_page_in_a_browser_and_json_elsewhere_both_with_the_full_allow(
    client: TestClient,
) -> None:
    """A 405 names every method of the path (GET and POST of the sign-in page, not only the first route the
    router tried), on the browser's page as in the API client's problem+json."""
    page = client.put("/diary/signin", headers={"Accept": "text/html"})
    assert page.status_code == 405 and page.headers["content-type"].startswith("text/html")
    assert page.headers["allow"] == "GET, POST"
    api = client.put("/diary/signin", headers={"Accept": "application/json"})
    assert api.status_code == 405 and api.headers["content-type"].startswith("application/problem+json")
    assert api.headers["allow"] == "GET, POST" and "use GET, POST" in api.json()["detail"]
