#!/bin/sh
# Browser for the end-to-end tests: Debian's Chromium (Playwright drives /usr/bin/chromium; it never downloads one).
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = "0" ]; then
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "chromium is not installed and this user cannot apt-get install it; browser tests will be skipped" >&2
fi
