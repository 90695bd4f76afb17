"""The adaptive interview: which question to ask next, and when to stop."""

from crampcheck.interview.select import Choice, QuestionSpec, Selector

__all__ = ["Choice", "QuestionSpec", "Selector"]
