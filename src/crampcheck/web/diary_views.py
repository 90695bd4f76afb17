"""The cramp diary pages (package :mod:`crampcheck.web.diary`): quick entry of a cramp and of a day's exposures,
the list of recent cramps with edit and delete, charts of the diary, links to the doctor report and the FHIR
export, "Save to my diary" for an interview result, and signing in from another computer.

The user is the one of the diary API (:func:`crampcheck.api.diary.current_user`): on this computer (loopback)
the single local user needs no token; from elsewhere a person signs in with their own diary token
(``crampcheck diary token NAME``), which the browser then keeps in an HttpOnly, SameSite=Strict cookie until they
sign out. This module only gathers the routes (``router``) and the names other code and tests use.
"""

from __future__ import annotations

from crampcheck.web.diary import pages, signin  # noqa: F401  (the modules register their routes)
from crampcheck.web.diary.charts import chart_view
from crampcheck.web.diary.forms import episode_values, exposure_values, parse_episode, parse_exposure
from crampcheck.web.diary.pages import diary_context
from crampcheck.web.diary.routing import CsrfError, DiaryPageRoute, require_csrf, router
from crampcheck.web.diary.texts import diary_texts

__all__ = [
    "CsrfError",
    "DiaryPageRoute",
    "chart_view",
    "diary_context",
    "diary_texts",
    "episode_values",
    "exposure_values",
    "parse_episode",
    "parse_exposure",
    "require_csrf",
    "router",
]
