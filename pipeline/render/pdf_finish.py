"""Finish a WeasyPrint PDF: its tagging completed for every variant (PDF/UA-1, see
`pipeline.render.pdf_tags`), then made ready for the print shop (PDF/X-4) and the
archive (PDF/A-2u).

WeasyPrint writes the variant's skeleton (XMP identification, output intent, trim and
bleed boxes); what a print shop and an archive still need is added here, on the
written file, with pikepdf:

* **Crop marks in a slug.** WeasyPrint's `marks: crop` draws the marks inside the
  bleed, where the cover's navy background hides them. Instead the page's MediaBox is
  enlarged by a slug around the bleed, the page artwork is clipped to the BleedBox, and
  the marks are drawn in the white slug, in registration colour (`/Separation /All`),
  starting 1 mm beyond the bleed so they never touch the artwork.
* **PDF/X-4.** The CMYK output intent is named as registered (FOGRA39); DeviceRGB
  colours are made colour-managed with a DefaultRGB (sRGB) colour space; the
  `GTS_PDFXVersion` key also goes in the document information; links are removed
  (annotations have no place on a printed page: `pdf_tags` turns their tags into plain
  text); and the XMP document id, which WeasyPrint draws at random, is derived from
  the file's content, so two renders of the same document stay byte-identical.
* **PDF/A.** The archive copy carries the edition's document control in its XMP:
  reference code (`dc:identifier`), edition date, publisher, language, classification
  and edition label and status.

The /ID is recomputed from the content (`deterministic_id`), never from the clock.
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
from importlib.resources import files

import pikepdf

from pipeline.content.model import Approval, Document
from pipeline.render.pdf_tags import complete_tags

MM = 72 / 25.4

# Crop marks: they start this far outside the trim (1 mm beyond the 3 mm bleed), are
# this long and this thick; the slug around the trim holds them with room to spare.
MARK_OFFSET_MM = 4.0
MARK_LENGTH_MM = 6.0
MARK_WIDTH_PT = 0.25
SLUG_MM = 12.0

# The printing condition of templates/icc/FOGRA39L_coated.icc, as the ICC registry
# names it (the print shop matches on the identifier).
OUTPUT_CONDITION = {
    "OutputConditionIdentifier": "FOGRA39",
    "RegistryName": "http://www.color.org",
    "OutputCondition": ("Offset printing, according to ISO 12647-2:2004/Amd 1, OFCOM, paper type 1 or 2 "
                        "= coated art, 115 g/m2, tone value increase curves A (CMY) and B (K)"),
    "Info": "Coated FOGRA39 (ISO 12647-2:2004)",
}
PDFX_VERSION = "PDF/X-4"

_REGISTRATION = "/PipelineRegistration"
_DOCUMENT_ID = re.compile(rb"xmp\.did:[0-9a-f-]{36}")


def finish(data: bytes, doc: Document) -> bytes:
    """`data` (WeasyPrint's PDF of `doc`) made ready for its variant: its tagging
    completed (`pipeline.render.pdf_tags`), then what print and archive files need."""
    layout = doc.layout
    with pikepdf.open(io.BytesIO(data)) as pdf:
        # Print files keep their tags (a tagged PDF/X-4 is still PDF/UA-1) but no links.
        complete_tags(pdf, doc, links=layout.variant != "print")
        if layout.variant == "print":
            _stable_document_id(pdf)
        if layout.print_mode:
            add_crop_marks(pdf)
        if layout.variant == "print":
            _pdfx(pdf)
        elif layout.variant == "archive":
            _archive_metadata(pdf, doc)
            _signoff_metadata(pdf, doc)
        # Both halves of the /ID from what is saved (WeasyPrint's first half hashed the
        # file before these changes).
        del pdf.trailer["/ID"]
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    return out.getvalue()


# --- crop marks -----------------------------------------------------------------------


def add_crop_marks(pdf: pikepdf.Pdf) -> None:
    """Give every page a slug outside its bleed and draw crop marks there."""
    for page in pdf.pages:
        trim = [float(v) for v in page.obj.get("/TrimBox", page.mediabox)]
        bleed = [float(v) for v in page.obj.get("/BleedBox", trim)]
        slug = SLUG_MM * MM
        page.obj.MediaBox = pikepdf.Array([trim[0] - slug, trim[1] - slug, trim[2] + slug, trim[3] + slug])
        # The artwork stops at the bleed edge: nothing WeasyPrint drew may reach the slug.
        clip = f"q {bleed[0]:.3f} {bleed[1]:.3f} {bleed[2] - bleed[0]:.3f} {bleed[3] - bleed[1]:.3f} re W n\n"
        page.contents_add(pikepdf.Stream(pdf, clip.encode()), prepend=True)
        page.contents_add(pikepdf.Stream(pdf, b"Q\n" + _marks_stream(trim)), prepend=False)
        _colour_spaces(pdf, page)[_REGISTRATION] = _registration_space(pdf)


def mark_segments(trim: list[float]) -> list[tuple[float, float, float, float]]:
    """The eight crop-mark lines (x1, y1, x2, y2) around a trim box, in points."""
    x0, y0, x1, y1 = trim
    near, far = MARK_OFFSET_MM * MM, (MARK_OFFSET_MM + MARK_LENGTH_MM) * MM
    segments = []
    for x, sx in ((x0, -1), (x1, 1)):
        for y, sy in ((y0, -1), (y1, 1)):
            segments.append((x + sx * near, y, x + sx * far, y))  # along the trim's horizontal edge
            segments.append((x, y + sy * near, x, y + sy * far))  # along its vertical edge
    return segments


def _marks_stream(trim: list[float]) -> bytes:
    lines = [f"{ax:.3f} {ay:.3f} m {bx:.3f} {by:.3f} l S" for ax, ay, bx, by in mark_segments(trim)]
    # An artifact of the page (production aids: ISO 32000-1, 14.8.2.2): marks are not
    # content, for readers of a tagged file.
    return ("/Artifact <</Type /Page>> BDC q\n"
            f"{_REGISTRATION} CS 1 SCN {MARK_WIDTH_PT} w 0 J\n" + "\n".join(lines) + "\nQ EMC\n").encode()


def _colour_spaces(pdf: pikepdf.Pdf, page: pikepdf.Page) -> pikepdf.Dictionary:
    resources = page.obj.Resources
    if "/ColorSpace" not in resources:
        resources.ColorSpace = pdf.make_indirect(pikepdf.Dictionary())
    return resources.ColorSpace


def _registration_space(pdf: pikepdf.Pdf) -> pikepdf.Array:
    """`/Separation /All`: registration colour, printed on every plate."""
    tint = pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[0, 0, 0, 0], C1=[1, 1, 1, 1], N=1)
    return pikepdf.Array([pikepdf.Name.Separation, pikepdf.Name.All, pikepdf.Name.DeviceCMYK, tint])


# --- PDF/X-4 ------------------------------------------------------------------------


def _stable_document_id(pdf: pikepdf.Pdf) -> None:
    """Replace WeasyPrint's random XMP document id (PDF/X-4) with one derived from the
    metadata and the page contents, so the same document always gets the same id."""
    stream = pdf.Root.get("/Metadata")
    if stream is None:
        return
    xmp = stream.read_bytes()
    digest = hashlib.sha256(_DOCUMENT_ID.sub(b"", xmp))
    for page in pdf.pages:
        for contents in page.obj.Contents.as_list() if isinstance(page.obj.Contents, pikepdf.Array) \
                else [page.obj.Contents]:
            digest.update(contents.read_bytes())
    stable = uuid.UUID(bytes=digest.digest()[:16], version=4)
    stream.write(_DOCUMENT_ID.sub(b"xmp.did:" + str(stable).encode(), xmp))


def _pdfx(pdf: pikepdf.Pdf) -> None:
    for intent in pdf.Root.get("/OutputIntents", []):
        for key, value in OUTPUT_CONDITION.items():
            intent[f"/{key}"] = pikepdf.String(value)
    pdf.docinfo["/GTS_PDFXVersion"] = pikepdf.String(PDFX_VERSION)
    srgb = pdf.make_stream((files("weasyprint.pdf") / "sRGB2014.icc").read_bytes(), N=3)
    default_rgb = pikepdf.Array([pikepdf.Name.ICCBased, srgb])
    for page in pdf.pages:
        _colour_spaces(pdf, page)["/DefaultRGB"] = default_rgb
        if "/Annots" in page.obj:
            del page.obj["/Annots"]


# --- PDF/A --------------------------------------------------------------------------


def _archive_metadata(pdf: pikepdf.Pdf, doc: Document) -> None:
    """Document control in the XMP, in properties of PDF/A's predefined schemas."""
    meta = doc.meta
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        xmp["dc:identifier"] = meta.reference
        xmp["dc:date"] = [meta.date.isoformat()]
        xmp["dc:publisher"] = {meta.author}
        xmp["dc:language"] = {meta.locale}
        xmp["dc:rights"] = meta.classification
        xmp["xmp:Label"] = f"{meta.edition_label} · {meta.status}"


def _signoff_metadata(pdf: pikepdf.Pdf, doc: Document) -> None:
    """The sign-offs current for the document's text (content/signoffs.yaml), as
    `dc:contributor` entries: a predefined PDF/A property, so no extension schema is needed."""
    if not doc.approvals:
        return
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        # A list in a fixed order (pikepdf writes the rdf:Bag the property is): a set's order
        # changes from process to process, and the archive file must not.
        xmp["dc:contributor"] = sorted({approval_record(a) for a in doc.approvals})


def approval_record(approval: Approval) -> str:
    """`Jane Doe; Reviser; 2026-11-20; sha256:<fingerprint>`: who approved which text, in
    which role, when (no words of any language: the role is the signatory's own)."""
    parts = [approval.by, approval.role, approval.date.isoformat(), f"sha256:{approval.fingerprint}"]
    return "; ".join(part for part in parts if part)
