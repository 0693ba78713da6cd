"""Release: a distribution set assembled, hashed and verified in `dist/<edition>/`.

assemble.py    screen, print and archive files, the ZIPs, the manifest and README.txt
docx_pages.py  the DOCX's page numbers as LibreOffice lays them out
lo_layout.py   the script LibreOffice's own Python runs for docx_pages (python3-uno)

A room on top of the stages: may import the engine, render, content, translations,
files; nothing imports it but the cli.
"""
