"""Translations: what each translation was made from, what is stale, and XLIFF both ways.

fields.py     the translatable fields of a language, in file order
record.py     for every translated text, the reference-language text it translates
align.py      each reference field paired with its translation, current or not
status.py     current, stale, missing and obsolete fields per language
accept.py     a translator confirms a language matches today's reference text
xliff.py      XLIFF 2.0 written and read (hardened parsing)
export.py     `pipeline translations --export`
importer.py   `pipeline translations --import`: checked, then written
yamlwrite.py  round-trip YAML edits that change only the edited values

May import `pipeline.content`, `pipeline.render.typography`, `pipeline.files`,
`pipeline.errors`; never engine, release, preview or cli.
"""
