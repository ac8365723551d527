"""What an attachment may be: a real PDF, Word, Excel, JPG or PNG (by content), at most 10 MB, stored under a
name of ours."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from openpyxl import Workbook
from PIL import Image

from liaison.lib.errors import DomainError
from liaison.lib.uploads import MAX_ATTACHMENT_BYTES, clean_attachment

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def docx_bytes() -> bytes:
    doc = Document()
    doc.add_paragraph("石桥现场照片说明")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    book = Workbook()
    book.active.append(["村名", "户数"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def image_bytes(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 120, 200)).save(out, fmt)
    return out.getvalue()


def zip_bytes(names) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<html><script>alert(1)</script></html>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("filename", "content", "ext"),
    [
        ("情况说明.pdf", PDF, "pdf"),
        ("情况说明.docx", docx_bytes(), "docx"),
        ("统计表.xlsx", xlsx_bytes(), "xlsx"),
        ("现场.png", image_bytes("PNG"), "png"),
        ("现场.jpeg", image_bytes("JPEG"), "jpg"),
        ("misnamed.pdf", docx_bytes(), "docx"),  # what it is counts, not what it is called
    ],
)
def test_it_accepts_real_documents_and_stores_them_under_a_random_name(filename, content, ext):
    upload = clean_attachment(SimpleUploadedFile(filename, content, content_type="application/octet-stream"))
    assert re.fullmatch(rf"[0-9a-f]{{32}}\.{ext}", upload.name)
    assert upload.read() == content  # the content itself is stored as it came
    other = clean_attachment(SimpleUploadedFile(filename, content))
    assert other.name != upload.name


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("evil.pdf", b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"),
        ("evil.html", b"<html><script>alert(1)</script></html>"),
        ("x.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 500),
        ("x.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 500),
        ("archive.docx", zip_bytes(["readme.txt", "evil.html"])),
        ("fake.docx", zip_bytes(["[Content_Types].xml", "word/evil.html"])),
        ("macro.docx", zip_bytes(["[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"])),
        ("anim.gif", image_bytes("GIF")),
        ("notes.txt", "会议纪要".encode()),
    ],
)
def test_it_refuses_anything_else_whatever_its_name_says(filename, content):
    with pytest.raises(DomainError) as refused:
        clean_attachment(SimpleUploadedFile(filename, content, content_type="application/pdf"))
    assert "格式不支持" in refused.value.message and "PDF" in refused.value.message


def test_it_refuses_an_attachment_over_the_size_limit_and_says_the_limit():
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * MAX_ATTACHMENT_BYTES)
    with pytest.raises(DomainError) as refused:
        clean_attachment(big)
    assert "超过 10 MB" in refused.value.message


def test_it_refuses_an_empty_file():
    with pytest.raises(DomainError) as refused:
        clean_attachment(SimpleUploadedFile("empty.pdf", b""))
    assert "空文件" in refused.value.message
