"""Review: a DOCX that came back from a reviewer, mapped back into the content, field by field.

package.py   the DOCX read defensively: zip limits, no `../` names, hardened XML parts
reader.py    WordprocessingML as a stream of text, revision marks, bookmarks and comment marks
comments.py  the comments and their replies (comments.xml, commentsExtended.xml)
mapping.py   each text of the stream given to its field (the anchors of render/docx_anchors)
compare.py   the reviewed fields against today's content: changes, untracked edits, conflicts
retype.py    an accepted text written back in the YAML's own characters (typography undone)
apply.py     `--apply`: accepted texts into the YAML, checked, then written atomically
report.py    the review as text or JSON

A room that calls the stages below it: may import `pipeline.translations`,
`pipeline.engine`, `pipeline.render`, `pipeline.content`, `pipeline.files`,
`pipeline.errors` and the package root; never release, preview or cli.
"""
