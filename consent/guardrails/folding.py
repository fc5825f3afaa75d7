"""Folded text for matching, with a map back to the original.

The term lists match lower-case ASCII-ish text: Turkish I/ı/İ/i are one letter
(agents type without Turkish letters, and "İ".lower() is two characters),
Turkish and German letters lose their marks, Cyrillic ё is е, and every run of
white space is one space. A finding must point into the text the agent typed,
so each folded character knows which original characters it came from. Most
notes match nothing, so that map is only built when something does.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

_FOLD = {
    "I": "i", "İ": "i", "ı": "i", "Ş": "s", "ş": "s", "Ğ": "g", "ğ": "g", "Ç": "c", "ç": "c",
    "Ö": "o", "ö": "o", "Ü": "u", "ü": "u", "Ä": "a", "ä": "a", "ß": "ss", "ẞ": "ss",
    "Ё": "е", "ё": "е", "’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'",
    "–": "-", "—": "-", "‐": "-", "‑": "-",
}  # fmt: skip
# Only the case of these changes: ü is not u in "schwül" (humid) and "schwul",
# nor in "Kürt" and the name "Kurt" (terms.MARKED).
_LOWER = {"I": "i", "İ": "i", "ı": "i", "’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"}
_SPACES = re.compile(" {2,}")


def _fold_char(ch: str, keep_marks: bool) -> str:
    if ch.isspace():
        return " "
    if unicodedata.category(ch) == "Cf":
        return ""  # a soft hyphen or zero-width joiner must not hide "hami\u00adle"
    if unicodedata.combining(ch):
        # A mark typed as its own character (I + U+0307) belongs to the letter
        # before it; Folded.original_span keeps it inside that letter's span.
        return ch if keep_marks else ""
    table = _LOWER if keep_marks else _FOLD
    if ch in table:
        return table[ch]
    lowered = ch.lower()
    if keep_marks or lowered.isascii() or "\u0400" <= ch <= "\u04ff":
        return lowered  # Cyrillic keeps its marks: й is not и
    # é, à, ñ, â lose their marks.
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c)) or lowered


# ord → folded string, filled as new characters are seen; str.translate then
# folds a whole note in C.
_TABLES: dict[bool, dict[int, str]] = {False: {}, True: {}}


class Folded:
    __slots__ = ("_ends", "_identity", "_starts", "keep_marks", "original", "text")

    def __init__(self, original: str, keep_marks: bool) -> None:
        table = _TABLES[keep_marks]
        one_to_one = True
        for ch in set(original):
            piece = table.get(ord(ch))
            if piece is None:
                piece = table[ord(ch)] = _fold_char(ch, keep_marks)
            one_to_one = one_to_one and len(piece) == 1
        translated = original.translate(table)
        self.original = original
        self.keep_marks = keep_marks
        self.text = _SPACES.sub(" ", translated)
        # Nearly every note folds character for character (İ becomes one i):
        # then an offset is its own original offset.
        self._identity = one_to_one and len(self.text) == len(translated)
        self._starts: list[int] | None = None
        self._ends: list[int] = []

    def _build_map(self) -> None:
        table = _TABLES[self.keep_marks]
        starts: list[int] = []
        ends: list[int] = []
        last = ""
        for index, ch in enumerate(self.original):
            piece = table[ord(ch)]
            if not piece:
                if ends and ends[-1] == index:
                    ends[-1] = index + 1
                continue
            if piece == " " and last == " ":
                continue
            for _ in piece:
                starts.append(index)
                ends.append(index + 1)
            last = piece[-1]
        assert len(starts) == len(self.text)
        self._starts, self._ends = starts, ends

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of folded characters ``start:end`` (end exclusive)."""
        if self._identity:
            return start, end
        if self._starts is None:
            self._build_map()
        return self._starts[start], self._ends[end - 1]


def fold(text: str, *, keep_marks: bool = False) -> Folded:
    """``keep_marks`` only lower-cases (Turkish-aware), for the few terms whose
    meaning hangs on a diacritic."""
    return Folded(text, keep_marks)


# --- the notation of terms.py --------------------------------------------------------------

_WORD_GOES_ON = r"[\w']*"


def _structure(pattern: str):
    """(index, char, depth) of each character of ``pattern`` that is regex
    syntax: not escaped and not inside a character class; ``depth`` is the
    group nesting after the character."""
    depth, escaped, in_class = 0, False, False
    for index, ch in enumerate(pattern):
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        else:
            depth += (ch == "(") - (ch == ")")
            yield index, ch, depth


def _split_top_level(pattern: str) -> list[str]:
    """``pattern`` cut at its top-level ``|``."""
    parts, start = [], 0
    for index, ch, depth in _structure(pattern):
        if ch == "|" and depth == 0:
            parts.append(pattern[start:index])
            start = index + 1
    return [*parts, pattern[start:]]


def _leading_group(pattern: str) -> tuple[str, str] | None:
    """(inside, after) of a leading ``(?:...)``."""
    if not pattern.startswith("(?:"):
        return None
    for index, ch, depth in _structure(pattern):
        if ch == ")" and depth == 0:
            return pattern[3:index], pattern[index + 1 :]
    return None


def _expand(pattern: str) -> list[str]:
    """A leading alternation as separate patterns: "(?:is|was) ill" is
    "is ill" and "was ill", so each can be grouped by its first letter."""
    group = _leading_group(pattern)
    if group is None:
        return [pattern]
    inside, after = group
    if after[:1] in ("*", "+", "{"):
        return [pattern]
    alternatives = _split_top_level(inside)
    if after[:1] == "?":
        after = after[1:]
        alternatives.append("")
    return [expanded for a in alternatives for expanded in _expand(a + after)]


def compile_words(patterns: list[str]) -> re.Pattern:
    """One regex for whole-word patterns in the notation of terms.py (``~``
    lets a word go on).

    Python's re tries every alternative at every word start; grouped by their
    first letter, it tries one letter per group instead (health has ~400
    alternatives)."""
    by_first: dict[str, list[str]] = defaultdict(list)
    others: list[str] = []
    for pattern in patterns:
        for expanded in _expand(pattern.replace("~", _WORD_GOES_ON)):
            first, rest = expanded[:1], expanded[1:]
            simple = first.isalnum() and rest[:1] not in ("?", "*", "+", "{")
            if simple and len(_split_top_level(rest)) == 1:
                by_first[first].append(rest)
            else:
                others.append(expanded)
    branches = [
        f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in sorted(by_first.items())
    ]
    return re.compile(rf"\b(?:{'|'.join(branches + others)})(?![\w])")
