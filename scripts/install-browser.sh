#!/bin/sh
# Browser for the end-to-end tests: Debian's Chromium (Playwright drives /usr/bin/chromium; it never downloads
# one) and the Noto CJK fonts, so that pages and screenshots show Chinese rather than boxes.
need=""
command -v chromium >/dev/null 2>&1 || need="chromium"
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need="$need fonts-noto-cjk"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = "0" ]; then
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
else
  echo "missing: $need; this user cannot apt-get install it; browser tests will be skipped" >&2
fi
