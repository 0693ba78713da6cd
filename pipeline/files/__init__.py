"""Files in and out, safely: the floor every stage stands on.

output.py   atomic writes (a good file is never replaced by a broken one), folders replaced in
            one step, and the build lock
zips.py     zip archives whose bytes depend on their entries only (DOCX packages, release bundles)
safexml.py  XML from outside the project (XLIFF, SVG, DOCX parts) parsed without its dangers
safezip.py  zip archives from outside (a reviewed DOCX) read into memory within limits, never extracted
confine.py  where a path from content really leads (links followed), and whether it stays in its folder

May import: the standard library, `pipeline.errors`. Nothing else of the pipeline.
"""
