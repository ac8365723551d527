#!/bin/sh
# GNU gettext's msgfmt compiles locale/*/LC_MESSAGES/django.po (`manage.py compilemessages`). Debian package: gettext.
command -v msgfmt >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = "0" ]; then
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null
elif command -v sudo >/dev/null 2>&1; then
  sudo apt-get install -y -qq gettext >/dev/null
else
  echo "msgfmt missing: install the gettext package (apt-get install gettext)" >&2
  exit 1
fi
