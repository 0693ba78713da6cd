"""Content: everything under `content/`, read, checked and turned into a `Project`.

loader.py         YAML read safely, with the line of every value; no meaning checked
schema.py         what each content file may hold (pydantic), every problem located
project.py        the whole tree loaded into a validated `Project` (`load_project`)
validate.py       cross-file rules no single file's schema can see
packs.py          briefing packs: their rules across edition.yaml and the strings, their listing
glyphs.py         fonts branding names that are not installed, characters they cannot print
assets.py         pictures located, confined to content/assets/ and sniffed
theme.py          the theme folder (`templates:`) confined to the content folder, bounded, listed
limits.py         every size limit of an input (files, texts, topics, XLIFF, theme), and why
links.py          inline link syntax and allowed targets
model.py          the document model every renderer consumes (no I/O)
stats.py          word counts and edit dates for `validate` and `list`
schema_export.py  JSON Schemas of the content files, for editors
scaffold.py       `pipeline new`: a topic's skeleton in every language

The lowest stage: may import `pipeline.files`, `pipeline.errors`, `pipeline.paths`
and the package root; never render, engine, translations, release, preview or cli.
"""
