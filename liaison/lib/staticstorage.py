"""Static files as production serves them: hashed names (a year's immutable cache), gzip and Brotli copies.

Django's manifest storage also rewrites `sourceMappingURL` comments, and fails when the map is not there: the
vendored libraries (static/vendor/, copied from npm without their .map files) carry such comments. Source maps are
for developers' tools, not for residents' phones, so those references are left as they are.
"""

import logging

from whitenoise.storage import CompressedManifestStaticFilesStorage

logger = logging.getLogger(__name__)


def _without_source_maps(patterns):
    def keep(pattern):
        return "sourceMappingURL" not in (pattern if isinstance(pattern, str) else pattern[0])

    return tuple((glob, tuple(p for p in found if keep(p))) for glob, found in patterns)


class StaticStorage(CompressedManifestStaticFilesStorage):
    patterns = _without_source_maps(CompressedManifestStaticFilesStorage.patterns)

    def stored_name(self, name):
        # A file missing from STATIC_ROOT (collectstatic not run since it was added) is a broken link on the page,
        # logged, rather than a 500 for the whole page.
        try:
            return super().stored_name(name)
        except ValueError:
            logger.warning("static file %s is not collected; run manage.py collectstatic", name)
            return name
