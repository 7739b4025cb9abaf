"""Reading a fetched page: its encoding, then its title, description, site and image."""

import pytest

from contexts.fetcher.extraction import Metadata, decode, detect_encoding, extract_metadata

PAGE_URL = "https://example.com/articles/1"


def test_reads_title_description_site_and_image():
    html = """<!doctype html><html><head>
      <title>  The   title
        of the page </title>
      <meta property="og:title" content="OG title">
      <meta name="description" content="Plain description">
      <meta property="og:description" content="OG description">
      <meta property="og:site_name" content="Example">
      <meta property="og:image" content="/img/cover.png">
    </head><body><h1>Body</h1></body></html>"""

    assert extract_metadata(html, page_url=PAGE_URL) == Metadata(
        title="The title of the page",
        description="OG description",
        site_name="Example",
        image_url="https://example.com/img/cover.png",
    )


def test_falls_back_to_open_graph_title_and_plain_description():
    html = '<meta property="og:title" content="Only OG"><meta name="Description" content="d">'

    metadata = extract_metadata(html, page_url=PAGE_URL)

    assert (metadata.title, metadata.description) == ("Only OG", "d")


def test_a_title_outside_the_head_does_not_count():
    html = "<head></head><body><p>x</p><svg><title>Icon</title></svg></body>"

    assert extract_metadata(html, page_url=PAGE_URL).title == ""


@pytest.mark.parametrize(
    ("page_url", "image", "kept"),
    [
        ("https://example.com/a", "https://cdn.example/i.png", "https://cdn.example/i.png"),
        ("https://example.com/a", "//cdn.example/i.png", "https://cdn.example/i.png"),
        ("http://example.com/a", "//cdn.example/i.png", ""),
        ("http://example.com/a", "/i.png", ""),
        ("https://example.com/a", "http://cdn.example/i.png", ""),
        ("https://example.com/a", "javascript:alert(1)", ""),
        ("https://example.com/a", "data:image/png;base64,AA", ""),
    ],
)
def test_the_image_is_kept_only_when_it_is_https(page_url, image, kept):
    html = f'<meta property="og:image" content="{image}">'

    assert extract_metadata(html, page_url=page_url).image_url == kept


def test_long_text_is_cut_and_control_characters_dropped():
    html = f"<title>{'word ' * 200}</title><meta name=description content='a\x01b\x1fc'>"

    metadata = extract_metadata(html, page_url=PAGE_URL)

    assert len(metadata.title) == 300
    assert metadata.title.endswith("\u2026")
    assert metadata.description == "a b c"


def test_markup_in_the_title_is_text():
    html = "<title>&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</title>"

    assert extract_metadata(html, page_url=PAGE_URL).title == "<script>alert(1)</script> & more"


# --- encodings ------------------------------------------------------------------------

JAPANESE = "日本語のタイトル"


def test_the_header_charset_decides():
    body = f"<title>{JAPANESE}</title>".encode("shift_jis")

    assert detect_encoding(body, "Shift_JIS") == "shift_jis"
    assert JAPANESE in decode(body, "Shift_JIS")


def test_a_meta_charset_decides_when_the_header_says_nothing():
    body = f'<meta charset="euc-jp"><title>{JAPANESE}</title>'.encode("euc_jp")

    assert detect_encoding(body, None) == "euc_jp"


def test_an_http_equiv_meta_is_read_too():
    body = (
        '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
        "<title>Привет, мир</title>"
    ).encode("cp1251")

    assert "Привет, мир" in decode(body, None)


def test_a_byte_order_mark_wins_over_everything():
    body = "\ufeff<title>BOM</title>".encode("utf-16-le")

    assert detect_encoding(body, "iso-8859-1") == "utf-16-le"
    assert decode(body, "iso-8859-1") == "<title>BOM</title>"


def test_latin1_labels_mean_windows_1252_as_browsers_read_them():
    body = "<title>\u201cquoted\u201d</title>".encode("cp1252")

    assert decode(body, "ISO-8859-1") == "<title>\u201cquoted\u201d</title>"


def test_without_any_declaration_the_bytes_are_guessed():
    text = f"<html><head><title>{JAPANESE}</title></head><body>{'これは日本語の文章です。' * 30}"
    body = text.encode("shift_jis")

    assert JAPANESE in decode(body, None)


def test_an_unknown_charset_label_is_ignored():
    assert decode(b"<title>plain</title>", "no-such-charset") == "<title>plain</title>"


def test_bytes_that_do_not_decode_are_replaced_not_fatal():
    assert decode(b"<title>a\xffb</title>", "utf-8") == "<title>a\ufffdb</title>"
