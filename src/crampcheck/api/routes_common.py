"""What every route shares: the assessor built in the lifespan, and the language of the answer
(``lang`` query parameter, else the ``Accept-Language`` header, else English)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Query, Request

from crampcheck.assess import Assessor, default_assessor

LangCode = Literal["en", "zh"]


def get_assessor(request: Request) -> Assessor:
    """The assessor built once by the app's lifespan (or on first use, e.g. without a lifespan)."""
    a = getattr(request.app.state, "assessor", None)
    if a is None:
        a = default_assessor()
        request.app.state.assessor = a
    return a  # type: ignore[no-any-return]


AssessorDep = Annotated[Assessor, Depends(get_assessor)]


def lang_from_header(header: str | None) -> LangCode | None:
    """The preferred supported language of an Accept-Language header ("zh-CN,zh;q=0.9,en;q=0.8" -> "zh")."""
    if not header:
        return None
    best: tuple[float, int, LangCode] | None = None
    for k, part in enumerate(header.split(",")):
        bits = part.strip().split(";")
        tag = bits[0].strip().lower()
        q = 1.0
        for b in bits[1:]:
            b = b.strip()
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        code: LangCode | None = "zh" if tag.startswith("zh") else "en" if tag.startswith("en") else None
        if code is None or q <= 0:
            continue
        if best is None or (q, -k) > (best[0], best[1]):
            best = (q, -k, code)
    return best[2] if best else None


def get_lang(
    request: Request,
    lang: Annotated[
        LangCode | None, Query(description="language of the texts: en or zh (default: from Accept-Language)")
    ] = None,
) -> LangCode:
    return lang or lang_from_header(request.headers.get("accept-language")) or "en"


LangDep = Annotated[LangCode, Depends(get_lang)]
