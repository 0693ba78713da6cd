"""A reviewed text written back in the YAML's own characters.

The DOCX shows text after typography: curly quotes, French spaces before `; : ! ?`,
grouped digits, en dashes. The YAML holds what the writer typed (`"serious"`, `tout le
monde ; est-ce`). Writing the reviewed text back as it reads in the DOCX would rewrite
every straight quote of a field whose one word changed. So the reviewer's edits are
carried over to the source instead:

1. the built text and the source are aligned character by character (typography
   changes little: a quote here, a space there);
2. the edits from the built text to the accepted one (a character diff) are applied
   to the source: where the reviewer changed nothing, the source's characters stay;
   where they changed something, their characters go in (typography keeps them as
   they are: it is idempotent on its own output);
3. the result is composed again and must give exactly the accepted text; if it does
   not (an edit straddling a typographic change, a `*` that reads as emphasis), the
   accepted text itself is tried, then the field is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from difflib import SequenceMatcher


def retype(source: str, built: str, accepted: str, compose: Callable[[str], str]) -> str | None:
    """The new YAML text of a field, or None when no text composes to `accepted`.

    `source` is the field's YAML text, `built` and `accepted` are markup texts (see
    `model.markup`) as built and as reviewed, `compose(raw)` the markup `raw` builds to.
    """
    for candidate in dict.fromkeys((_carry_over(source, built, accepted), accepted)):
        if compose(candidate) == accepted:
            return candidate
    return None


def _carry_over(source: str, built: str, accepted: str) -> str:
    origin = _Origin(source, built)
    out = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, built, accepted, autojunk=False).get_opcodes():
        out.append(origin.of(i1, i2, len(built)) if tag == "equal" else accepted[j1:j2])
    return "".join(out)


class _Origin:
    """Which source characters each stretch of the built text came from."""

    def __init__(self, source: str, built: str):
        self.source = source
        self.built = built
        # (built start, built end, source start, source end, equal)
        self.segments = [(b1, b2, s1, s2, tag == "equal") for tag, s1, s2, b1, b2 in
                         SequenceMatcher(None, source, built, autojunk=False).get_opcodes()]

    def of(self, start: int, end: int, total: int) -> str:
        """The source of built[start:end]: typographic changes wholly inside it are
        undone; one cut by the stretch's edge keeps its typeset characters."""
        out = []
        for b1, b2, s1, s2, equal in self.segments:
            if b1 == b2:  # source characters typography removed: they go with what follows
                if start <= b1 < end or (b1 == end == total):
                    out.append(self.source[s1:s2])
                continue
            lo, hi = max(start, b1), min(end, b2)
            if lo >= hi:
                continue
            if equal:
                out.append(self.source[s1 + lo - b1 : s1 + hi - b1])
            elif lo == b1 and hi == b2:
                out.append(self.source[s1:s2])
            else:
                out.append(self.built[lo:hi])
        return "".join(out)
