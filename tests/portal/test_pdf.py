"""portal.pdf: real PDFs whose text survives, and a fetcher that reads nothing it should not."""

import io

import pypdf
import pytest

from portal.pdf import ASSET_ORIGIN, AssetFetcher, html_to_pdf, render_pdf

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
    assert fetcher.served == [f"{ASSET_ORIGIN}/static/css/pdf.css"] and fetcher.refused == []


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
