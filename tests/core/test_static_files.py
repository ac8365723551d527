"""Static files as production serves them (liaison.lib.staticstorage): collectstatic writes hashed names with gzip
and Brotli copies, pages link the hashed names, whitenoise serves them with a long immutable cache."""

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def collected(settings, tmp_path):
    source = tmp_path / "static"
    (source / "css").mkdir(parents=True)
    # A vendored file's source-map comment whose map was not copied must not fail collectstatic.
    (source / "css" / "liaison.css").write_text("body { color: #222; }\n" * 200 + "/*# sourceMappingURL=x.css.map */\n")
    (source / "vendor").mkdir()
    (source / "vendor" / "lib.js").write_text("var a = 1;\n" * 500 + "//# sourceMappingURL=lib.js.map\n")
    settings.STATICFILES_DIRS = [source]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = tmp_path / "root"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "liaison.lib.staticstorage.StaticStorage"}}
    settings.WHITENOISE_USE_FINDERS = False
    call_command("collectstatic", "--noinput", verbosity=0)
    return settings.STATIC_ROOT


def test_it_writes_hashed_names_with_gzip_and_brotli_copies(collected):
    names = {p.name for p in (collected / "vendor").iterdir()}
    hashed = [n for n in names if n.startswith("lib.") and n.endswith(".js") and n != "lib.js"]
    assert len(hashed) == 1 and f"{hashed[0]}.gz" in names and f"{hashed[0]}.br" in names
    assert (collected / "staticfiles.json").exists()


def test_it_serves_hashed_files_compressed_with_an_immutable_cache(collected):
    from django.templatetags.static import static

    url = static("vendor/lib.js")
    assert url != "/static/vendor/lib.js"
    response = Client().get(url, headers={"accept-encoding": "br, gzip"})
    assert response.status_code == 200 and response["Content-Encoding"] == "br"
    assert "immutable" in response["Cache-Control"] and "max-age=315360000" in response["Cache-Control"]


def test_it_links_a_file_not_yet_collected_by_its_plain_name_rather_than_failing(collected):
    from django.templatetags.static import static

    assert static("js/added-later.js") == "/static/js/added-later.js"
