"""Editions: an edition's history, what changed since the last one, and who signed it off.

log.py       the editions log (content/editions.yaml): what each final release was made from
gitsource.py the content as it stood at a git commit, read in one `git archive`
sources.py   a whole edition's text as data: today's, a git ref's, or a release set's snapshot
diff.py      field by field and word by word: what changed between two editions' text
changes.py   `pipeline changes`: which edition to compare with, the report as text or JSON
redline.py   the redline PDF: changed documents as they now stand, changes marked in place
signoff.py   `pipeline signoff`: sign-off records, their status, and the release gate
notes.py     what a release set says of its history: manifest record, README notes, snapshot

A room on top of the stages: may import content, render, engine, translations, files.
The release calls it (gate, manifest, README.txt, snapshot); only release and the cli
import it.
"""
