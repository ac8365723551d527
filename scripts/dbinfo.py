"""Print the configured database as shell variables (ENGINE=sqlite|postgresql, NAME=…) and the media root,
for scripts/backup.sh and scripts/restore.sh: the same settings as the site, whatever DATABASE_URL says."""

import os
import shlex
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")

import django  # noqa: E402

django.setup()
from django.conf import settings  # noqa: E402

db = settings.DATABASES["default"]
engine = "sqlite" if db["ENGINE"].endswith("sqlite3") else "postgresql"
print(f"ENGINE={engine}")
print(f"NAME={shlex.quote(str(db['NAME']))}")
print(f"MEDIA={shlex.quote(str(settings.MEDIA_ROOT))}")
