"""How big each input may be: every size limit of the pipeline, in one place.

Content comes from many hands (editors, translators, designers), and an input far beyond
any real one is a mistake or an attack: a pasted 20 MB paragraph once kept `validate`
busy for minutes (PyYAML's scanner is pure Python, about 5 s a megabyte here), then the
build laid out over 200 pages (45 s) to find that it does not fit two. Each limit is checked as early
as it can be (a file's byte size before it is read or parsed) and is refused with one
located message. Each is chosen far above what real content needs, so that no real
edition meets one, and low enough that checking up to it stays fast.

Measured on the real edition (11 topics, English and French) when these were set:
the largest topic file is 2.6 KB (fr/terrorism.yaml), the longest text 432 characters,
the longest topic 2,118 characters of text, the translation record 28 KB.
"""

from __future__ import annotations

# Sizes are counted as people's tools show them: 1 KB = 1,024 bytes.
KB = 1024
MB = 1024 * KB

# --- content YAML files (checked by their byte size before they are read) ---------------

# A topic file: it must fit a two-page factsheet, which holds about FACTSHEET_CHARS
# characters (3 bytes each at most in UTF-8, plus keys and indentation): 100 KB is
# several times that and ~40 times today's largest topic file; it parses in ~0.5 s.
TOPIC_FILE_BYTES = 100 * KB

# Any other content file (edition, branding, glossary, strings, front matter, and the
# translation records, which grow with the edition: 28 KB for 11 topics, ~300 KB for
# 110). 1 MB parses in ~4 s, the worst `validate` can then spend on one file.
CONTENT_FILE_BYTES = 1 * MB

# --- texts (checked once parsed, on every text of every file, and on XLIFF targets) ------

# What a factsheet's two pages hold, measured (A4, the densest content: plain paragraphs):
# 7,165 characters of real French text (1,031 words) or 6,632 of one-letter words (3,296
# words). Characters predict it better than words, whose length varies with the language.
FACTSHEET_CHARS = 7_200

# One text (a paragraph, a list item, a label): twice what a factsheet's two pages hold
# (FACTSHEET_CHARS), 35 times the longest real one (432 characters). Tests use single
# paragraphs of up to 11,600 characters to make a factsheet run over two pages.
FIELD_CHARS = 15_000

# A topic's text in all (title, lead, every block): beyond this, its factsheet cannot fit
# two pages whatever the layout (almost 3 times FACTSHEET_CHARS, for narrow letters and
# scripts), so validate refuses it at once instead of the build after a long layout.
TOPIC_CHARS = 20_000

# --- files from outside the content folder ---------------------------------------------

# An XLIFF file for import: a full export of the real edition's French is 72 KB, one of
# 110 topics about 0.7 MB; 8 MB is more than 10 times that. Checked before the file is
# read: a 50 MB one took 89 s of CPU and 1.2 GB to import (its targets are planned,
# written and re-validated as YAML); refused by its size, it takes 0.4 s.
XLIFF_BYTES = 8 * MB

# A release set's manifest.json (`release --verify`): a real one lists about a hundred
# files (tens of KB); it is read whole, as JSON.
MANIFEST_BYTES = 5 * MB

# --- pictures (figures and the logo, under content/assets/: pipeline.content.assets) ------

# A picture file, and its pixels: far beyond any print picture (an A4 page at 300 dpi is
# 8.7 megapixels), small enough that decoding one stays within memory.
PICTURE_BYTES = 20 * MB
PICTURE_PIXELS = 50_000_000

# --- the theme folder (branding.yaml `templates:`) ------------------------------------------

# Files a build may use from it, by extension; anything else there (notes, sources of the
# artwork) is never read, not even to fingerprint it.
THEME_TEXT_EXTENSIONS = frozenset({".j2", ".css"})
THEME_BINARY_EXTENSIONS = frozenset({".svg", ".png", ".jpg", ".jpeg", ".woff", ".woff2", ".ttf", ".otf"})
THEME_EXTENSIONS = THEME_TEXT_EXTENSIONS | THEME_BINARY_EXTENSIONS

# A template or stylesheet: ours are at most 8 KB (style.css); 500 KB is 60 times that.
THEME_TEXT_BYTES = 500 * KB
# A font or picture: the limit of a content picture.
THEME_FILE_BYTES = PICTURE_BYTES
# Entries of the folder (files and folders, whatever their type): ours has 15.
THEME_FILES = 200
# All the files a build may use together: a few fonts and pictures.
THEME_BYTES = 50 * MB


def size_text(size: int) -> str:
    """A byte count as people read it: `600 KB`, `20.0 MB`."""
    return f"{size / MB:.1f} MB" if size >= MB else f"{max(1, round(size / KB))} KB"
