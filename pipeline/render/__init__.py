"""Render: a `Project` composed into document models, and each model into a format.

compose.py      validated content -> `Document` models, typography applied once
typography.py   language-aware typography (quotes, spaces, no-break rules)
html.py         a `Document` as print-ready HTML (Jinja templates), the PDF's input
sandbox.py      the Jinja sandbox every template runs in, and the check of a theme's templates
pdf.py          HTML -> tagged PDF with WeasyPrint, strict and reproducible
breaks.py       the print editor's line-breaking rules, applied inside WeasyPrint's line layout
native.py       WeasyPrint imported without gcc probing for its C libraries
pdf_compress.py large PDF streams (the print profile) compressed once per process, same bytes
pdf_finish.py   the finishing passes: tags (all), print (PDF/X-4) and archive (PDF/A-2u)
pdf_tags.py     WeasyPrint's tagging completed: artifacts, a whole tree, link descriptions
pdf_marks.py    a page's marked-content sequences read and rewritten (fast on WeasyPrint's streams)
docx.py         a `Document` as an editable Word file, with its helpers:
                docx_styles.py, docx_fields.py, docx_media.py, docx_bidi.py, raster.py,
                docx_anchors.py (which field each text came from, for `pipeline review`)

Each format consumes the same `pipeline.content.model.Document`. May import
`pipeline.content`, `pipeline.files`, `pipeline.checks` (the rules' shared limits),
`pipeline.errors`, `pipeline.paths` and the package root; never engine, translations,
release, preview or cli.
"""
