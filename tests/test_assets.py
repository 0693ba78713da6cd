"""Unsafe or broken rich content is refused by `pipeline validate`, before any rendering.

Each case edits a copy of `tests/fixtures/rich` (a picture, a YAML value), then checks
the exact `file:line: field: message` line of `pipeline validate`, exit status 1, no
traceback, and that `pipeline build` writes no output at all. Then: pictures and the
incremental build, links in XLIFF, and the translatable fields of the new blocks.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from pipeline.content import assets, links
from pipeline.content.project import load_project
from pipeline.errors import BuildError
from pipeline.render.typography import Typographer, parse_inline

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "rich"
XLIFF = "urn:oasis:names:tc:xliff:document:2.0"

# Where the fixture's figures are named (en/ports.yaml): the chart and the photo.
CHART = "en/ports.yaml:11: sections[0].blocks[1].figure.src"
PHOTO = "en/ports.yaml:40: sections[1].blocks[2].figure.src"
DIAGRAM = "en/networks.yaml:9: sections[0].blocks[1].figure.src"
SVG_HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">'


@pytest.fixture
def rich_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(FIXTURE, target, symlinks=True)
    return target


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def src(value: str):
    return lambda root: edit(root, "en/ports.yaml", "src: harbour.jpg", f"src: {value}")


def asset_bytes(name: str, data: bytes):
    return lambda root: (root / "assets" / name).write_bytes(data)


def svg(body: str, head: str = SVG_HEAD):
    return asset_bytes("chart.svg", f'<?xml version="1.0"?>\n{head}{body}</svg>\n'.encode())


def png_bytes(size: tuple[int, int], mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG")
    return out.getvalue()


def rotated_jpeg() -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.new("RGB", (40, 20), "navy").save(out, "JPEG", exif=exif)
    return out.getvalue()


def symlink_out(root: Path) -> None:
    outside = root.parent / "outside.jpg"
    shutil.copy(root / "assets" / "harbour.jpg", outside)
    (root / "assets" / "harbour.jpg").unlink()
    (root / "assets" / "harbour.jpg").symlink_to(outside)


def big_file(root: Path) -> None:
    with (root / "assets" / "harbour.jpg").open("r+b") as f:
        f.truncate(21 * 1024 * 1024)


CASES = [
    # (case id, change to the content copy, expected "file:line: field: message")
    ("dotdot", src("../edition.yaml"),
     f"{PHOTO}: '../edition.yaml' must stay inside content/assets/ (no '..', '.' or empty parts)"),
    ("absolute", src("/etc/hostname"),
     f"{PHOTO}: '/etc/hostname' must be a path relative to content/assets/ (no leading / or \\)"),
    ("url", src("https://example.org/harbour.jpg"),
     f"{PHOTO}: 'https://example.org/harbour.jpg' is a URL: name a file under content/assets/ instead"),
    ("missing", src("port.jpg"), f"{PHOTO}: file not found: assets/en/port.jpg or assets/port.jpg"),
    ("symlink-out", symlink_out,
     f"{PHOTO}: assets/harbour.jpg links to a file outside content/assets/: copy the file in instead"),
    ("not-an-image", asset_bytes("harbour.jpg", b"<html><body>hello</body></html>"),
     f"{PHOTO}: assets/harbour.jpg is not a PNG, JPEG or SVG image (judged by its content): use PNG, JPEG or SVG"),
    ("gif", asset_bytes("harbour.jpg", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
     f"{PHOTO}: assets/harbour.jpg is a GIF image: use PNG, JPEG or SVG"),
    ("wrong-extension", asset_bytes("harbour.jpg", png_bytes((8, 8))),
     f"{PHOTO}: assets/harbour.jpg is a PNG image but its name ends in .jpg: rename it to harbour.png"),
    ("too-large-file", big_file, f"{PHOTO}: assets/harbour.jpg is 21.0 MB; the limit is 20 MB"),
    ("too-many-pixels", asset_bytes("network.png", png_bytes((10000, 6000), "1")),
     f"{DIAGRAM}: assets/network.png is 10000 x 6000 pixels (60 megapixels); the limit is 50 megapixels"),
    ("damaged", asset_bytes("network.png", (FIXTURE / "assets" / "network.png").read_bytes()[:200]),
     f"{DIAGRAM}: assets/network.png is a damaged PNG file ("),
    ("rotated-jpeg", asset_bytes("harbour.jpg", rotated_jpeg()),
     f"{PHOTO}: assets/harbour.jpg asks to be rotated on display (EXIF orientation 6): save it upright"),
    ("svg-script", svg("<script>alert(1)</script>"), f"{CHART}: assets/chart.svg contains a script: remove it"),
    ("svg-external-image", svg('<image href="https://example.org/x.png" width="5" height="5"/>'),
     f"{CHART}: assets/chart.svg refers to 'https://example.org/x.png' outside itself: "
     "only references inside the file (#id) are allowed"),
    ("svg-local-file", svg('<image xlink:href="file:///etc/passwd" width="5" height="5"/>'),
     f"{CHART}: assets/chart.svg refers to 'file:///etc/passwd' outside itself: "
     "only references inside the file (#id) are allowed"),
    ("svg-entities", svg("<text>&x;</text>", head='<!DOCTYPE svg [<!ENTITY x "boom">]>' + SVG_HEAD),
     f"{CHART}: assets/chart.svg has a DOCTYPE (entity declarations can expand without limit or "
     "read local files): remove it"),
    ("svg-event-handler", svg('<rect width="5" height="5" onclick="alert(1)"/>'),
     f"{CHART}: assets/chart.svg has an event handler (onclick=...): remove it"),
    ("svg-foreign-object", svg("<foreignObject><div>x</div></foreignObject>"),
     f"{CHART}: assets/chart.svg embeds HTML (<foreignObject>): remove it"),
    ("svg-style-import", svg("<style>@import url(https://example.org/a.css);</style>"),
     f"{CHART}: assets/chart.svg has a style that loads another file: keep everything inside the SVG"),
    ("svg-url-attribute", svg('<rect width="5" height="5" fill="url(https://example.org/p.svg#g)"/>'),
     f"{CHART}: assets/chart.svg refers to a file or address in fill=...: only url(#id) is allowed"),
    ("svg-no-size", svg("", head='<svg xmlns="http://www.w3.org/2000/svg">'),
     f"{CHART}: assets/chart.svg does not say its size: give its <svg> a viewBox (or width and height)"),
    ("svg-not-svg", asset_bytes("chart.svg", b'<?xml version="1.0"?>\n<html><body/></html>\n'),
     f"{CHART}: assets/chart.svg is not a PNG, JPEG or SVG image (judged by its content): use PNG, JPEG or SVG"),
    ("missing-alt", lambda root: edit(root, "en/ports.yaml",
                                      "          alt: A container ship at a quay under a crane, at dusk.\n", ""),
     "en/ports.yaml:40: sections[1].blocks[2].figure.alt: field required: every figure needs a text "
     "alternative, in every language (what it shows)"),
    ("missing-alt-fr", lambda root: edit(root, "fr/ports.yaml",
                                         "          alt: Un porte-conteneurs à quai sous une grue, au crépuscule.\n",
                                         ""),
     "fr/ports.yaml:40: sections[1].blocks[2].figure.alt: field required: every figure needs a text "
     "alternative, in every language (what it shows)"),
    ("empty-alt", lambda root: edit(root, "en/ports.yaml", "alt: A container ship at a quay under a crane, at dusk.",
                                    'alt: ""'),
     "en/ports.yaml:41: sections[1].blocks[2].figure.alt: must not be empty"),
    ("javascript-link", lambda root: edit(root, "en/ports.yaml", "grew in every port",
                                          "grew in [every port](javascript:alert(1))"),
     "en/ports.yaml:9: sections[0].blocks[0]: link target 'javascript:alert(1' uses javascript:; "
     "only https:// and mailto: links are allowed"),
    ("file-link", lambda root: edit(root, "en/ports.yaml", "grew in every port", "grew in [every port](file:///etc)"),
     "en/ports.yaml:9: sections[0].blocks[0]: link target 'file:///etc' uses file:; "
     "only https:// and mailto: links are allowed"),
    ("relative-link", lambda root: edit(root, "en/ports.yaml", "training port staff",
                                        "training [port staff](staff.html)"),
     "en/ports.yaml:33: sections[1].blocks[0].list.items[1]: link target 'staff.html' is not an address; "
     "only https:// and mailto: links are allowed"),
    ("http-link", lambda root: edit(root, "en/ports.yaml", "https://example.org/portal", "http://example.org/portal"),
     "en/ports.yaml:32: sections[1].blocks[0].list.items[0]: link target 'http://example.org/portal' uses http:; "
     "only https:// and mailto: links are allowed"),
    ("bad-https-link", lambda root: edit(root, "en/ports.yaml", "https://example.org/portal", "https://portal"),
     "en/ports.yaml:32: sections[1].blocks[0].list.items[0]: link target 'https://portal' is not a valid web "
     "address (https://host.domain/path)"),
    ("link-in-title", lambda root: edit(root, "en/ports.yaml", "title: Port crime",
                                        "title: Port [crime](https://example.org)"),
     "en/ports.yaml:2: title: a link [text](...) is not allowed here: this field is plain text "
     "(links belong in running text: paragraphs, list items, captions, table cells)"),
    ("short-row", lambda root: edit(root, "en/ports.yaml", '[Betahaven, "3,400", "-5%"]', '[Betahaven, "3,400"]'),
     "en/ports.yaml:21: sections[0].blocks[2].table.rows[1]: 2 cells, but the header has 3 columns"),
    ("short-align", lambda root: edit(root, "en/ports.yaml", "align: [start, end, end]", "align: [start, end]"),
     "en/ports.yaml:18: sections[0].blocks[2].table.align: 2 values, but the header has 3 columns"),
    ("decimal-cell", lambda root: edit(root, "en/ports.yaml", "[Gammaville, 870,", "[Gammaville, 8.7,"),
     "en/ports.yaml:22: sections[0].blocks[2].table.rows[2][1]: write a number with decimals as text, in the "
     "language's own form (\"3.5\" in English, \"3,5\" in French)"),
    ("table-shape-differs", lambda root: edit(root, "fr/ports.yaml", '            - [Gammaville, 870, "+40 %"]\n', ""),
     "fr/ports.yaml:15: sections[0].blocks[2].table: differs from en: 2 rows x 3 columns, aligned start end end "
     "here, 3 rows x 3 columns, aligned start end end in content/en/ports.yaml:15"),
    ("figure-differs", lambda root: edit(root, "fr/ports.yaml", "width: 60", "width: 50"),
     "fr/ports.yaml:39: sections[1].blocks[2].figure: differs from en: figure harbour.jpg at 50% of the column "
     "here, figure harbour.jpg at 60% of the column in content/en/ports.yaml:39"),
    ("emoji", lambda root: edit(root, "en/ports.yaml", "grew in every port", "grew \U0001F4C8 in every port"),
     "en/ports.yaml:9: sections[0].blocks[0]: character U+1F4C8 (CHART WITH UPWARDS TREND) is in none of the "
     "branding fonts (Noto Serif, Noto Sans): remove it or write it in words"),
    ("logo-outside", lambda root: edit(root, "branding.yaml", "logo: logo.svg", "logo: ../logo.svg"),
     "branding.yaml:18: logo: '../logo.svg' must stay inside content/assets/ (no '..', '.' or empty parts)"),
    ("logo-script", asset_bytes("logo.svg", f'{SVG_HEAD}<script>alert(1)</script></svg>'.encode()),
     "branding.yaml:18: logo: assets/logo.svg contains a script: remove it"),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_unsafe_or_broken_content_is_refused_before_rendering(case, rich_copy, tmp_path, run_cli):
    _, change, expected = case
    change(rich_copy)
    result = run_cli("--content", rich_copy, "validate")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line.removeprefix("Error: ") for line in result.stderr.splitlines()]
    full = f"{rich_copy}/{expected}"
    assert any(line == full or (full.endswith("(") and line.startswith(full)) for line in lines), result.stderr
    assert lines[-1].endswith("found")
    # Nothing is rendered, nothing written.
    build_dir = tmp_path / "build"
    result = run_cli("--content", rich_copy, "--build-dir", build_dir, "build", "--jobs", "1")
    assert result.exit_code == 1
    assert not [p for p in build_dir.rglob("*") if p.suffix in (".pdf", ".docx")] if build_dir.exists() else True


def test_a_shared_logo_problem_is_reported_once(rich_copy, run_cli):
    edit(rich_copy, "branding.yaml", "logo: logo.svg", "logo: ../logo.svg")
    result = run_cli("--content", rich_copy, "validate")
    assert result.stderr.count("branding.yaml:18: logo:") == 1


def test_a_language_override_is_checked_and_used(rich_copy):
    (rich_copy / "assets" / "fr" / "chart.svg").write_text("<svg/>", encoding="utf-8")  # no namespace, no size
    with pytest.raises(Exception, match=r"fr/ports.yaml:11: sections\[0\].blocks\[1\].figure.src: assets/fr/chart.svg "
                                        r"is not an SVG image"):
        load_project(rich_copy)
    project = load_project(FIXTURE)
    assert project.assets[("fr", "chart.svg")].path == (FIXTURE / "assets" / "fr" / "chart.svg").resolve()
    assert project.assets[("en", "chart.svg")].path == (FIXTURE / "assets" / "chart.svg").resolve()
    assert project.assets[("fr", "harbour.jpg")] == project.assets[("en", "harbour.jpg")]


def test_symlinks_inside_assets_are_followed(rich_copy):
    (rich_copy / "assets" / "harbour.jpg").rename(rich_copy / "assets" / "photo.jpg")
    (rich_copy / "assets" / "harbour.jpg").symlink_to("photo.jpg")
    asset = load_project(rich_copy).assets[("en", "harbour.jpg")]
    assert asset.path.name == "photo.jpg" and asset.kind == "jpeg" and (asset.width, asset.height) == (640, 400)


def test_svg_size_comes_from_width_height_or_viewbox(tmp_path):
    cases = {
        'width="30mm" height="10mm"': (30 * 96 / 25.4, 10 * 96 / 25.4),
        'viewBox="0 0 200 50"': (200, 50),
        'width="100" viewBox="0 0 200 50"': (100, 25),
        'width="100%" height="100%" viewBox="0,0,40,30"': (40, 30),
    }
    for attributes, size in cases.items():
        path = tmp_path / "x.svg"
        path.write_text(f'<svg xmlns="http://www.w3.org/2000/svg" {attributes}/>', encoding="utf-8")
        asset = assets.inspect(path, "x.svg")
        assert (asset.width, asset.height) == pytest.approx(size), attributes


# --- rendering guards ---------------------------------------------------------------------------


def test_the_pdf_fetcher_serves_only_the_documents_own_pictures():
    from pipeline.render import pdf

    project = load_project(FIXTURE)
    chart, photo = project.assets[("en", "chart.svg")], project.assets[("en", "harbour.jpg")]
    fetcher = pdf._safe_fetcher(assets=(chart,))
    response = fetcher.fetch(chart.path.as_uri())
    assert response.content_type == "image/svg+xml" and response.read() == chart.path.read_bytes()
    with pytest.raises(pdf.UnsafeResourceError, match="refused to load"):
        fetcher.fetch(photo.path.as_uri())
    assert fetcher.refused


def test_a_picture_changed_after_it_was_checked_fails_the_build(rich_copy):
    from pipeline.render.compose import compose_factsheet
    from pipeline.render.pdf import render_pdf

    doc = compose_factsheet(load_project(rich_copy), "en", "networks")
    Image.new("RGB", (80, 48), "red").save(rich_copy / "assets" / "network.png")
    with pytest.raises(BuildError, match=r"network\.png changed during the build: build again"):
        render_pdf(doc)


# --- incremental builds ------------------------------------------------------------------------


def built(result) -> set[str]:
    return {line.split()[1] for line in result.stdout.splitlines() if line.startswith("built ")}


@pytest.mark.slow
def test_changing_a_picture_rebuilds_exactly_the_documents_that_show_it(rich_copy, tmp_path, run_cli):
    # DOCX only, to keep the test fast: a fingerprint hashes the document model (which
    # holds each picture's hash) and the format alike, so PDFs follow the same rule.
    def build() -> set[str]:
        result = run_cli("--content", rich_copy, "--build-dir", tmp_path / "build", "build", "--format", "docx",
                         "--jobs", "1")
        assert result.exit_code == 0, result.output
        return built(result)

    assert len(build()) == 6
    # The diagram is shown by the networks factsheet and the handbook, in both languages.
    Image.open(rich_copy / "assets" / "network.png").rotate(180).save(rich_copy / "assets" / "network.png")
    assert build() == {f"{lang}/{doc}.docx" for lang in ("en", "fr")
                       for doc in (f"factsheets/networks-{lang}", f"handbook-{lang}")}
    # The French chart (assets/fr/chart.svg) is shown by the French ports factsheet and handbook only.
    chart = rich_copy / "assets" / "fr" / "chart.svg"
    chart.write_text(chart.read_text(encoding="utf-8").replace("#B5472A", "#1F3A5F"), encoding="utf-8")
    assert build() == {"fr/factsheets/ports-fr.docx", "fr/handbook-fr.docx"}
    # An English version of the photo appears (assets/en/): the English documents showing it.
    (rich_copy / "assets" / "en").mkdir()
    out = io.BytesIO()
    Image.open(FIXTURE / "assets" / "harbour.jpg").transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(out, "JPEG")
    (rich_copy / "assets" / "en" / "harbour.jpg").write_bytes(out.getvalue())
    assert build() == {"en/factsheets/ports-en.docx", "en/handbook-en.docx"}
    # The logo is on every document.
    (rich_copy / "assets" / "logo.svg").write_text(
        (rich_copy / "assets" / "logo.svg").read_text(encoding="utf-8").replace("Test Unit", "Test Team"),
        encoding="utf-8")
    assert len(build()) == 6
    # Nothing changed: nothing rebuilt.
    assert build() == set()


# --- links, typography, translations -------------------------------------------------------------


def test_link_targets_are_checked_and_printed_short():
    assert links.link_problem("https://example.org/a?b=1#c") is None
    assert links.link_problem("mailto:unit@example.org") is None
    assert "uses ftp:" in links.link_problem("ftp://example.org")
    assert "not a valid e-mail link" in links.link_problem("mailto:nobody")
    assert links.short_form("https://www.example.org/report/") == "example.org/report"
    assert links.short_form("mailto:unit@example.org?subject=Hi") == "unit@example.org"


def test_word_counts_skip_addresses_and_settings():
    from pipeline.content.stats import count_words

    assert count_words({"text": "Read [the report](https://example.org/a-b/c) now."}) == 4
    assert count_words({"figure": {"src": "maps/port.png", "alt": "A map.", "width": 60}}) == 2
    assert count_words({"table": {"caption": "Two words", "align": ["start", "end"]}}) == 2


def test_typography_never_touches_an_address():
    french = Typographer(load_project(FIXTURE).languages["fr"].strings.typography)
    text = "Voir « [le rapport 2020-2021](https://example.org/a:b/2020-2021/12345?x=90%25) » : oui"
    spans = parse_inline(text, french)
    link = [s for s in spans if s.href]
    assert [s.href for s in link] == ["https://example.org/a:b/2020-2021/12345?x=90%25"]
    assert link[0].text == "le rapport 2020\u20132021"  # the text is typeset
    assert "".join(s.text for s in spans) == "Voir «\u00a0le rapport 2020\u20132021\u00a0»\u00a0: oui"


def test_new_blocks_are_translatable_field_by_field():
    from pipeline.translations.fields import fields_of

    loaded = load_project(FIXTURE).languages["en"].sources["ports"]
    kinds = {f.kind for f in fields_of("ports", loaded.data)}
    assert {"block.figure.alt", "block.figure.caption", "block.figure.credit", "block.table.caption",
            "block.table.header.#", "block.table.rows.#.#", "block.key_figure.source",
            "block.quote.source"} <= kinds
    assert not {k for k in kinds if k.endswith((".src", ".width", ".align", ".align.#"))}
    cells = [f.text for f in fields_of("ports", loaded.data) if f.kind == "block.table.rows.#.#"]
    assert "12,500" in cells and 870 not in cells and "870" not in cells  # a bare number is not translated


def export(content: Path, path: Path, run_cli) -> etree._ElementTree:
    result = run_cli("--content", content, "translations", "export", "--lang", "fr", "-o", path)
    assert result.exit_code == 0, result.output
    return etree.parse(str(path))


def test_links_survive_xliff_with_the_address_protected(rich_copy, tmp_path, run_cli):
    from translate.storage.xliff2 import Xliff2File

    path = tmp_path / "fr.xlf"
    tree = export(rich_copy, path, run_cli)
    unit = next(u for u in tree.iter(f"{{{XLIFF}}}unit") if u.get("id") == "ports:sections.1.blocks.0.list.items.0")
    data = {d.get("id"): d.text for d in unit.iter(f"{{{XLIFF}}}data")}
    (link,) = [pc for pc in unit.find(f".//{{{XLIFF}}}source").iter(f"{{{XLIFF}}}pc")]
    assert link.get("type") == "link" and link.text == "the port portal"
    assert data[link.get("dataRefEnd")] == "](https://example.org/portal)" and data[link.get("dataRefStart")] == "["
    assert "example.org" not in etree.tostring(unit.find(f".//{{{XLIFF}}}source")).decode()
    # An independent XLIFF 2 reader sees the unit and its text.
    store = Xliff2File.parsefile(str(path))
    assert "the port portal" in {u.getid(): u for u in store.units}["ports:sections.1.blocks.0.list.items.0"].source
    # Unchanged, everything imports unchanged.
    before = {p: p.read_bytes() for p in rich_copy.rglob("*.yaml")}
    for segment in tree.iter(f"{{{XLIFF}}}segment"):
        segment.set("state", "reviewed")
    target = unit.find(f".//{{{XLIFF}}}target")
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    assert run_cli("--content", rich_copy, "translations", "import", path).exit_code == 0
    assert {p: p.read_bytes() for p in rich_copy.rglob("*.yaml")} == before
    # A translator rewords the link's text: the YAML gets it with the English address.
    (pc,) = target.iter(f"{{{XLIFF}}}pc")
    target.text, pc.text = "le partage de données via ", "notre portail"
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    result = run_cli("--content", rich_copy, "translations", "import", path)
    assert result.exit_code == 0, result.output
    assert "- le partage de données via [notre portail](https://example.org/portal)\n" in \
        (rich_copy / "fr" / "ports.yaml").read_text(encoding="utf-8")
    # Dropping the link's code is refused, and changes nothing.
    target.remove(pc)
    target.text = "sans lien"
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    before = {p: p.read_bytes() for p in rich_copy.rglob("*.yaml")}
    result = run_cli("--content", rich_copy, "translations", "import", path)
    assert result.exit_code == 1
    assert "missing or broken inline codes: ports:sections.1.blocks.0.list.items.0 (inline code" in result.stderr
    assert {p: p.read_bytes() for p in rich_copy.rglob("*.yaml")} == before


def test_import_adds_a_figure_the_english_gained(rich_copy, tmp_path, run_cli):
    figure = ("      - figure:\n          src: network.png\n          alt: The hub diagram again.\n"
              "          width: 40\n")
    edit(rich_copy, "en/ports.yaml", "  - heading: What we do\n", f"{figure}  - heading: What we do\n")
    path = tmp_path / "fr.xlf"
    run_cli("--content", rich_copy, "translations", "export", "--lang", "fr", "--only-stale", "-o", path)
    tree = etree.parse(str(path))
    (unit,) = tree.iter(f"{{{XLIFF}}}unit")
    assert unit.get("id") == "ports:sections.0.blocks.4.figure.alt"  # src and width are not for translators
    segment = unit.find(f"{{{XLIFF}}}segment")
    segment.set("state", "translated")
    etree.SubElement(segment, f"{{{XLIFF}}}target").text = "Le schéma des pôles, à nouveau."
    tree.write(str(path), xml_declaration=True, encoding="UTF-8")
    result = run_cli("--content", rich_copy, "translations", "import", path)
    assert result.exit_code == 0, result.output
    added = load_project(rich_copy).languages["fr"].topics["ports"].sections[0].blocks[4].figure
    assert (added.src, added.width, added.alt) == ("network.png", 40, "Le schéma des pôles, à nouveau.")


def test_glyph_coverage_is_read_once_per_family():
    from pipeline.content.glyphs import coverage

    load_project(FIXTURE)
    before = coverage.cache_info()
    load_project(FIXTURE)
    after = coverage.cache_info()
    assert after.misses == before.misses and after.hits > before.hits
    assert ord("\u202f") in coverage("Noto Serif") and 0x1F4C8 not in coverage("Noto Serif")
