# Two commands matter: `make run` and `make test`. Everything else is a step of them.
VENV   := .venv
PYTHON := $(VENV)/bin/python
# The venv is rebuilt whenever pyproject.toml changes.
STAMP  := $(VENV)/.installed-from-pyproject

.PHONY: run test bench venv system-deps simulate clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

# Debian packages the tests use: docker-compose (parses docker-compose.yml; no engine needed),
# chromium (the browser test) and dovecot-imapd (IMAP).
system-deps:
	bash scripts/install-system-deps.sh

run: venv
	$(PYTHON) -m devstack.run

test: venv system-deps
	$(PYTHON) -m pytest

bench: venv
	$(PYTHON) -m pip install --quiet -e '.[test,bench]'
	$(PYTHON) -m bench

simulate: venv
	$(PYTHON) starter.py simulate examples/digital-workplace-2027.yaml --outbox var/outbox --start-date today

clean:
	rm -rf var/outbox .pytest_cache
