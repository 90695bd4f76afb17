"""The words of the diary pages in the page's language: the page strings (gettext catalogue) and the words of
every diary field (labels, hints, allowed values) from the field definitions (:mod:`crampcheck.diary.fields`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from crampcheck.diary.fields import EPISODE_FIELDS, EXPOSURE_FIELDS, DiaryField
from crampcheck.i18n import translator


def _strings(_: Callable[[str], str]) -> dict[str, str]:
    return {
        "diary_title": _("My cramp diary"),
        "diary_intro": _(
            "Write down each cramp soon after it happens, and a few facts about your day. After some weeks the "
            "diary can show what tends to come before your cramps."
        ),
        "new_episode": _("Record a cramp"),
        "edit_episode": _("Change this cramp"),
        "side_none": _("Not sure"),
        "save_episode": _("Save the cramp"),
        "save_changes": _("Save changes"),
        "cancel": _("Cancel"),
        "exposures_title": _("What was your day like?"),
        "exposures_hint": _(
            "Fill in what you know; leave the rest empty. Saving again for the same day replaces that day."
        ),
        "if_relevant": _("Only if it applies to you"),
        "not_recorded": _("not recorded"),
        "save_day": _("Save the day"),
        "recent": _("Recent cramps"),
        "no_episodes": _("No cramps recorded yet."),
        "edit": _("Edit"),
        "delete": _("Delete"),
        "delete_title": _("Delete this cramp?"),
        "delete_text": _("This cannot be undone."),
        "delete_yes": _("Yes, delete it"),
        "keep": _("No, keep it"),
        "minutes_short": _("min"),
        "severity_short": _("severity"),
        "saved_episode": _("The cramp was saved."),
        "saved_changes": _("The changes were saved."),
        "deleted": _("The cramp was deleted."),
        "saved_day": _("The day was saved."),
        "saved_assessment": _("Your results were saved in your diary."),
        "charts_title": _("What your diary shows"),
        "over_time": _("Cramps over time"),
        "per_day": _("per day"),
        "per_week": _("per week (from Monday)"),
        "per_month": _("per month"),
        "per_year": _("per year"),
        "by_hour": _("Cramps by hour of day"),
        "hour": _("Hour"),
        "muscle": _("Muscle"),
        "by_muscle": _("Cramps by muscle"),
        "count": _("Cramps"),
        "period": _("Period"),
        "show_table": _("Show the numbers as a table"),
        "chart_hint": _("Point at or tab to a bar to see its value; use the arrow keys to move between bars."),
        "effects_title": _("Possible triggers"),
        "effects_intro": _(
            "Each day with cramps is compared with days without cramps in the same month. A value above 1 "
            "means cramps were more likely on such days, below 1 less likely. The line shows the range the "
            "true value probably lies in (95% interval): if it crosses 1, the diary cannot tell."
        ),
        "exposure": _("Factor"),
        "odds_ratio": _("Odds ratio"),
        "interval": _("95% interval"),
        "verdict": _("What it means"),
        "v_possible_trigger": _("possible trigger"),
        "v_weak_hint": _("weak hint, may be chance"),
        "v_possibly_protective": _("possibly protective"),
        "v_no_clear_effect": _("no clear effect"),
        "v_not_estimable": _("cannot be worked out yet"),
        "per": _("per"),
        "no_effects": _("There is not enough data yet to look for triggers."),
        "nothing_yet": _("No data yet."),
        "report_title": _("For your doctor"),
        "report_html": _("Doctor report (web page)"),
        "report_pdf": _("Doctor report (PDF)"),
        "fhir": _("Export for health records (FHIR)"),
        "csv": _("Download cramps as a spreadsheet (CSV)"),
        "save_to_diary": _("Save to my diary"),
        "save_to_diary_hint": _("Keeps these results with your cramp diary, for your doctor report."),
        "open_diary": _("Open my cramp diary"),
        "fix_fields": _("Some answers need a look; see the notes next to them."),
        "not_available": _("The diary is not available here"),
        "not_available_text": _(
            "The diary keeps personal health notes, so from another computer it opens only for someone who "
            "signs in with their own diary token."
        ),
        "signin_title": _("Sign in to your diary"),
        "signin_text": _(
            "Enter your diary token. Whoever runs crampcheck can give you one with the command "
            "'crampcheck diary token YOUR-NAME'. This browser keeps it until you sign out."
        ),
        "signin_token": _("Diary token"),
        "signin_button": _("Sign in"),
        "signin_wrong": _("This token is not known. Check it, or ask for a new one."),
        "signin_limited_title": _("Too many wrong tokens"),
        "signin_limited": _(
            "Too many wrong tokens were tried from this address. Wait {seconds} seconds, then try again."
        ),
        "signin_link": _("Sign in with your diary token"),
        "signout_button": _("Sign out of the diary"),
        "signout_hint": _("Signing out ends your token everywhere; to sign in again you need a new one."),
        "storage_error": _("The diary could not be opened. Please try again later."),
        "not_found_episode": _("This cramp is not in your diary (it may have been deleted)."),
        "conflict": _("The same day was saved at the same moment elsewhere. Please save it again."),
        "back_to_diary": _("Back to my diary"),
        "csrf_title": _("This form could not be accepted"),
        "csrf_text": _(
            "It was not sent from this diary's own page, or the page was open too long. Go back to the diary, "
            "reload it and send the form again."
        ),
        # field messages
        "err_when": _("Enter the date and time the cramp began, for example 2024-05-01 03:10."),
        "err_when_future": _("That time is in the future. Enter when the cramp began."),
        "err_muscle": _("Choose which muscle cramped."),
        "err_side": _("Choose left, right, both or not sure."),
        "err_severity": _("Choose how bad it was, from 0 to 10."),
        "err_day": _("Enter the day, for example 2024-05-01."),
        "err_day_future": _("That day is in the future. Enter today or an earlier day."),
        "err_number": _("Enter a number from {low} to {high}, or leave it empty."),
        "err_too_long": _("This is too long; shorten it to {n} characters."),
        "err_choice": _("Choose one of the options."),
        "err_items": _("Too many entries; list at most {n}."),
        "err_control": _("This contains an invisible control character; remove it or type the text again."),
        "err_state": _("The results could not be saved: the form was incomplete. Please start again."),
        "yes": _("Yes"),
        "no": _("No"),
    }


@functools.lru_cache(maxsize=4)
def diary_texts(lang: str) -> dict[str, str]:
    """The diary page strings in one language."""
    return _strings(translator(lang))


def _first_upper(word: str) -> str:
    return word[:1].upper() + word[1:]


@dataclass(frozen=True)
class FieldView:
    """One field as a form shows it, in one language."""

    name: str  # the form field's name (the entry name: duration_min for duration_s)
    field: str  # the stored field's name
    type: str
    label: str
    hint: str
    options: tuple[tuple[str, str], ...]  # (value, words) of a choice or a yes/no field
    max_length: int | None
    relevant: str | None


def field_view(f: DiaryField, lang: str) -> FieldView:
    d = diary_texts(lang)
    if f.type == "bool":
        options: tuple[tuple[str, str], ...] = (("yes", d["yes"]), ("no", d["no"]))
    else:
        options = tuple((c.value, _first_upper(c.word(lang))) for c in f.choices)
    return FieldView(
        name=f.entry_name,
        field=f.name,
        type=f.type,
        label=f.label_text(lang),
        hint=f.hint(lang) if f.hint else "",
        options=options,
        max_length=f.max_length,
        relevant=f.relevant,
    )


@functools.lru_cache(maxsize=4)
def episode_views(lang: str) -> dict[str, FieldView]:
    return {f.name: field_view(f, lang) for f in EPISODE_FIELDS}


@functools.lru_cache(maxsize=4)
def exposure_views(lang: str) -> dict[str, FieldView]:
    return {f.name: field_view(f, lang) for f in EXPOSURE_FIELDS}


def choice_word(kind: str, field: str, value: str, lang: str) -> str:
    """The words of a stored choice as the page shows it ("calf" -> "Calf", "小腿")."""
    views = episode_views(lang) if kind == "episode" else exposure_views(lang)
    return dict(views[field].options).get(value, value)
