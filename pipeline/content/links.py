"""Inline links in content text: their syntax, which targets are allowed, and their print form.

Writers type `[text](https://example.org/page)` in running text. Only `https:` and
`mailto:` targets are accepted: a `javascript:` or `file:` target would be an attack
on whoever clicks the PDF or DOCX, `http:` is unencrypted, and a relative path means
nothing in a file handed out by e-mail. A URL is never put through typography (French
spacing before `:` would break `https://`), so the parser hides each target before the
text is typeset and restores it afterwards (`pipeline.render.typography.parse_inline`).

No imports from the rest of the pipeline: the schema, typography and the templates use it.
"""

from __future__ import annotations

import re

# `[text](target)`: no brackets or line breaks in the text, no parentheses or spaces in
# the target (encode them as %28 %29 %20).
LINK = re.compile(r"\[(?P<text>[^\[\]\n]+)\]\((?P<url>[^()\s]*)\)")

# Anything that starts like a link, whether or not it is a well-formed one: what the
# check looks at, so that `[x](javascript:alert(1))` is refused, not printed as text.
_LINK_START = re.compile(r"\[[^\[\]\n]+\]\((?P<url>[^)\s]*)")

# A web address on a named host, or an e-mail address.
_HTTPS = re.compile(r"https://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(:\d{1,5})?([/?#][^\s<>\"]*)?")
_MAILTO = re.compile(r"mailto:[^@\s<>\"?]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(\?[^\s<>\"]*)?")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")


def link_problem(url: str) -> str | None:
    """Why `url` cannot be a link target, or None when it can."""
    shown = url if len(url) <= 60 else url[:57] + "..."
    scheme = _SCHEME.match(url)
    name = scheme.group(1).lower() if scheme else ""
    if name not in ("https", "mailto"):
        what = f"uses {name}:" if name else "is not an address"
        return f"link target '{shown}' {what}; only https:// and mailto: links are allowed"
    if name == "https" and not _HTTPS.fullmatch(url):
        return f"link target '{shown}' is not a valid web address (https://host.domain/path)"
    if name == "mailto" and not _MAILTO.fullmatch(url):
        return f"link target '{shown}' is not a valid e-mail link (mailto:name@example.org)"
    return None


def has_link(text: str) -> bool:
    """Whether a text holds something written as a link (well-formed or not)."""
    return _LINK_START.search(text) is not None


def problems_in(text: str) -> list[str]:
    """What is wrong with the links of a text: one message per refused link."""
    problems = []
    for start in _LINK_START.finditer(text):
        link = LINK.match(text, start.start())
        problem = link_problem(link.group("url") if link else start.group("url"))
        if problem is None and link is None:
            shown = start.group(0) if len(start.group(0)) <= 60 else start.group(0)[:57] + "..."
            problem = (f"link '{shown}' does not end with ')' right after its address: write "
                       "[text](address), with %20, %28, %29 for a space or brackets in the address")
        if problem:
            problems.append(problem)
    return problems


def short_form(url: str) -> str:
    """How a link prints on paper: `https://www.example.org/report/` -> `example.org/report`,
    `mailto:unit@example.org` -> `unit@example.org`."""
    if url.startswith("mailto:"):
        return url.removeprefix("mailto:").split("?", 1)[0]
    short = url.removeprefix("https://").removeprefix("www.")
    return short.rstrip("/")


# --- what a link says it leads to (PDF /Contents, DOCX tooltip) --------------------------


def describe_page(label: str, title: str, page: int) -> str:
    """A link to a place in the document, as the language's `link_page` label says it:
    `"{title}, page {page}"` -> `Organised crime, page 13`."""
    return label.format(title=" ".join(title.split()), page=page)


def describe_address(label: str, text: str, url: str) -> str:
    """A link to a web or e-mail address, as the language's `link_address` label says it
    (`"{text} ({address})"` -> `the port study (example.org/study)`); just the address
    when the link's text already is it."""
    address = short_form(url)
    text = " ".join(text.split())
    if not text or text in (address, url):
        return address
    return label.format(text=text, address=address)
