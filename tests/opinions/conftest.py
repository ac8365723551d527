import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Photos and minutes are written to MEDIA_ROOT: keep them out of var/.
    settings.MEDIA_ROOT = tmp_path / "media"
