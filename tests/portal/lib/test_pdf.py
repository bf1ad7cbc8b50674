"""portal.lib.pdf: real PDFs whose text survives, and a fetcher that reads nothing it should not."""

import io

import pypdf
import pytest

from portal.lib.pdf import ASSET_ORIGIN, AssetFetcher, html_to_pdf, render_pdf

THAI = "ผู้รับประโยชน์ไม่ได้รับเงินโอนเดือนนี้"
VIETNAMESE = "Người thụ hưởng chưa nhận được tiền trợ cấp tháng này."


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.smoke
def test_render_pdf_returns_a_tagged_pdf_whose_text_survives():
    fetcher = AssetFetcher()
    data = render_pdf(
        "portal/pdf/document.html",
        {
            "title": "Outcome <b>letter</b>",
            "lang": "en",
            "sections": [{"heading": "What happened", "paragraphs": [THAI, VIETNAMESE, "<script>x</script>"]}],
        },
        fetcher=fetcher,
    )
    assert data.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert reader.metadata.title == "Outcome <b>letter</b>"  # escaped in HTML, plain in metadata
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged for screen readers
    assert reader.trailer["/Root"]["/Lang"] == "en"
    text = pdf_text(data)
    assert THAI in text.replace("\n", "")
    assert VIETNAMESE in text.replace("\n", " ")
    assert "<script>x</script>" in text  # shown as text, never run as markup
    assert fetcher.served == [f"{ASSET_ORIGIN}/static/css/pdf.css", f"{ASSET_ORIGIN}/static/css/pdf-scripts.css"]
    assert fetcher.refused == []


def fetched(html: str) -> AssetFetcher:
    fetcher = AssetFetcher()
    html_to_pdf(f"<html lang='en'><head><title>t</title></head><body>{html}</body></html>", fetcher=fetcher)
    return fetcher


@pytest.mark.smoke
@pytest.mark.parametrize(
    "html",
    [
        '<img src="file:///etc/passwd">',
        '<div style="background: url(http://127.0.0.1:1/)">x</div>',
        "<style>@import url(https://example.org/x.css);</style>",
        '<img src="/static/../../../../etc/passwd">',
        '<img src="/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd">',
        '<img src="/media/../../etc/passwd">',
        '<link rel="stylesheet" href="data:text/css,body{}">',
        '<img src="ftp://127.0.0.1/x.png">',
    ],
)
def test_the_fetcher_refuses_anything_but_static_and_media_files(html):
    fetcher = fetched(html)
    assert fetcher.served == []
    assert len(fetcher.refused) == 1, fetcher.refused


def test_small_images_in_data_urls_are_allowed_and_large_ones_refused():
    pixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    assert fetched(f'<img alt="" src="data:image/png;base64,{pixel}">').refused == []
    huge = "A" * (200 * 1024)
    assert len(fetched(f'<img alt="" src="data:image/png;base64,{huge}">').refused) == 1


def test_static_files_are_read_from_disk_not_over_http():
    fetcher = fetched('<img alt="" src="/static/img/suara.svg">')
    assert fetcher.served == [f"{ASSET_ORIGIN}/static/img/suara.svg"]


# --- hardening (issue 7) ---------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        '<img alt="" src="/static//etc/passwd">',
        '<img alt="" src="file:///work/main/static/img/suara.svg">',  # even our own files, by file:
        '<img alt="" src="https://127.0.0.1/static/img/suara.svg">',  # our path on another host
        '<link rel="stylesheet" href="data:text/css;base64,Ym9keXt9">',
        '<img alt="" src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22%3E%3Cimage '
        'href=%22file:///etc/hostname%22 width=%221%22 height=%221%22/%3E%3C/svg%3E">',
    ],
)
def test_the_fetcher_records_every_refusal(html):
    fetcher = fetched(html)
    assert fetcher.refused, fetcher.refused
    assert not any(url.endswith(("passwd", "hostname")) for url in fetcher.served)


def test_the_renderer_never_opens_a_socket_not_even_to_follow_a_redirect():
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)
        listener.setblocking(False)
        port = listener.getsockname()[1]
        fetcher = fetched(
            f'<img alt="" src="http://127.0.0.1:{port}/redirect-me"><style>@import url(http://127.0.0.1:{port}/x.css);'
            f"</style><div style=\"background: url('https://127.0.0.1:{port}/')\">x</div>"
        )
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody knocked
    assert fetcher.served == [] and len(fetcher.refused) == 3


def test_a_link_out_of_the_static_folder_is_refused(tmp_path, settings):
    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "escape.txt").symlink_to("/etc/hostname")
    (folder / "ok.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>')
    settings.STATICFILES_DIRS = [folder]
    settings.STATIC_ROOT = tmp_path / "collected"
    from django.contrib.staticfiles import finders

    finders.get_finder.cache_clear()
    try:
        fetcher = fetched('<img alt="" src="/static/escape.txt"><img alt="" src="/static/ok.svg">')
    finally:
        finders.get_finder.cache_clear()
    assert fetcher.served == [f"{ASSET_ORIGIN}/static/ok.svg"]
    assert [url for url, _reason in fetcher.refused] == [f"{ASSET_ORIGIN}/static/escape.txt"]


def test_the_sites_own_address_is_read_from_disk(settings):
    settings.SITE_URL = "https://suara.example.org"
    fetcher = AssetFetcher()
    html_to_pdf(
        "<html lang='en'><head><title>t</title></head><body>"
        '<img alt="" src="https://suara.example.org/static/img/suara.svg"></body></html>',
        fetcher=fetcher,
        base_url="https://suara.example.org/",
    )
    assert fetcher.served == ["https://suara.example.org/static/img/suara.svg"] and fetcher.refused == []


@pytest.mark.parametrize(
    "head", ["<title>t</title>", "<title> </title>"], ids=["no language", "no title and no language"]
)
def test_a_document_without_language_or_title_is_refused(head):
    with pytest.raises(ValueError, match="lang"):
        html_to_pdf(f"<html><head>{head}</head><body>x</body></html>")
    with pytest.raises(ValueError, match="title"):
        html_to_pdf("<html lang='th'><head></head><body>x</body></html>")


def test_the_regions_fonts_are_installed_here():
    from portal.lib.fonts import missing_fonts

    assert missing_fonts() == []


def test_a_missing_font_is_named_by_healthz_and_the_system_check(client, db, monkeypatch):
    from portal import checks
    from portal.lib import fonts, health

    monkeypatch.setattr(fonts, "installed_font_families", lambda: {"Noto Sans", "DejaVu Sans"})
    monkeypatch.setattr(health, "_fonts_checked", None)  # /healthz remembers its last answer for minutes
    response = client.get("/healthz")
    assert response.status_code == 200  # a font is a warning, never a reason to take the process out
    assert "Noto Sans Khmer (Khmer: km)" in " ".join(response.json()["warnings"])
    [warning] = checks.pdf_fonts_are_installed(None)
    assert warning.id == "suara.W007" and "Noto Sans Myanmar" in warning.msg
