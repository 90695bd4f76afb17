"""Every interface string of the web pages, in one place, marked for Babel (``_("...")``) and translated in
``locale/zh/LC_MESSAGES/crampcheck.po``. Knowledge-base texts (questions, causes, advice) come translated
from the knowledge base itself."""

from __future__ import annotations

import functools
from collections.abc import Callable

from crampcheck.i18n import translator


def _strings(_: Callable[[str], str]) -> dict[str, str]:
    return {
        "app_name": _("crampcheck"),
        "tagline": _("Why do my muscles cramp, and what should I do?"),
        "caution": _("This is information, not a diagnosis."),
        "skip": _("Skip to main content"),
        "language": _("Language"),
        "start_title": _("Tell us about your cramps"),
        "start_intro": _(
            "Answer a few short questions. You will get the likely causes, how urgent it is, and what you "
            "can do, with the sources behind the advice."
        ),
        "describe": _("Describe your cramps in your own words (optional)"),
        "describe_hint": _("For example: my calves cramp at night, about twice a week, no swelling."),
        "where": _("Where do you get the cramps?"),
        "where_hint": _("Tick all that apply."),
        "age": _("Age in years"),
        "sex": _("Sex"),
        "sex_why": _(
            "Asked because some causes of cramps are more common in one sex, and pregnancy can cause them. "
            "This tool cannot work it out without an answer: choose the one that best describes your body."
        ),
        "female": _("Female"),
        "male": _("Male"),
        "start": _("Start"),
        "fix_errors": _("Please correct the following:"),
        "err_age": _("Enter your age as a whole number from 1 to 110."),
        "err_sex": _("Choose female or male."),
        "err_state": _("The form was incomplete or changed. Please start again."),
        "err_text": _("The description is too long. Please shorten it to 5,000 characters."),
        "note_nlp_unavailable": _(
            "Free-text understanding is not available right now; please answer the questions."
        ),
        "note_nothing_understood": _(
            "We could not find any symptoms in your description, so the questions below start from the "
            "beginning. You can go back and describe the cramps in other words at any time."
        ),
        "chosen_before": _("Your earlier answer is marked."),
        "change_hint": _(
            "Changing an answer asks the questions after it again, with your earlier answers already filled in."
        ),
        "understood": _("From your description we understood:"),
        "understood_title": _("What I understood"),
        "understood_hint": _(
            "This is what I understood from your description. Check each line and correct anything I got wrong "
            "(Maybe: you are not sure; you will be asked about it)."
        ),
        "your_words": _("your words:"),
        "maybe": _("Maybe"),
        "already_answered": _("Already answered:"),
        "question_n": _("Question"),
        "yes": _("Yes"),
        "no": _("No"),
        "dont_know": _("Don't know"),
        "continue": _("Continue"),
        "none_of_these": _("None of these"),
        "none_of_the_others": _("None of the others"),
        "back": _("Back"),
        "change": _("Change"),
        "finish_now": _("Show results now"),
        "more_questions": _("Answer more questions"),
        "your_answers": _("Your answers so far"),
        "from_text": _("from your description"),
        "present": _("yes"),
        "absent": _("no"),
        "unknown": _("don't know"),
        "results_title": _("Your results"),
        "triage": _("How urgent is it?"),
        "emergency_now": _("Call emergency services now"),
        "emergency_numbers": _("Elsewhere: 120 in mainland China, 112 in Europe, 999 in the UK, 911 in the US."),
        "call_number": _("Call {number} now"),
        "number_is": _("{number} is the emergency number in {country}."),
        "number_also": _("{number} works too."),
        "call_urgent": _("Call {number} for advice today"),
        "find_doctor": _("Find a doctor"),
        "find_doctor_where": _("The official service in {country}."),
        "what_to_do_first": _("What you can do"),
        "more_advice": _("{n} more"),
        "more_causes": _("{n} less likely causes"),
        "why_level": _("Why this level"),
        "reason_about": _("Possible cause behind it:"),
        "outside_model": _("A cause outside what this tool covers:"),
        "causes": _("Possible causes"),
        "causes_intro": _(
            "These are possibilities, not certainties. Several causes can be present at once, so the chances do "
            "not add up to 100%."
        ),
        "chance": _("Chance"),
        "why": _("Why?"),
        "raised_by": _("What fits this cause:"),
        "lowered_by": _("What does not fit:"),
        "no_explanation": _(
            "None of your answers points to or away from this cause; it is common in people like you."
        ),
        "none_above": _("Chance that none of these causes is present:"),
        "none_fits": _(
            "None of these causes fits your answers well: the cause may be one this tool does not cover. "
            "If the cramps go on or worry you, see a doctor."
        ),
        "advice": _("What you can do"),
        "kind_now": _("During a cramp"),
        "kind_prevent": _("To prevent cramps"),
        "kind_see": _("When to see someone"),
        "kind_avoid": _("What to avoid"),
        "evidence": _("Evidence"),
        "grade_strong": _("strong evidence"),
        "grade_moderate": _("moderate evidence"),
        "grade_weak": _("weak evidence"),
        "grade_none": _("no good evidence"),
        "grade_contradicted": _("evidence says it does not work"),
        "sources": _("Sources"),
        "summary_title": _("Summary for your doctor"),
        "summary_hint": _("Print this page or show it to your doctor, nurse or pharmacist."),
        "print": _("Print"),
        "date": _("Date"),
        "answers": _("Answers"),
        "kb_version": _("Knowledge base version"),
        "start_again": _("Start again"),
        "api_docs": _("API documentation"),
        "not_found": _("Page not found"),
        "not_found_text": _("There is no page at this address."),
        "form_only": _("This page cannot be opened directly"),
        "form_only_text": _("This address only takes a form from another page. Start again from the start page."),
        "home": _("Go to the start page"),
        "progress": _("Questions answered:"),
        "diary": _("Diary"),
        "save_to_diary": _("Save to my diary"),
        "save_to_diary_hint": _("Keeps these results with your cramp diary, for your doctor report."),
        "open_diary": _("Open my cramp diary"),
    }


@functools.lru_cache(maxsize=4)
def page_texts(lang: str) -> dict[str, str]:
    """All page strings in one language."""
    return _strings(translator(lang))
