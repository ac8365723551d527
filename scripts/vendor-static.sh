#!/bin/sh
# Copy the npm-installed front-end libraries into static/vendor/ (served by whitenoise; no CDN).
set -e
cd "$(dirname "$0")/.."
npm install --no-audit --no-fund --silent
mkdir -p static/vendor
cp node_modules/bootstrap/dist/css/bootstrap.min.css static/vendor/
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js static/vendor/
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/
cp node_modules/echarts/dist/echarts.min.js static/vendor/
