#!/bin/sh
# Check deploy/nginx-liaison.conf with `nginx -t`, as a deployment would load it: a scratch nginx prefix with the
# site, its proxy include and a throwaway self-signed certificate. Installs Debian's nginx if missing (as root).
set -eu
cd "$(dirname "$0")/.."
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null 2>&1 \
      || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
  else
    echo "nginx missing and this user cannot install it: nginx config not checked" >&2; exit 1
  fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/logs" "$WORK/tls"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=liaison.example.gov.cn" \
  -keyout "$WORK/tls/privkey.pem" -out "$WORK/tls/fullchain.pem" >/dev/null 2>&1
sed -e "s#/etc/liaison/tls/#$WORK/tls/#g" -e "s#/etc/liaison/nginx-proxy.conf#$WORK/nginx-proxy.conf#g" \
  deploy/nginx-liaison.conf > "$WORK/site.conf"
cp deploy/nginx-proxy.conf "$WORK/nginx-proxy.conf"
cat > "$WORK/nginx.conf" <<CONF
pid $WORK/nginx.pid;
error_log $WORK/logs/error.log;
events {}
http {
    access_log off;
    client_body_temp_path $WORK/body; proxy_temp_path $WORK/proxy; fastcgi_temp_path $WORK/fcgi;
    uwsgi_temp_path $WORK/uwsgi; scgi_temp_path $WORK/scgi;
    include $WORK/site.conf;
}
CONF
"$NGINX" -t -q -p "$WORK" -c "$WORK/nginx.conf"
echo "deploy/nginx-liaison.conf: nginx -t ok"
