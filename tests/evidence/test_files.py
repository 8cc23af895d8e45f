"""Type checking by content: each accepted type passes with its own extension; everything else, a
mismatched extension, macros, zip bombs, empty files and odd names get a message naming what was
found and what is accepted."""

import pytest
from django.core.exceptions import ValidationError

from evidence import files
from tests.evidence import samples

ACCEPTED = [
    ("report.pdf", samples.pdf(), "application/pdf"),
    ("chart.png", samples.png(), "image/png"),
    ("photo.jpg", samples.jpeg(), "image/jpeg"),
    ("photo.jpeg", samples.jpeg(), "image/jpeg"),
    ("audit.docx", samples.office("docx"), files.ACCEPTED["docx"][0]),
    ("data.xlsx", samples.office("xlsx"), files.ACCEPTED["xlsx"][0]),
    ("deck.pptx", samples.office("pptx"), files.ACCEPTED["pptx"][0]),
    ("notes.txt", "Réunion: tout va bien\n".encode(), "text/plain"),
    ("readme.md", b"# Model card\n\n- fine\n", "text/markdown"),
    ("rows.csv", b"a,b\n1,2\n", "text/csv"),
    ("metrics.json", b'{"auc": 0.91}', "application/json"),
]


@pytest.mark.parametrize(("name", "data", "content_type"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_accepted_types_are_recognised_by_content(name, data, content_type):
    info = files.inspect(samples.upload(name, data, content_type="text/html"))  # the client's type is ignored
    assert info.content_type == content_type
    assert info.size == len(data) and len(info.sha256) == 64


REFUSED = [
    ("empty.pdf", b"", "empty"),
    ("tool.exe", samples.ELF, "executable program"),
    ("tool.pdf", samples.ELF, "executable program"),
    ("page.html", samples.HTML, "HTML page"),
    ("notes.exe", b"plain words", "Files with “.exe” are not accepted (this one is text)"),
    ("page.txt", samples.HTML, "HTML page"),
    ("logo.svg", samples.SVG, "SVG image"),
    ("logo.png", samples.SVG, "SVG image"),
    ("bundle.zip", samples.plain_zip(), "ZIP archive"),
    ("bundle.docx", samples.plain_zip(), "ZIP archive"),
    ("chart.pdf", samples.png(), "content is PNG image but its name ends in “.pdf”"),
    ("report.docx", samples.pdf(), "content is PDF but its name ends in “.docx”"),
    ("notes.pdf", b"just text", "content is text but its name ends in “.pdf”"),
    ("sheet.xlsx", samples.office("docx"), "Word document (DOCX) but its name ends in “.xlsx”"),
    ("macro.docx", samples.office("docx", macros=True), "macros"),
    ("macro.xlsx", samples.office("xlsx", macros=True), "macros"),
    ("bomb.docx", samples.zip_bomb(), "zip bomb"),
    ("binary.txt", b"\x00\x01\x02garbage", "unrecognised type"),
    ("latin1.txt", "café".encode("latin-1"), "unrecognised type"),
    ("data.json", b"not json at all", "not JSON"),
    ("noextension", samples.pdf(), "no extension"),
]


@pytest.mark.parametrize(("name", "data", "message"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_files_say_why(name, data, message):
    with pytest.raises(ValidationError) as refused:
        files.inspect(samples.upload(name, data))
    text = " ".join(refused.value.messages)
    assert message in text
    if refused.value.error_list[0].code in ("type",):
        assert files.ACCEPTED_LABEL in text  # names the types accepted


def test_size_cap(settings):
    settings.EVIDENCE_MAX_MB = 0.001
    with pytest.raises(ValidationError, match="larger than the limit of 0.001 MB"):
        files.inspect(samples.upload("big.txt", b"x" * 2000))


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\me\\report.pdf", "report.pdf"),
        ("re\x00port\x1b[31m.pdf", "report[31m.pdf"),
        ("  spaced .pdf ", "spaced .pdf"),
        ("\u202egpj.exe.pdf", "gpj.exe.pdf"),
    ],
)
def test_names_lose_folders_and_control_characters(given, kept):
    assert files.clean_name(given) == kept


def test_a_name_of_only_separators_is_refused():
    with pytest.raises(ValidationError, match="no usable name"):
        files.inspect(samples.upload("\x01\x02 .", samples.pdf()))
