"""Pair each reference-language field with its translation, and say whether it is current.

How identity survives structure edits (no ids in the content, no positional keys):

1. **Translation -> record entry.** Each translated field is matched to the record
   entry whose recorded translation is the same text (sequence alignment first, so
   repeated texts pair in order; then any exact match elsewhere, for moved blocks).
   A translation edited since (a typo fixed) keeps its entry by position among the
   neighbours that did match. The entry says which English text it was made from.
2. **English -> translation.** Each English field is matched to the translated field
   whose recorded English is exactly its text, again by sequence alignment and then
   anywhere in the document. Such a pair is *current*, wherever the block now sits:
   moving a block flags nothing.
3. **What is left** lies in gaps between matched neighbours. Inside one gap, English
   and translated fields of the same kind pair in order (preferring the most similar
   recorded English): such a pair is *stale* (the English changed since). An English
   field with no partner is *missing*; a translated field with no partner is
   *obsolete* (its English was deleted).

So inserting an English paragraph makes one field missing, not every later one stale;
deleting one makes one French field obsolete. A translated field that has a partner
but no record entry (a new language, or a block added by hand) is also *missing*: it
has never been accepted.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipeline.translations.fields import Field
from pipeline.translations.record import Entry

CURRENT, STALE, MISSING, OBSOLETE = "current", "stale", "missing", "obsolete"
STATES = (CURRENT, STALE, MISSING, OBSOLETE)


@dataclass(frozen=True)
class Match:
    """One line of the status: an English field, its translation, and how they relate."""

    english: Field | None
    other: Field | None
    state: str
    entry: Entry | None = None  # the record entry of `other`: what it was translated from
    moved: bool = False  # current, but not in the same order as its English


def match_entries(fields: Sequence[Field], entries: Sequence[Entry]) -> list[Entry | None]:
    """Step 1: the record entry of each translated field (None when it has none)."""
    pairs = _align(
        [f.text for f in fields], [e.target for e in entries],
        lambda i, j: 0.1 + _similarity(fields[i].text, entries[j].target),
    )
    result: list[Entry | None] = [None] * len(fields)
    for i, j, _ in pairs:
        result[i] = entries[j]
    return result


def align(english: Sequence[Field], other: Sequence[Field], entries: Sequence[Entry]) -> list[Match]:
    """Steps 2 and 3 for one document: every field of either language in one Match."""
    recorded = match_entries(other, entries)
    missing_key = object()
    left = [(f.kind, f.text) for f in english]
    right = [(f.kind, e.source) if e is not None else missing_key for f, e in zip(other, recorded, strict=True)]

    def score(i: int, j: int) -> float:
        if english[i].kind != other[j].kind:
            return 0.0
        entry = recorded[j]
        return 1.0 + (_similarity(english[i].text, entry.source) if entry is not None else 0.0)

    matches: list[Match] = []
    for i, j, exact in _align(left, right, score):
        if exact == "equal":
            matches.append(Match(english[i], other[j], CURRENT, recorded[j]))
        elif exact == "moved":
            matches.append(Match(english[i], other[j], CURRENT, recorded[j], moved=True))
        else:
            state = STALE if recorded[j] is not None else MISSING
            matches.append(Match(english[i], other[j], state, recorded[j]))
    matches += _moved_and_edited(english, other, recorded, matches)
    paired_e = {id(m.english) for m in matches}
    matches += [Match(f, None, MISSING) for f in english if id(f) not in paired_e]
    # Sort by English order; an obsolete field goes just after the English of the
    # translated field before it.
    position = {id(f): float(i) for i, f in enumerate(english)}
    english_of = {id(m.other): position[id(m.english)] for m in matches if m.other is not None}
    last = -1.0
    for f, entry in zip(other, recorded, strict=True):
        if id(f) in english_of:
            last = english_of[id(f)]
        else:
            last += 0.001
            matches.append(Match(None, f, OBSOLETE, entry))
            position[id(f)] = last
    matches.sort(key=lambda m: position[id(m.english)] if m.english is not None else position[id(m.other)])
    return matches


def _moved_and_edited(english: Sequence[Field], other: Sequence[Field], recorded: list[Entry | None],
                      matches: list[Match]) -> list[Match]:
    """Leftovers on both sides that are clearly the same text, edited: stale, not missing + obsolete."""
    paired = {id(m.english) for m in matches} | {id(m.other) for m in matches}
    free = [(f, e) for f, e in zip(other, recorded, strict=True) if id(f) not in paired and e is not None]
    found = []
    for field in english:
        if id(field) in paired:
            continue
        scored = [(_similarity(field.text, e.source), k) for k, (f, e) in enumerate(free) if f.kind == field.kind]
        best = max(scored, default=(0.0, -1))
        if best[0] >= _SAME_TEXT:
            f, e = free.pop(best[1])
            found.append(Match(field, f, STALE, e, moved=True))
    return found


_SAME_TEXT = 0.6  # similarity above which an edited text is taken for the same field


def _align(left: Sequence, right: Sequence, score: Callable[[int, int], float]) -> list[tuple[int, int, str]]:
    """Pair items of two sequences: equal runs, then equal items anywhere, then gaps by `score`.

    Returns (i, j, how) with how in "equal", "moved", "gap". A pair inside a gap needs
    a positive score; within a gap the pairing keeps order and maximises the score.
    """
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    pairs: list[tuple[int, int, str]] = []
    gaps: list[tuple[list[int], list[int]]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs += [(i1 + k, j1 + k, "equal") for k in range(i2 - i1)]
        else:
            gaps.append((list(range(i1, i2)), list(range(j1, j2))))
    # Equal items in different gaps: a moved block.
    free_right: dict[object, list[int]] = {}
    for _, js in gaps:
        for j in js:
            free_right.setdefault(_hashable(right[j]), []).append(j)
    taken_l: set[int] = set()
    taken_r: set[int] = set()
    for is_, _ in gaps:
        for i in is_:
            candidates = free_right.get(_hashable(left[i]))
            if candidates:
                j = candidates.pop(0)
                pairs.append((i, j, "moved"))
                taken_l.add(i)
                taken_r.add(j)
    for is_, js in gaps:
        rest_l = [i for i in is_ if i not in taken_l]
        rest_r = [j for j in js if j not in taken_r]
        pairs += [(i, j, "gap") for i, j in _best_in_order(rest_l, rest_r, score)]
    return sorted(pairs)


def _hashable(item: object) -> object:
    return item if isinstance(item, (str, tuple)) else id(item)


def _best_in_order(left: list[int], right: list[int], score: Callable[[int, int], float]) -> list[tuple[int, int]]:
    """An order-keeping pairing of two short lists with the highest total score (no zero pairs)."""
    if not left or not right:
        return []
    n, m = len(left), len(right)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for a in range(n - 1, -1, -1):
        for b in range(m - 1, -1, -1):
            s = score(left[a], right[b])
            take = best[a + 1][b + 1] + s if s > 0 else -1.0
            best[a][b] = max(take, best[a + 1][b], best[a][b + 1])
    pairs: list[tuple[int, int]] = []
    a = b = 0
    while a < n and b < m:
        s = score(left[a], right[b])
        if s > 0 and best[a][b] == best[a + 1][b + 1] + s:
            pairs.append((left[a], right[b]))
            a += 1
            b += 1
        elif best[a][b] == best[a + 1][b]:
            a += 1
        else:
            b += 1
    return pairs


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
