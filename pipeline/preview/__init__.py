"""`pipeline preview`: the pages of one document, every language side by side, live.

session.py  what is shown: load -> compose -> render the changed -> rasterise
worker.py   the warm render process (WeasyPrint imported once)
pages.py    PDF pages as PNG images (pdftoppm)
watch.py    file events under content/ and templates/ -> refreshes
server.py   the local HTTP server (127.0.0.1 only) and its event stream
page.html   the page: languages in columns, page n beside page n, errors above
"""
