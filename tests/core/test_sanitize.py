from django.template import Context, Template

from democracy.core.sanitize import clean_html, clean_line, clean_text


def test_keeps_allowed_formatting():
    html = "<p>Hej <strong>alla</strong> <em>grannar</em></p><ul><li>ett</li></ul>"
    assert clean_html(html) == html


def test_removes_scripts_handlers_and_styles():
    dirty = (
        '<p onclick="steal()">Text</p><script>alert(1)</script>'
        '<img src=x onerror="alert(1)"><iframe src="https://evil.example"></iframe>'
        '<p style="color:red">röd</p>'
    )
    cleaned = clean_html(dirty)
    for fragment in ("onclick", "<script", "onerror", "<img", "<iframe", "style="):
        assert fragment not in cleaned
    assert "<p>Text</p>" in cleaned
    assert "<p>röd</p>" in cleaned


def test_drops_javascript_links_and_marks_links_ugc():
    cleaned = clean_html(
        '<a href="javascript:alert(1)">x</a> <a href="https://norrvik.example">y</a>'
    )
    assert "javascript:" not in cleaned
    assert 'href="https://norrvik.example"' in cleaned
    assert 'rel="nofollow ugc noopener"' in cleaned


def test_bare_urls_become_links():
    assert '<a href="https://www.norrvik.se/park"' in clean_html("Se https://www.norrvik.se/park")


def test_clean_text_strips_every_tag():
    assert clean_text("<b>fet</b> <script>x()</script>") == "fet x()"


def test_clean_text_keeps_characters_as_written_so_pages_escape_them_once():
    assert (
        clean_text('Skola & förskola: 3 < 5 > 4 "citat"') == 'Skola & förskola: 3 < 5 > 4 "citat"'
    )
    rendered = Template("{{ value }}").render(Context({"value": clean_text("Bad & gym")}))
    assert rendered == "Bad &amp; gym"


def test_clean_line_makes_one_line():
    assert clean_line("Ämne\r\nBcc: x@example.org\n") == "Ämne Bcc: x@example.org"


def test_rich_text_filter_sanitises_even_unclean_stored_values():
    rendered = Template("{% load delta %}{{ value|rich_text }}").render(
        Context({"value": "<p>ok</p><script>bad()</script>"})
    )
    assert rendered == "<p>ok</p>bad()"
