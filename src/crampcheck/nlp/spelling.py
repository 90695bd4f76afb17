"""Tolerance of common English misspellings ("strech", "crmps", "musle", "cramsp") against the lexicon's words.

A word of five or more letters that is not itself a lexicon word is read as the lexicon word one edit
away: a missing, an extra or two swapped letters (Damerau-Levenshtein distance 1), or, for words of
eight letters or more, one wrong letter.  The first and the last letters are never the edited ones
(except the commonest slips: the last two letters swapped, "cramsp", and the final letter dropped from
a long word, "furosemid"), so inflections and near neighbours of ordinary words ("sleepy", "walked",
"bright", "round") are not bent into lexicon words; common words (``protected``, e.g. spaCy's stop
words: "there") are never corrected, a dropped letter must leave a word of six letters or more ("thinks"
is no "thins"), and ties between candidates are left alone unless exactly one of them restores a
doubled letter ("runing" is "running", not "ruining").  Texting spellings of any length ("evry",
"nite", "wen") come from a table (``respell``).  Built once per pipeline from the lexicon (deletion
index, no word list needed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_WORD = re.compile(r"^[a-z]+$")
MIN_LEN = 5
SUBSTITUTION_MIN_LEN = 8
LONG_LEN = 7


def _deletes(word: str) -> Iterable[tuple[str, int]]:
    """(word without letter i, i) for every inner position (never the first or the last letter)."""
    for i in range(1, len(word) - 1):
        yield word[:i] + word[i + 1 :], i


class Speller:
    """Corrects a lower-case word to a lexicon word one edit away, or returns it unchanged."""

    def __init__(
        self, words: Iterable[str], protected: Iterable[str] = (), respell: dict[str, str] | None = None
    ) -> None:
        self.respell = dict(respell or {})
        self.known = {w for w in words if _WORD.match(w)}
        self.protected = frozenset(protected)
        self.by_delete: dict[str, set[str]] = {}
        self.by_delete_pos: dict[tuple[str, int], set[str]] = {}
        for w in self.known:
            if len(w) < MIN_LEN:
                continue
            for d, i in _deletes(w):
                self.by_delete.setdefault(d, set()).add(w)
                self.by_delete_pos.setdefault((d, i), set()).add(w)
        self.cache: dict[str, str] = {}

    def correct(self, word: str) -> str:
        hit = self.cache.get(word)
        if hit is not None:
            return hit
        if word in self.respell:
            return self.respell[word]
        out = self._correct(word)
        if len(self.cache) < 50_000:
            self.cache[word] = out
        return out

    def _correct(self, word: str) -> str:
        if len(word) < MIN_LEN or word in self.known or word in self.protected or not _WORD.match(word):
            return word
        cands: set[str] = set()
        cands |= {w for w in self.by_delete.get(word, ()) if w[-1] == word[-1]}  # a letter missing
        for d, _i in _deletes(word):  # an extra letter
            if d in self.known and len(d) >= MIN_LEN + 1:
                cands.add(d)
        for i in range(1, len(word) - 2):  # two letters swapped (not the first or the last one)
            t = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
            if t in self.known:
                cands.add(t)
        if len(word) >= SUBSTITUTION_MIN_LEN:  # one wrong letter
            for d, i in _deletes(word):
                cands |= self.by_delete_pos.get((d, i), set())
        if len(word) >= MIN_LEN:  # the last two letters swapped ("cramsp")
            t = word[:-2] + word[-1] + word[-2]
            if t in self.known:
                cands.add(t)
        if len(word) >= LONG_LEN:  # the final letter dropped from a long word ("furosemid", "numbnes")
            cands |= {word + ch for ch in "abcdefghijklmnopqrstuvwxyz" if word + ch in self.known}
        cands.discard(word)
        if len(cands) > 1:  # "runing": the candidate that restores a doubled letter wins
            doubled = {
                w
                for w in cands
                if len(w) == len(word) + 1
                and any(w[i] == w[i + 1] and w[:i] + w[i + 1 :] == word for i in range(len(w) - 1))
            }
            if len(doubled) == 1:
                return next(iter(doubled))
        return next(iter(cands)) if len(cands) == 1 else word
