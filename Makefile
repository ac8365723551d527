# Liaison — the two commands: `make run` (set up and serve the demo) and `make test` (the whole suite).
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: run test lint setup static serve clean mutation

$(PY):
	"$$(sh scripts/find-python)" -m venv $(VENV)
	$(PY) -m pip install -q -U pip

$(STAMP): $(PY) requirements.txt
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(DEVSTAMP): $(STAMP) requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

static/vendor/chizhou-map.js static/vendor/echarts.custom.min.js: package.json frontend/echarts-custom.js
	sh scripts/vendor-static.sh

static: static/vendor/chizhou-map.js static/vendor/echarts.custom.min.js locale/en/LC_MESSAGES/django.mo locale/zh_Hans/LC_MESSAGES/django.mo

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(STAMP)
	sh scripts/install-gettext.sh
	$(PY) manage.py compilemessages -v 0

setup: $(STAMP) static
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py loaddemo --if-empty

run: setup
	sh scripts/serve.sh $(PORT)

test: $(DEVSTAMP) static
	sh scripts/install-browser.sh || true
	sh scripts/test.sh

# Mutation score per module (slow; not part of `make test` or CI): `make mutation`, or `make mutation MODULES="workdays months"`.
# Modules and their tests: [tool.liaison.mutation] in pyproject.toml; results: docs/benchmarks.md "Mutation score".
mutation: $(DEVSTAMP)
	nice -n 19 $(PY) scripts/mutation.py $(MODULES)

lint: $(DEVSTAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles
