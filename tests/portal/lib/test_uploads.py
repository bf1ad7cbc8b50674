"""portal.lib.uploads: what the public may attach, how it is cleaned, kept and served back."""

import dataclasses
import hashlib
import io
import logging
import random
import re
import stat
import zlib

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured, SuspiciousFileOperation, ValidationError
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.test import RequestFactory, override_settings
from django.utils.datastructures import MultiValueDict
from django.utils.functional import Promise
from PIL import ExifTags, Image, ImageFile
from pypdf import PdfWriter
from pypdf.actions import JavaScript

from portal.lib import datakeys, uploads
from portal.lib.uploads import (
    ALLOWED_TYPES,
    MAX_FILE_BYTES,
    MAX_FILES,
    AttachmentsField,
    CleanUpload,
    clean_upload,
    clean_uploads,
    open_private,
    private_file_response,
    private_storage,
    sanitise_display_name,
    save_private,
)
from tests.fixtures.uploads import (
    BLUE,
    EXECUTABLE_ELF,
    EXECUTABLE_PE,
    HEIC_PHOTO,
    HTML_PAGE,
    RED,
    SVG_IMAGE,
    camera_exif,
    image,
    jpeg_bytes,
    object_stream,
    pdf_bytes,
    pdf_with_catalog,
    pdf_with_object_stream,
    png_bytes,
    png_declaring,
    png_text,
    uploaded,
    webp_bytes,
    zip_bytes,
)

MB = 1024 * 1024


def refusal(uploaded_file) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        clean_upload(uploaded_file)
    return caught.value


def message(error: ValidationError) -> str:
    return " ".join(error.messages)


def opened(content: bytes) -> Image.Image:
    return Image.open(io.BytesIO(content))


def pypdf_bytes(writer: PdfWriter) -> bytes:
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def close(colour, expected, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=True))


@pytest.fixture
def roots(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings


# --- limits ---------------------------------------------------------------------


def test_the_limits_are_five_files_of_ten_megabytes_and_the_help_text_says_so():
    assert (MAX_FILES, MAX_FILE_BYTES) == (5, 10 * MB)
    help_text = str(AttachmentsField().help_text)
    assert "up to 5 files" in help_text
    assert "10 MB" in help_text
    assert "PDF, JPEG, PNG or WebP" in help_text


def test_every_message_is_translated_when_shown_not_when_imported():
    assert isinstance(uploads.ATTACHMENTS_HELP_TEXT, Promise)
    assert all(isinstance(text, Promise) for text in uploads.MESSAGES.values())


def test_an_eleven_megabyte_file_is_refused_with_the_limit_in_the_message():
    error = refusal(uploaded("x.pdf", b"%PDF-" + b"\0" * (11 * MB - 5)))
    assert error.code == "too_large"
    assert message(error) == "Each file can be at most 10 MB; 'x.pdf' is 11 MB."


def test_the_size_in_the_message_has_one_decimal_and_never_rounds_down_to_the_limit():
    assert message(refusal(uploaded("x.pdf", b"\0" * int(12.3 * MB)))).endswith("'x.pdf' is 12.3 MB.")
    assert message(refusal(uploaded("x.pdf", b"%PDF-" + b"\0" * MAX_FILE_BYTES))).endswith("'x.pdf' is 10.1 MB.")


class UnreadableUpload:
    """An upload that fails the test if anything reads it."""

    name = "scan.png"
    size = 50 * MB

    def read(self, *args):
        pytest.fail("a file over the limit was read")


def test_a_file_that_declares_itself_too_large_is_refused_without_being_read():
    assert message(refusal(UnreadableUpload())) == "Each file can be at most 10 MB; 'scan.png' is 50 MB."


def test_a_file_without_a_declared_size_is_measured_by_reading():
    stream = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\0" * (11 * MB - 8))
    stream.name = "stream.png"
    assert refusal(stream).code == "too_large"


def test_a_file_of_exactly_the_limit_is_accepted():
    pdf = pdf_bytes()
    # A comment line after the header pads it to exactly the limit.
    padded = pdf[:15] + b"%" + b"x" * (MAX_FILE_BYTES - len(pdf) - 2) + b"\n" + pdf[15:]
    assert len(padded) == MAX_FILE_BYTES
    assert clean_upload(uploaded("big.pdf", padded)).size == MAX_FILE_BYTES


def test_five_files_are_accepted():
    cleaned = clean_uploads([uploaded(f"photo-{n}.png", png_bytes()) for n in range(5)])
    assert [upload.display_name for upload in cleaned] == [f"photo-{n}.png" for n in range(5)]


def test_six_files_are_refused_before_any_is_decoded(monkeypatch):
    monkeypatch.setattr(uploads.cleaning, "clean_upload", lambda f: pytest.fail("a file was checked"))
    with pytest.raises(ValidationError) as caught:
        clean_uploads([uploaded(f"photo-{n}.png", png_bytes()) for n in range(6)])
    assert caught.value.messages == ["You can attach at most 5 files."]
    assert caught.value.error_list[0].code == "too_many"


def test_every_refused_file_is_reported_not_only_the_first():
    with pytest.raises(ValidationError) as caught:
        clean_uploads(
            [uploaded("setup.pdf", EXECUTABLE_PE), uploaded("blank.png", b""), uploaded("fine.png", png_bytes())]
        )
    assert [error.code for error in caught.value.error_list] == ["unsupported_type", "empty"]
    assert "'setup.pdf'" in caught.value.messages[0]
    assert "'blank.png'" in caught.value.messages[1]


# --- the type comes from the content ---------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "browser_type"),
    [
        pytest.param("invoice.pdf", EXECUTABLE_PE, "application/pdf", id="windows-executable-renamed-pdf"),
        pytest.param("invoice.pdf", EXECUTABLE_ELF, "application/pdf", id="linux-executable-renamed-pdf"),
        pytest.param("photo.png", HTML_PAGE, "image/png", id="html-renamed-png"),
        pytest.param("photo.png", SVG_IMAGE, "image/png", id="svg-renamed-png"),
        pytest.param("evidence.pdf", zip_bytes(), "application/pdf", id="zip-renamed-pdf"),
        pytest.param("photo.jpg", b"#!/bin/sh\nrm -rf /\n", "image/jpeg", id="script-renamed-jpg"),
        pytest.param("letter.pdf", b"<html>%PDF-1.7\n%%EOF\n", "application/pdf", id="pdf-signature-not-at-start"),
    ],
)
def test_a_file_that_is_not_an_accepted_type_is_refused_whatever_its_name(name, data, browser_type):
    error = refusal(uploaded(name, data, browser_type))
    assert error.code == "unsupported_type"
    assert f"'{name}'" in message(error)
    assert "PDF, JPEG, PNG or WebP" in message(error)


def test_an_executable_renamed_pdf_is_refused():
    error = refusal(uploaded("receipt.pdf", EXECUTABLE_PE, "application/pdf"))
    assert message(error) == (
        "'receipt.pdf' cannot be attached: it is not a PDF, JPEG, PNG or WebP file, whatever its name says. "
        "Only those are accepted."
    )


@pytest.mark.parametrize(
    ("data", "advice"),
    [
        (zip_bytes(), "save it as PDF first"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 32, "save it as PDF first"),
        (HEIC_PHOTO, "share or save it as JPEG first"),
        (b"GIF89a" + b"\0" * 32, "save it as JPEG or PNG first"),
    ],
    ids=["docx", "old-word", "heic", "gif"],
)
def test_a_refusal_says_what_to_do_with_files_people_often_try(data, advice):
    assert advice in message(refusal(uploaded("document", data)))


def test_an_empty_file_is_refused():
    error = refusal(uploaded("statement.pdf", b"", "application/pdf"))
    assert error.code == "empty"
    assert message(error) == "'statement.pdf' is empty. Please choose the file again."


def test_the_type_is_decided_by_content_not_by_name_or_browser_type():
    cleaned = clean_upload(uploaded("scan.pdf", png_bytes(), "application/pdf"))
    assert (cleaned.content_type, cleaned.extension, cleaned.display_name) == ("image/png", ".png", "scan.png")


# --- PDFs ------------------------------------------------------------------------


def test_a_pdf_is_stored_byte_for_byte():
    pdf = pdf_bytes()
    cleaned = clean_upload(uploaded("letter.pdf", pdf))
    assert cleaned == CleanUpload(
        content=pdf,
        content_type="application/pdf",
        extension=".pdf",
        display_name="letter.pdf",
        size=len(pdf),
        sha256=hashlib.sha256(pdf).hexdigest(),
    )


def test_a_pdf_written_by_pypdf_is_accepted():
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    assert clean_upload(uploaded("blank.pdf", pypdf_bytes(writer))).content_type == "application/pdf"


def test_a_pdf_from_our_own_renderer_with_object_streams_is_accepted(caplog):
    from portal.lib.pdf import html_to_pdf

    caplog.set_level(logging.WARNING)
    pdf = html_to_pdf("<html lang='en'><head><title>Outcome</title></head><body>Resolved.</body></html>")
    assert b"/ObjStm" in pdf  # so the compressed path below is really exercised
    assert clean_upload(uploaded("outcome.pdf", pdf)).content == pdf


def test_a_large_pdf_full_of_compressed_bytes_is_accepted():
    noise = random.Random(6266).randbytes(9 * MB)
    pdf = pdf_bytes(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(noise) + noise + b"\nendstream")
    assert clean_upload(uploaded("scan.pdf", pdf)).size == len(pdf)


def test_a_pdf_with_a_harmless_object_stream_is_accepted():
    pdf = pdf_bytes(object_stream(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"))
    assert clean_upload(uploaded("letter.pdf", pdf)).content == pdf


def test_a_truncated_pdf_without_its_eof_trailer_is_refused():
    pdf = pdf_bytes() + b"%" + b"x" * 2000  # %%EOF is no longer near the end
    error = refusal(uploaded("letter.pdf", pdf))
    assert error.code == "pdf_incomplete"
    assert "'letter.pdf' is not a complete PDF file" in message(error)
    assert refusal(uploaded("letter.pdf", pdf_bytes()[:-40])).code == "pdf_incomplete"


def javascript_open_action() -> bytes:
    return pdf_with_catalog(b"/OpenAction 4 0 R", b"<< /S /JavaScript /JS (app.alert('hello')) >>")


def pypdf_javascript() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_open_action(JavaScript("app.alert('hello');"))
    return pypdf_bytes(writer)


@pytest.mark.parametrize(
    "pdf",
    [
        pytest.param(javascript_open_action(), id="javascript-open-action"),
        pytest.param(
            pdf_with_catalog(
                b"/Names << /JavaScript 4 0 R >>",
                b"<< /Names [(hello) 5 0 R] >>",
                b"<< /S /JavaScript /JS (app.alert(1)) >>",
            ),
            id="document-javascript-name-tree",
        ),
        pytest.param(
            pdf_with_catalog(b"/OpenAction 4 0 R", b"<< /S /Launch /F (C:\\\\Windows\\\\System32\\\\cmd.exe) >>"),
            id="launch-action",
        ),
        pytest.param(
            pdf_with_catalog(b"/OpenAction 4 0 R", b"<< /S /J#61va#53cript /JS (app.alert(1)) >>"),
            id="hex-escaped-name",
        ),
        pytest.param(
            pdf_with_catalog(b"/OpenAction 10 0 R", object_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>")),
            id="hidden-in-compressed-object-stream",
        ),
        pytest.param(
            pdf_with_catalog(
                b"/OpenAction 10 0 R",
                object_stream(b"<< /S /Launch /F (cmd.exe) >>", kind=b"/Obj#53tm", filters=b"/Filter /Fl"),
            ),
            id="object-stream-with-escaped-type-and-short-filter",
        ),
        pytest.param(pypdf_javascript(), id="pypdf-open-action"),
    ],
)
def test_a_pdf_with_script_or_launch_actions_is_refused(pdf):
    error = refusal(uploaded("form.pdf", pdf))
    assert error.code == "pdf_active_content"
    assert "'form.pdf' contains scripts or actions" in message(error)


@pytest.mark.parametrize(
    "stream",
    [
        pytest.param(object_stream(b"<< /S /JavaScript >>", filters=b"/Filter /ASCIIHexDecode"), id="other-filter"),
        pytest.param(
            object_stream(b"<< /S /JavaScript >>", filters=b"/Filter [/ASCII85Decode /FlateDecode]"),
            id="filter-chain",
        ),
        pytest.param(
            object_stream(b"<< >>", filters=b"/Filter /FlateDecode /DecodeParms << /Predictor 12 >>"),
            id="predictor",
        ),
        pytest.param(
            b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>\nstream\nnot zlib at all\nendstream",
            id="corrupt",
        ),
    ],
)
def test_a_pdf_whose_object_streams_cannot_be_screened_is_refused(stream):
    assert refusal(uploaded("odd.pdf", pdf_bytes(stream))).code == "pdf_unchecked"


def test_an_object_stream_that_inflates_beyond_the_budget_is_refused(monkeypatch):
    monkeypatch.setattr(uploads.pdf, "_PDF_INFLATE_BUDGET", 1024)
    stream = object_stream(b"<< /Padding (" + b"x" * 4096 + b") >>")
    assert refusal(uploaded("bomb.pdf", pdf_bytes(stream))).code == "pdf_unchecked"


def test_an_encrypted_pdf_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    error = refusal(uploaded("locked.pdf", pypdf_bytes(writer)))
    assert error.code == "pdf_encrypted"
    assert "'locked.pdf' is protected with a password" in message(error)


def active(pdf: bytes) -> bool:
    return refusal(uploaded("form.pdf", pdf)).code == "pdf_active_content"


def test_a_pdf_with_a_rendition_action_is_refused():
    screen = b"<< /Type /Annot /Subtype /Link /Rect [0 0 50 50] /A 5 0 R >>"
    rendition = b"<< /S /Rendition /OP 0 /R << /S /MR /C << /S /MCD /D (clip.mp4) >> >> >>"
    assert active(pdf_with_catalog(b"/Names << /Dests 4 0 R >>", screen, rendition))


def test_a_pdf_with_an_xfa_form_is_refused():
    xdp = b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><script>app.alert(1)</script></xdp:xdp>'
    assert active(
        pdf_with_catalog(
            b"/AcroForm << /Fields [] /XFA 4 0 R >>", b"<< /Length %d >>\nstream\n%s\nendstream" % (len(xdp), xdp)
        )
    )


def test_a_pdf_that_submits_its_form_is_refused():
    submit = b"<< /S /SubmitForm /F << /FS /URL /F (https://collector.example/) >> /Flags 256 >>"
    assert active(pdf_with_catalog(b"/AA << /WC 4 0 R >>", submit))


def test_a_pdf_that_imports_data_from_the_officers_disk_is_refused():
    assert active(pdf_with_catalog(b"/OpenAction 4 0 R", b"<< /S /ImportData /F (C:\\\\Users\\\\data.fdf) >>"))


@pytest.mark.parametrize(
    "action",
    [
        b"<< /S /GoToE /T << /R /C /N (x.pdf) >> >>",
        b"<< /S /GoToR /F (\\\\\\\\203.0.113.7\\\\share\\\\x.pdf) /D [0 /Fit] >>",
    ],
    ids=["go-to-embedded", "go-to-remote-share"],
)
def test_a_pdf_that_opens_another_file_is_refused(action):
    assert active(pdf_with_catalog(b"/OpenAction 4 0 R", action))


def test_a_javascript_action_in_a_listed_compressed_object_stream_is_refused():
    pdf = pdf_with_object_stream(b"/OpenAction 5 0 R", b"<< /S /JavaScript /JS (app.alert(1)) >>")
    assert b"/JavaScript" not in pdf  # only a parser that inflates the stream can see it
    assert active(pdf)


def test_an_action_whose_type_is_an_indirect_name_is_refused():
    pdf = pdf_with_object_stream(b"/OpenAction 5 0 R", b"<< /S 6 0 R /F (cmd.exe) >>", b"/Launch")
    assert active(pdf)


def test_a_pdf_with_ordinary_objects_in_a_listed_object_stream_is_accepted():
    pdf = pdf_with_object_stream(b"/Info 5 0 R", b"<< /Title (Letter) /Producer (Scanner) >>", b"<< /Type /Font >>")
    assert clean_upload(uploaded("letter.pdf", pdf)).content == pdf


def pypdf_attachment() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_attachment("invoice.exe", b"MZ\x90\x00")
    return pypdf_bytes(writer)


@pytest.mark.parametrize(
    "pdf",
    [
        pytest.param(pypdf_attachment(), id="document-embedded-files"),
        pytest.param(
            pdf_with_catalog(
                b"/Names << /Dests 4 0 R >>",
                b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 20 20] /FS 5 0 R >>",
                b"<< /Type /Filespec /F (x.exe) >>",
            ),
            id="file-attachment-annotation",
        ),
    ],
)
def test_a_pdf_with_an_embedded_file_is_refused(pdf):
    assert active(pdf)


def test_a_link_to_a_web_page_is_accepted_but_one_that_opens_by_itself_is_refused():
    link = b"<< /Type /Annot /Subtype /Link /Rect [0 0 50 50] /A << /S /URI /URI (https://example.org/) >> >>"
    pdf = pdf_with_catalog(b"/Names << /Dests 4 0 R >>", link)
    assert clean_upload(uploaded("letter.pdf", pdf)).content == pdf
    assert active(pdf_with_catalog(b"/OpenAction 4 0 R", b"<< /S /URI /URI (https://tracker.example/opened) >>"))
    chained = b"<< /S /GoTo /D [3 0 R /Fit] /Next << /S /URI /URI (https://tracker.example/) >> >>"
    assert active(pdf_with_catalog(b"/OpenAction 4 0 R", chained))


def test_an_open_action_that_only_turns_to_a_page_is_accepted():
    pdf = pdf_with_catalog(b"/OpenAction [3 0 R /Fit]")
    assert clean_upload(uploaded("letter.pdf", pdf)).content == pdf


def test_a_pdf_decompression_bomb_in_an_object_stream_is_refused():
    inflated = b"10 0\n<< >>\n" + b" " * (100 * MB)
    squeezed = zlib.compress(inflated, 9)
    assert len(squeezed) < MB
    stream = b"<< /Type /ObjStm /N 1 /First 5 /Filter /FlateDecode /Length %d >>\nstream\n" % len(squeezed)
    assert refusal(uploaded("bomb.pdf", pdf_bytes(stream + squeezed + b"\nendstream"))).code == "pdf_unchecked"


def test_a_deeply_nested_object_is_refused():
    nested = b"[" * 50_000 + b"]" * 50_000
    assert refusal(uploaded("deep.pdf", pdf_bytes(nested))).code == "pdf_unchecked"


def test_a_pdf_with_more_objects_than_the_cap_is_refused(monkeypatch):
    monkeypatch.setattr(uploads.pdf, "_PDF_MAX_OBJECTS", 50)
    assert refusal(uploaded("many.pdf", pdf_bytes(b"[" + b"[] " * 100 + b"]"))).code == "pdf_unchecked"


def test_references_that_loop_or_lead_nowhere_are_checked_once_and_accepted():
    pdf = pdf_bytes(b"<< /Next 5 0 R /Self 4 0 R >>", b"<< /Next 4 0 R /Missing 99 0 R >>")
    assert clean_upload(uploaded("letter.pdf", pdf)).content == pdf


def test_a_pdf_whose_cross_reference_table_is_stale_is_checked_as_readers_rebuild_it():
    pdf = javascript_open_action()
    shifted = pdf[:15] + b"%" + b"x" * 4000 + b"\n" + pdf[15:]  # every listed offset now points into the comment
    assert active(shifted)


# --- images ------------------------------------------------------------------------


def test_a_jpeg_with_gps_exif_comes_out_without_exif():
    original = jpeg_bytes(exif=camera_exif())
    assert opened(original).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the sample really carries a location

    cleaned = clean_upload(uploaded("IMG_0042.jpg", original, "image/jpeg"))

    assert cleaned.content_type == "image/jpeg"
    assert opened(cleaned.content).format == "JPEG"
    assert len(opened(cleaned.content).getexif()) == 0
    assert b"Exif" not in cleaned.content
    assert b"PhoneMaker" not in cleaned.content


def test_a_jpeg_loses_its_comment_and_xmp():
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description photoshop:City="Mae Sot"/></x:xmpmeta>'
    original = jpeg_bytes(comment=b"Malee's phone", xmp=xmp)
    assert b"Mae Sot" in original and b"Malee" in original

    cleaned = clean_upload(uploaded("photo.jpg", original)).content

    assert b"Mae Sot" not in cleaned
    assert b"Malee" not in cleaned
    assert "comment" not in opened(cleaned).info


def test_a_sideways_photo_is_turned_upright_before_its_exif_is_dropped():
    sideways = jpeg_bytes(image((32, 24)), exif=camera_exif(orientation=6, gps=False))

    upright = opened(clean_upload(uploaded("photo.jpg", sideways)).content)

    assert upright.size == (24, 32)
    assert close(upright.getpixel((12, 3)), RED)  # the left edge is now at the top
    assert close(upright.getpixel((12, 28)), BLUE)
    assert ExifTags.Base.Orientation not in upright.getexif()


def test_a_jpeg_is_re_encoded_not_passed_through():
    original = jpeg_bytes(image((64, 48)))
    cleaned = clean_upload(uploaded("photo.jpg", original))
    assert cleaned.content != original
    assert cleaned.size == len(cleaned.content)
    assert cleaned.sha256 == hashlib.sha256(cleaned.content).hexdigest()


def test_a_cmyk_jpeg_comes_out_rgb():
    cleaned = clean_upload(uploaded("print.jpg", jpeg_bytes(image(mode="CMYK"))))
    assert opened(cleaned.content).mode == "RGB"


def test_a_png_loses_its_text_chunks_and_exif():
    original = png_bytes(pnginfo=png_text(Author="Malee", Comment="taken at home"), exif=camera_exif())
    assert opened(original).text == {"Author": "Malee", "Comment": "taken at home"}

    cleaned = clean_upload(uploaded("screenshot.png", original)).content

    assert opened(cleaned).text == {}
    assert len(opened(cleaned).getexif()) == 0
    assert b"tEXt" not in cleaned
    assert b"eXIf" not in cleaned
    assert b"Malee" not in cleaned


def test_a_png_keeps_its_transparency():
    rgba = image(mode="RGBA")
    rgba.putpixel((0, 0), (0, 0, 0, 0))
    assert opened(clean_upload(uploaded("a.png", png_bytes(rgba))).content).getpixel((0, 0))[3] == 0

    palette = image().convert("P")
    cleaned = opened(clean_upload(uploaded("b.png", png_bytes(palette, transparency=0))).content)
    assert cleaned.mode == "P"
    assert "transparency" in cleaned.info


def test_a_webp_is_re_encoded_as_webp_without_exif():
    original = webp_bytes(exif=camera_exif().tobytes())
    assert b"EXIF" in original

    cleaned = clean_upload(uploaded("photo.webp", original))

    assert cleaned.content_type == "image/webp"
    assert opened(cleaned.content).format == "WEBP"
    assert len(opened(cleaned.content).getexif()) == 0
    assert b"EXIF" not in cleaned.content


def test_a_lossless_webp_screenshot_stays_lossless_and_a_lossy_one_stays_lossy():
    assert b"VP8L" in clean_upload(uploaded("screen.webp", webp_bytes(lossless=True))).content
    lossy = clean_upload(uploaded("photo.webp", webp_bytes(quality=90))).content
    assert b"VP8 " in lossy and b"VP8L" not in lossy


def test_a_decompression_bomb_is_refused_cleanly():
    bomb = png_declaring(50_000, 50_000)
    assert len(bomb) < 200

    error = refusal(uploaded("bomb.png", bomb))

    assert error.code == "image_bomb"
    assert message(error) == "'bomb.png' declares a picture far larger than 50 megapixels, so it cannot be accepted."


def test_a_picture_over_the_pixel_limit_is_refused_with_its_size():
    error = refusal(uploaded("panorama.png", png_declaring(8000, 7000)))
    assert error.code == "image_too_many_pixels"
    assert "'panorama.png' is too large a picture (8000 × 7000 pixels)" in message(error)
    assert "at most 50 megapixels" in message(error)


def truncated(data: bytes) -> bytes:
    return data[: len(data) * 2 // 3]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("cut.jpg", truncated(jpeg_bytes(image((256, 256))))),
        ("cut.png", truncated(png_bytes(image((256, 256))))),
        ("cut.webp", truncated(webp_bytes(image((256, 256))))),
        ("header-only.jpg", jpeg_bytes()[:200]),
        ("garbage.webp", b"RIFF\x20\x00\x00\x00WEBPVP8 " + b"\xff" * 24),
    ],
)
@pytest.mark.parametrize("pillow_tolerates_truncation", [False, True], ids=["pillow-strict", "after-weasyprint"])
def test_a_damaged_picture_is_refused_with_a_clear_message(monkeypatch, name, data, pillow_tolerates_truncation):
    # WeasyPrint sets this process-wide on import; the refusal must not depend on it.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", pillow_tolerates_truncation)
    error = refusal(uploaded(name, data))
    assert error.code == "image_unreadable"
    assert f"'{name}' looks like a" in message(error)
    assert "could not be read" in message(error)


def test_a_phone_photo_with_data_after_its_end_marker_is_accepted():
    motion_photo = jpeg_bytes() + b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8  # a video appended
    assert opened(clean_upload(uploaded("PXL_0001.MP.jpg", motion_photo)).content).format == "JPEG"


# --- names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("original", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\evil.pdf", "evil.pdf"),
        ("C:\\Users\\Malee\\Documents\\receipt.pdf", "receipt.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("\u2066statement\u2069\u200f.pdf", "statement.pdf"),
        ("bad\x00name\r\n\x1b[31m.pdf", "badname[31m.pdf"),
        ("\u200bhidden\ufeff.pdf", "hidden.pdf"),
        ("  spaced \t out   .pdf ", "spaced out.pdf"),
        (".htaccess", "htaccess"),
        ("..", "attachment"),
        ("", "attachment"),
        ("uploads/", "attachment"),
        ("ใบเสร็จ เดือนมีนาคม.pdf", "ใบเสร็จ เดือนมีนาคม.pdf"),
        ("ශ්\u200dරී ලංකා.pdf", "ශ්\u200dරී ලංකා.pdf"),  # the joiner is part of the spelling
        ("<script>alert(1)</script>.png", "script>.png"),
    ],
)
def test_display_names_are_sanitised(original, shown):
    assert sanitise_display_name(original) == shown


def test_a_long_display_name_is_shortened_keeping_its_extension():
    shown = sanitise_display_name("ร" * 300 + ".pdf")
    assert len(shown) == uploads.DISPLAY_NAME_MAX_LENGTH
    assert shown.endswith("ร.pdf")


@pytest.mark.parametrize(
    ("name", "data", "shown"),
    [
        ("photo.exe", jpeg_bytes(), "photo.exe.jpg"),
        ("photo.png", jpeg_bytes(), "photo.jpg"),
        ("scan", pdf_bytes(), "scan.pdf"),
        ("IMG_0042.JPEG", jpeg_bytes(), "IMG_0042.JPEG"),
        ("../../receipt.pdf", png_bytes(), "receipt.png"),
    ],
)
def test_the_display_name_ends_in_an_extension_that_matches_the_content(name, data, shown):
    assert clean_upload(uploaded(name, data)).display_name == shown


def test_error_messages_name_the_file_by_its_sanitised_name():
    error = refusal(uploaded("../../evil\u202egpj.exe", EXECUTABLE_PE))
    assert message(error).startswith("'evilgpj.exe' cannot be attached")
    assert "\u202e" not in message(error)


def test_a_clean_upload_is_frozen_and_its_repr_leaves_out_the_content():
    cleaned = clean_upload(uploaded("photo.png", png_bytes()))
    assert "content=" not in repr(cleaned)
    assert "photo.png" in repr(cleaned)
    with pytest.raises(dataclasses.FrozenInstanceError):
        cleaned.display_name = "other.png"


# --- storage -----------------------------------------------------------------------


def test_a_saved_file_goes_under_private_media_root_and_never_media_root(roots):
    cleaned = clean_upload(uploaded("receipt.png", png_bytes()))

    name = save_private(cleaned, prefix="grievances/attachments")

    stored = roots.PRIVATE_MEDIA_ROOT / name
    # Sealed at rest: the file on disk is not the upload, and opens to it.
    assert cleaned.content not in stored.read_bytes()
    assert datakeys.open_bytes(stored.read_bytes()) == cleaned.content
    assert stored.resolve().is_relative_to(roots.PRIVATE_MEDIA_ROOT.resolve())
    assert not roots.MEDIA_ROOT.exists() or not any(roots.MEDIA_ROOT.rglob("*"))
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600


def test_storage_names_are_random_and_carry_nothing_of_the_original_name(roots):
    cleaned = clean_upload(uploaded("Malee Somchai national ID.png", png_bytes()))

    names = {save_private(cleaned, prefix="grievances") for _ in range(3)}

    assert len(names) == 3
    for name in names:
        assert re.fullmatch(r"grievances/\d{4}/\d{2}/[0-9a-f]{32}\.png", name)
        assert "Malee" not in name


def test_the_storage_extension_comes_from_the_content_type(roots):
    cleaned = clean_upload(uploaded("photo.exe", jpeg_bytes()))
    assert save_private(cleaned, prefix="responses").endswith(".jpg")


def test_private_storage_follows_override_settings(roots, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    with override_settings(PRIVATE_MEDIA_ROOT=elsewhere):
        name = save_private(clean_upload(uploaded("a.png", png_bytes())), prefix="grievances")
        assert uploads.get_private_storage().path(name) == str((elsewhere / name).resolve())
    assert (elsewhere / name).is_file()
    assert not (roots.PRIVATE_MEDIA_ROOT / name).exists()


def test_private_files_have_no_url(roots):
    name = save_private(clean_upload(uploaded("a.png", png_bytes())), prefix="grievances")
    with pytest.raises(ValueError, match="not accessible via a URL"):
        private_storage.url(name)


@pytest.mark.parametrize("prefix", ["", "../outside", "/etc", "Grievances", "grievances//x", "a/./b", "a b"])
def test_a_prefix_that_is_not_plain_lowercase_segments_is_refused(roots, prefix):
    with pytest.raises(ValueError, match="prefix"):
        save_private(clean_upload(uploaded("a.png", png_bytes())), prefix=prefix)


def test_open_private_returns_the_stored_bytes(roots):
    cleaned = clean_upload(uploaded("a.png", png_bytes()))
    with open_private(save_private(cleaned, prefix="grievances")) as stored:
        assert stored.read() == cleaned.content


@pytest.mark.parametrize("name", ["../media/x.png", "/etc/passwd", "grievances/../../x"])
def test_open_private_refuses_names_outside_the_private_root(roots, name):
    with pytest.raises(SuspiciousFileOperation):
        open_private(name)


def test_a_private_root_inside_media_root_is_refused(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "media" / "private"
    with pytest.raises(ImproperlyConfigured, match="must not be inside MEDIA_ROOT"):
        save_private(clean_upload(uploaded("a.png", png_bytes())), prefix="grievances")


# --- serving -----------------------------------------------------------------------


@pytest.fixture
def stored_png(roots):
    cleaned = clean_upload(uploaded("receipt.png", png_bytes()))
    return cleaned, save_private(cleaned, prefix="grievances")


def served(name, **kwargs):
    response = private_file_response(name, **kwargs)
    try:
        return response, b"".join(response.streaming_content)
    finally:
        # Close the file only: HttpResponse.close() also sends request_finished,
        # which touches database connections that this test may not use.
        response.file_to_stream.close()


def test_a_private_file_is_served_as_a_sandboxed_uncached_download(stored_png):
    cleaned, name = stored_png

    response, body = served(name, display_name="receipt.png", content_type="image/png")

    assert body == cleaned.content
    assert response["Content-Type"] == "image/png"
    assert response["Content-Length"] == str(cleaned.size)
    assert response["Content-Disposition"] == 'attachment; filename="receipt.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"


@pytest.mark.parametrize(
    ("display_name", "disposition"),
    [
        (
            "ใบเสร็จ.png",
            "attachment; filename=\"attachment.png\"; filename*=UTF-8''"
            "%E0%B9%83%E0%B8%9A%E0%B9%80%E0%B8%AA%E0%B8%A3%E0%B9%87%E0%B8%88.png",
        ),
        ("Résumé.png", "attachment; filename=\"Resume.png\"; filename*=UTF-8''R%C3%A9sum%C3%A9.png"),
    ],
)
def test_a_unicode_display_name_is_sent_as_rfc_6266_filename_star(stored_png, display_name, disposition):
    response, _ = served(stored_png[1], display_name=display_name, content_type="image/png")
    assert response["Content-Disposition"] == disposition


def test_a_hostile_display_name_cannot_break_the_header(stored_png):
    response, _ = served(stored_png[1], display_name='a"b\r\nSet-Cookie: x=1\u202e;.png', content_type="image/png")
    assert response["Content-Disposition"] == (
        "attachment; filename=\"a_bSet-Cookie: x=1;.png\"; filename*=UTF-8''a%22bSet-Cookie%3A%20x%3D1%3B.png"
    )


def test_the_response_refuses_a_content_type_we_never_store(stored_png):
    with pytest.raises(ValueError, match="text/html"):
        private_file_response(stored_png[1], display_name="x.html", content_type="text/html")


def test_the_site_wide_csp_middleware_leaves_the_sandbox_policy_alone(stored_png):
    response = private_file_response(stored_png[1], display_name="receipt.png", content_type="image/png")
    middleware = ContentSecurityPolicyMiddleware(lambda request: response)
    try:
        assert middleware(RequestFactory().get("/grievances/x/"))["Content-Security-Policy"] == (
            "sandbox; default-src 'none'"
        )
    finally:
        response.file_to_stream.close()


# --- the form field ----------------------------------------------------------------


class GrievanceForm(forms.Form):
    description = forms.CharField()
    attachments = AttachmentsField()


class EvidenceRequiredForm(forms.Form):
    attachments = AttachmentsField(required=True)


def files(*uploaded_files) -> MultiValueDict:
    return MultiValueDict({"attachments": list(uploaded_files)})


def test_the_widget_lets_people_choose_several_files_of_the_accepted_types():
    html = str(GrievanceForm()["attachments"])
    assert "multiple" in html
    assert 'accept="application/pdf,image/jpeg,image/png,image/webp"' in html
    assert "required" not in html
    assert ",".join(ALLOWED_TYPES) == "application/pdf,image/jpeg,image/png,image/webp"


def test_attachments_are_optional_and_none_gives_an_empty_list():
    form = GrievanceForm(data={"description": "No transfer this month"}, files=MultiValueDict())
    assert form.is_valid(), form.errors
    assert form.cleaned_data["attachments"] == []
    assert "attachments" not in form.changed_data


def test_attachments_can_be_made_required():
    form = EvidenceRequiredForm(data={}, files=MultiValueDict())
    assert form.errors == {"attachments": ["This field is required."]}


def test_uploaded_files_arrive_as_clean_uploads_through_a_real_multipart_request():
    request = RequestFactory().post(
        "/grievances/new/",
        {
            "description": "My payment did not arrive",
            "attachments": [uploaded("receipt.png", png_bytes()), uploaded("letter.pdf", pdf_bytes())],
        },
    )

    form = GrievanceForm(request.POST, request.FILES)

    assert form.is_valid(), form.errors
    cleaned = form.cleaned_data["attachments"]
    assert [(upload.display_name, upload.content_type) for upload in cleaned] == [
        ("receipt.png", "image/png"),
        ("letter.pdf", "application/pdf"),
    ]
    assert all(isinstance(upload, CleanUpload) for upload in cleaned)


def test_a_form_keeps_the_other_fields_when_the_files_are_invalid():
    form = GrievanceForm(
        data={"description": "Payment stopped in March"},
        files=files(uploaded("receipt.pdf", EXECUTABLE_PE), uploaded("photo.png", png_bytes())),
    )

    assert not form.is_valid()
    assert list(form.errors) == ["attachments"]
    assert "'receipt.pdf' cannot be attached" in form.errors["attachments"][0]
    assert form.cleaned_data["description"] == "Payment stopped in March"
    assert 'value="Payment stopped in March"' in str(form["description"])


def test_six_files_in_a_form_are_refused_on_the_attachments_field():
    form = GrievanceForm(
        data={"description": "Six photos"}, files=files(*(uploaded(f"{n}.png", png_bytes()) for n in range(6)))
    )
    assert form.errors == {"attachments": ["You can attach at most 5 files."]}
