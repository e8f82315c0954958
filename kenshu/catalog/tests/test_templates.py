"""Front-end rules for every template: assets are vendored, nothing loads from another host."""

import re
from pathlib import Path

from django.conf import settings

KENSHU_DIR = Path(settings.BASE_DIR) / "kenshu"
EXTERNAL_ASSET = re.compile(
    r"""(?:\bsrc\s*=\s*["']?\s*(?:https?:)?//)"""  # <script src>, <img src>, <iframe src>
    r"""|(?:<link\b[^>]*\bhref\s*=\s*["']?\s*(?:https?:)?//)"""  # stylesheets, fonts, icons
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)"""  # CSS url(...)
    r"""|(?:@import\s+["']?\s*(?:https?:)?//)""",
    re.IGNORECASE,
)


def _site_files():
    for path in sorted(KENSHU_DIR.rglob("*")):
        if "vendor" in path.parts or not path.is_file():
            continue
        if path.suffix in {".html", ".css"} and (
            "templates" in path.parts or path.suffix == ".css"
        ):
            yield path


def test_no_template_or_stylesheet_loads_anything_from_another_host():
    offenders = [
        f"{path.relative_to(KENSHU_DIR)}: {match.group(0)}"
        for path in _site_files()
        for match in EXTERNAL_ASSET.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_check_finds_an_external_script():
    assert EXTERNAL_ASSET.search('<script src="https://cdn.example.com/x.js"></script>')
    assert EXTERNAL_ASSET.search('<link rel="stylesheet" href="//fonts.example.com/a.css">')
    assert not EXTERNAL_ASSET.search('<script src="/static/vendor/htmx/htmx.min.js"></script>')


def test_every_static_file_the_layout_loads_is_found_by_staticfiles():
    """base.html's stylesheets and scripts must be served (runserver, live_server, collectstatic).

    kenshu/static/ is not an app's static directory: it needs settings.STATICFILES_DIRS.
    """
    from django.contrib.staticfiles import finders

    base = (KENSHU_DIR / "templates" / "base.html").read_text(encoding="utf-8")
    referenced = re.findall(r"""\{% static ['"]([^'"]+)['"] %\}""", base)
    assert "kenshu/kenshu.css" in referenced
    assert [path for path in referenced if finders.find(path) is None] == []
