# Kefu: the two commands are `make demo` and `make test`.
PYTHON_SYSTEM ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SAO_VERSION := 8.0.11
SAO_DIR := sao/node_modules/tryton-sao
DB ?= kefu_demo
UNITS ?= 1000
PORT ?= 8000
MODULES := $(notdir $(wildcard addons/kefu_*))
PG_URI ?= postgresql://postgres@127.0.0.1:5432/
export TRYTOND_CONFIG := $(CURDIR)/trytond.conf
export TRYTOND_DATABASE__PATH := $(CURDIR)/var/db
export TRYTOND_WEB__ROOT := $(CURDIR)/$(SAO_DIR)
export TRYTOND_WEB__LISTEN := localhost:$(PORT)
# A new password for the demo users unless KEFU_DEMO_PASSWORD is set: it is
# printed once and never written to a file.
NEW_PASSWORD = $${KEFU_DEMO_PASSWORD:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(9))')}

.PHONY: demo test test-sqlite test-postgresql install sao browser-deps report-deps serve demo-db demo-password clean-demo bench

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON_SYSTEM) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# sao's index.html refers to node_modules/... inside its own folder: install
# nested, without dev dependencies (see ../shared/docs/tryton-notes.md).
sao: $(SAO_DIR)/index.html

$(SAO_DIR)/index.html:
	mkdir -p sao
	cd sao && npm install --no-audit --no-fund --install-strategy=nested \
		--omit=dev --legacy-peer-deps tryton-sao@$(SAO_VERSION)
	test -f $@

# Chromium and a CJK font for the browser test (Debian packages).
browser-deps:
	@command -v chromium >/dev/null && fc-list :lang=zh | grep -q . || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

# LibreOffice (without its GUI) turns the receipts and dunning letters into
# PDF; pdftotext reads them back in the tests (Debian packages).
report-deps:
	@command -v soffice >/dev/null && command -v pdftotext >/dev/null \
		&& fc-list :lang=zh | grep -q . || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends \
			libreoffice-writer-nogui poppler-utils fonts-noto-cjk \
			>/dev/null; }

# The admin password goes to trytond-admin through a temporary file outside
# the checkout, removed at once; tools/kefu_demo.py prints the password of
# the demo users when it creates them.
demo-db: install
	@mkdir -p var/db
	@set -e; pass="$(NEW_PASSWORD)"; \
	if [ ! -f var/db/$(DB).sqlite ]; then \
		touch var/db/$(DB).sqlite; \
		passfile=$$(mktemp); trap 'rm -f "$$passfile"' EXIT; \
		printf '%s\n' "$$pass" > "$$passfile"; \
		TRYTONPASSFILE="$$passfile" $(VENV)/bin/trytond-admin -d $(DB) \
			--all --email admin@example.com -l zh_CN; \
	fi; \
	$(VENV)/bin/trytond-admin -d $(DB) -u $(MODULES) --activate-dependencies -l zh_CN; \
	KEFU_DEMO_PASSWORD="$$pass" $(PY) tools/kefu_demo.py -d $(DB) --units $(UNITS)

# A new password for admin and every demo user, printed once.
demo-password: install
	@KEFU_DEMO_PASSWORD="$(NEW_PASSWORD)" $(PY) tools/kefu_demo.py -d $(DB) --set-password

demo: install sao report-deps demo-db
	@echo
	@echo "Kefu demo: http://localhost:$(PORT)/  database $(DB)  (make demo PORT=8080 for another port)"
	@echo "  logins admin (every Kefu group) and frontdesk, specialist, supervisor,"
	@echo "  manager, engineer, security, finance, titledeed; the password was printed"
	@echo "  when the demo data was created (make demo-password sets a new one)"
	@echo
	$(VENV)/bin/trytond -d $(DB)

test: test-sqlite

test-sqlite: install sao browser-deps report-deps
	$(PY) tests/run.py

test-postgresql: install sao browser-deps report-deps
	TRYTOND_DATABASE_URI=$(PG_URI) $(PY) tests/run.py

clean-demo:
	rm -f var/db/$(DB).sqlite

# Benchmarks, not tests (bench/README.md): the register on SQLite, the
# tickets' sweep and list and the month's billing run on the PostgreSQL
# server of PG_URI.
bench: install
	$(PY) bench/bench_register.py
	$(PY) bench/bench_ticket.py --uri $(PG_URI)
	$(PY) bench/bench_billing.py --uri $(PG_URI)
