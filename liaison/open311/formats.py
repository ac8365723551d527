"""Open311's two formats, chosen by the resource's suffix (.json or .xml), and its error list.

JSON is UTF-8 without escapes; XML has the declaration with encoding="UTF-8", a root element per resource and
one child per item (`<service_requests><request>…</request></service_requests>`), lists inside an item as
repeated children (`<values><value>…</value></values>`), booleans as true/false and missing values as empty
elements. Errors are the spec's list of {code, description} (`<errors><error>…</error></errors>`), the code
being the HTTP status.
"""

import json
from xml.etree import ElementTree as ET

from django.http import HttpResponse

CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# A list's element name → its items' element name (XML).
ITEM_TAGS = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
    "services": "service",
    "service_requests": "request",
    "errors": "error",
}


class Open311Error(Exception):
    """A refusal in the spec's error format: 400 bad input, 403 api_key, 404 unknown resource."""

    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element, value, tag: str) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child, key)
    elif isinstance(value, list):
        item_tag = ITEM_TAGS.get(tag, "item")
        for child in value:
            _fill(ET.SubElement(element, item_tag), child, item_tag)
    else:
        element.text = _text(value)


def to_xml(root: str, body) -> bytes:
    element = ET.Element(root)
    _fill(element, body, root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, encoding="unicode").encode()


def render(fmt: str, root: str, body, status: int = 200) -> HttpResponse:
    """`body` (a list of items, or one dict for discovery and a service definition) as `fmt`; `root` names the
    XML root element."""
    if fmt == "xml":
        content = to_xml(root, body)
    else:
        content = json.dumps(body, ensure_ascii=False).encode()
    return HttpResponse(content, status=status, content_type=CONTENT_TYPES[fmt])


def render_error(fmt: str, status: int, description: str) -> HttpResponse:
    return render(fmt, "errors", [{"code": status, "description": description}], status=status)
