"""Parse XML from outside the project (XLIFF files, SVG pictures) without its dangers.

defusedxml, with every DTD refused: neither format needs one, and a DOCTYPE is how
entity expansion ("billion laughs") and external entities (`file:///etc/passwd`) get in.
Callers turn `RefusedXML` into their own one-line message.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET


class RefusedXML(Exception):
    """Why the XML was refused: `doctype`, `entities` or `malformed` (with its position)."""

    def __init__(self, kind: str, detail: str = "", line: int = 0, column: int = 0):
        super().__init__(detail or kind)
        self.kind, self.detail, self.line, self.column = kind, detail, line, column


def parse(data: bytes) -> ET.Element:
    """The root element of `data`; RefusedXML for a DOCTYPE, entities or malformed XML."""
    import defusedxml
    from defusedxml.ElementTree import fromstring

    try:
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden:
        raise RefusedXML("doctype") from None
    except (defusedxml.EntitiesForbidden, defusedxml.ExternalReferenceForbidden):
        raise RefusedXML("entities") from None
    except ET.ParseError as exc:
        line, column = exc.position
        raise RefusedXML("malformed", re.sub(r": line \d+, column \d+$", "", str(exc)), line, column) from None
