"""`pipeline fmt`: content files in the house quoting and indentation, without a change of meaning.

canonical.py  one YAML text made canonical: misread texts quoted, each text plain or in
              double quotes, block indentation of 2 (lists: dash at 2, content at 4);
              comments, order, flow lists and every other byte kept
rewrite.py    which files are content files; `--check` lists those it would change,
              otherwise each changed file is replaced atomically

A room on top of the stages, beside release and preview: may import content (the
loader, which finds the misread texts), files and errors; nothing imports it but the cli.
"""
