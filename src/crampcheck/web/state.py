"""The interview state carried by the pages' hidden form fields (no server-side session), and the pure
steps of the protocol on it: answer a question, correct what was understood, go back, change an earlier
answer. What an answer means is decided by the core (:mod:`crampcheck.interview.answers`), not here.

Fields: ``lang``, ``age``, ``sex``, repeated ``a`` (``finding:state:source``, with ``:question`` when a
question gave it) and repeated ``asked`` (question ids in the order asked).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from crampcheck.schema import MAX_AGE, MIN_AGE, Answer, AssessRequest

_ID = re.compile(r"^[a-z0-9_]{1,80}$")
_QID = re.compile(
    r"^(confirm:)?[a-z0-9_]{1,80}(\+[a-z0-9_]{1,80}){0,40}$"
)  # a question id; "confirm:<finding>" asks an answer again, "<checklist>+<option>..." a checklist cut to those options
STATES = ("present", "absent", "unknown")
SOURCES = ("initial", "question", "text", "facts", "correction")
STATE_VALUE: dict[str, bool | None] = {"present": True, "absent": False, "unknown": None}
VALUE_STATE: dict[bool | None, str] = {True: "present", False: "absent", None: "unknown"}


class StateError(ValueError):
    """The hidden state of a form is missing or malformed (a tampered or truncated form)."""


@dataclass
class InterviewState:
    lang: str
    age: int
    sex: str
    answers: list[Answer] = field(default_factory=list)
    asked: list[str] = field(default_factory=list)
    # the question each answer was given to ("" for typed ones), index by index: going back or changing a
    # question forgets exactly the answers it gave (a follow-up shares its findings with its checklist)
    by: list[str] = field(default_factory=list)

    def _by(self, k: int) -> str:
        return self.by[k] if k < len(self.by) else ""

    # --- (de)serialisation ------------------------------------------------------------------------
    def fields(self) -> list[tuple[str, str]]:
        """The hidden fields that carry this state (``lang`` is carried separately)."""
        out = [("age", str(self.age)), ("sex", self.sex)]
        out += [
            ("a", f"{a.finding}:{a.state}:{a.source}" + (f":{self._by(k)}" if self._by(k) else ""))
            for k, a in enumerate(self.answers)
        ]
        out += [("asked", q) for q in self.asked]
        return out

    @classmethod
    def from_form(
        cls, lang: str, age: str | None, sex: str | None, a: list[str], asked: list[str]
    ) -> InterviewState:
        try:
            age_n = int(age or "")
        except ValueError:
            raise StateError("age") from None
        if not MIN_AGE <= age_n <= MAX_AGE:
            raise StateError("age")
        if sex not in ("female", "male"):
            raise StateError("sex")
        answers = []
        by = []
        for item in a[:500]:
            parts = item.split(":", 3)  # the fourth part, the question, may itself be "confirm:<finding>"
            if (
                len(parts) not in (3, 4)
                or not _ID.match(parts[0])
                or parts[1] not in STATES
                or parts[2] not in SOURCES
                or (len(parts) == 4 and not _QID.match(parts[3]))
            ):
                raise StateError("a")
            answers.append(Answer(finding=parts[0], state=parts[1], source=parts[2]))  # type: ignore[arg-type]
            by.append(parts[3] if len(parts) == 4 else "")
        if any(not _QID.match(q) for q in asked) or len(asked) > 200:
            raise StateError("asked")
        return cls(lang=lang, age=age_n, sex=sex, answers=answers, asked=list(asked), by=by)

    def request(self) -> AssessRequest:
        return AssessRequest(age=self.age, sex=self.sex, lang=self.lang, answers=self.answers, asked=self.asked)  # type: ignore[arg-type]

    # --- protocol steps ---------------------------------------------------------------------------
    def answer_map(self) -> dict[str, bool | None]:
        """{finding: True / False / None (don't know)}; a later answer wins."""
        return {a.finding: STATE_VALUE[a.state] for a in self.answers}

    def apply(self, qid: str, vals: Mapping[str, bool | None], source: str = "question") -> None:
        """Record what the answer to question ``qid`` means (``crampcheck.interview.answers``) and mark it
        asked; findings not in ``vals`` keep their answers."""
        self.by = [self._by(k) for k in range(len(self.answers))]
        for f, v in vals.items():
            self.answers.append(Answer(finding=f, state=VALUE_STATE[v], source=source))  # type: ignore[arg-type]
            self.by.append(qid)
        self.asked = [q for q in self.asked if q != qid] + [qid]

    def correct(self, finding: str, state: str) -> None:
        """The person corrected what was understood from their description: the typed answer is replaced."""
        if state not in STATES:
            raise StateError("a")
        for k, a in enumerate(self.answers):
            if a.finding == finding and a.source in ("text", "correction") and a.state != state:
                self.answers[k] = Answer(finding=finding, state=state, source="correction")  # type: ignore[arg-type]

    def forget_unsure(self) -> None:
        """What the person left as "maybe" in "what I understood" is not an answer: its question asks it."""
        keep = [not (a.source in ("text", "correction") and a.state == "unknown") for a in self.answers]
        self.by = [self._by(k) for k, kept in enumerate(keep) if kept]
        self.answers = [a for a, kept in zip(self.answers, keep, strict=True) if kept]

    def drop(self, qid: str, findings: list[str]) -> dict[str, str]:
        """Remove question ``qid`` and the answers it gave; return them (to pre-fill the form). An answer from a
        form without the question's id is taken to be ``qid``'s when it is about one of its ``findings``."""
        fs = set(findings)
        mine = [
            a.source == "question" and (self._by(k) == qid or (not self._by(k) and a.finding in fs))
            for k, a in enumerate(self.answers)
        ]
        removed: dict[str, str] = {a.finding: a.state for a, m in zip(self.answers, mine, strict=True) if m}
        self.by = [self._by(k) for k, m in enumerate(mine) if not m]
        self.answers = [a for a, m in zip(self.answers, mine, strict=True) if not m]
        self.asked = [q for q in self.asked if q != qid]
        return removed

    def rewind_to(self, qid: str, findings_of: dict[str, list[str]]) -> dict[str, str]:
        """Change the answer to ``qid``: forget it and every question asked after it."""
        if qid not in self.asked:
            return {}
        k = self.asked.index(qid)
        removed: dict[str, str] = {}
        for q in reversed(self.asked[k:]):
            got = self.drop(q, findings_of.get(q, []))
            if q == qid:
                removed = got
        return removed


# --- the state in a URL: signed, compressed, bounded ---------------------------------------------------------
# Every interview page is reached by GET with the state in one query value, ``s`` (post/redirect/get): reload,
# the browser's Back and a shared link show the same page. The value carries only what the next page needs:
# age, sex, the answers (finding:state:source[:question]), the questions asked, and for one page the question
# to ask again with its earlier answers (Back, Change) or the words the description was understood from. No
# free text, no language (that is the ``lang`` query value), nothing about the browser. It is signed with the
# server's key (HMAC-SHA256, truncated to 128 bits), so a changed or truncated value is refused as a whole.

MAX_TOKEN = 6000  # characters; a browser URL of 8 KB is safe everywhere
MAX_PAYLOAD = 64_000  # bytes once decompressed: a small token cannot unpack into a large one
_SIG_BYTES = 16
_WORDS = 80  # characters of "your words" kept per finding


@dataclass
class Page:
    """One interview page as its URL names it: the state, and what only this page needs."""

    state: InterviewState
    ask: str | None = None  # a question asked again (Back, Change, an unanswered "Continue")
    prefill: dict[str, str] = field(default_factory=dict)  # its earlier answers, to show them chosen
    words: dict[str, str] = field(default_factory=dict)  # "what I understood": the words of each finding
    notes: list[str] = field(default_factory=list)  # ids of notes to show once (e.g. "nothing understood")


def _b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode("ascii")


def _unb64(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, b"crampcheck-interview-state|" + payload, hashlib.sha256).digest()[:_SIG_BYTES]


def seal(page: Page, key: bytes) -> str:
    """The signed URL value of ``page`` (raises StateError if it would be too long)."""
    st = page.state
    body: dict[str, object] = {
        "g": st.age,
        "x": st.sex,
        "a": [v for k, v in st.fields() if k == "a"],
        "q": list(st.asked),
    }
    if page.ask:
        body["k"] = page.ask
    if page.prefill:
        body["p"] = page.prefill
    if page.words:
        body["w"] = {f: w[:_WORDS] for f, w in page.words.items()}
    if page.notes:
        body["n"] = page.notes
    payload = zlib.compress(json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode(), 9)
    token = _b64(payload) + "." + _b64(_mac(key, payload))
    if len(token) > MAX_TOKEN:
        raise StateError("too long")
    return token


def unseal(token: str, lang: str, key: bytes) -> Page:
    """The page named by a URL value; StateError if it is not one this server made, or is malformed."""

    if not token or len(token) > MAX_TOKEN or token.count(".") != 1:
        raise StateError("s")
    data, _, sig = token.partition(".")
    try:
        payload, mac = _unb64(data), _unb64(sig)
    except ValueError:
        raise StateError("s") from None
    if not hmac.compare_digest(mac, _mac(key, payload)):
        raise StateError("s")
    try:
        d = zlib.decompressobj()
        raw = d.decompress(payload, MAX_PAYLOAD)
        if d.unconsumed_tail:
            raise StateError("s")
        body = json.loads(raw)
    except (zlib.error, ValueError):
        raise StateError("s") from None
    if not isinstance(body, dict):
        raise StateError("s")
    a, q = body.get("a", []), body.get("q", [])
    if not (isinstance(a, list) and isinstance(q, list) and all(isinstance(x, str) for x in [*a, *q])):
        raise StateError("s")
    st = InterviewState.from_form(lang, str(body.get("g", "")), str(body.get("x", "")), a, q)
    ask = body.get("k")
    prefill = body.get("p", {})
    words = body.get("w", {})
    notes = body.get("n", [])
    if ask is not None and not (isinstance(ask, str) and _QID.match(ask)):
        raise StateError("k")
    for m in (prefill, words):
        if not isinstance(m, dict) or not all(isinstance(k, str) and _ID.match(k) for k in m):
            raise StateError("p")
    if not all(v in STATES for v in prefill.values()) or not all(isinstance(v, str) for v in words.values()):
        raise StateError("p")
    if not (isinstance(notes, list) and all(isinstance(n, str) and _ID.match(n) for n in notes)):
        raise StateError("n")
    return Page(state=st, ask=ask, prefill=dict(prefill), words=dict(words), notes=list(notes))
