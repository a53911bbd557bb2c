# Two commands matter: `make run` and `make test`. Everything else is a step of them.
VENV   := .venv
PYTHON := $(VENV)/bin/python
# The venv is rebuilt whenever pyproject.toml changes.
STAMP  := $(VENV)/.installed-from-pyproject

.PHONY: run test test-fast lint bench venv system-deps simulate clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet '.[test]'
	touch $(STAMP)

venv: $(STAMP)

# Debian packages the tests use: docker-compose (parses docker-compose.yml; no engine needed),
# chromium (the browser test) and dovecot-imapd (IMAP).
system-deps:
	bash scripts/install-system-deps.sh

run: venv
	$(PYTHON) -m devstack.run

# Four processes on two cores: most tests spend much of their time waiting (on servers,
# real-time timers, subprocesses), and two processes left a core idle for about a third
# of the run. A test file stays in one process, so its module-wide fixtures (a dev server,
# a worker stack) start once; files go out in the order tests/conftest.py collects them
# (the longest first), not pytest-xdist's order by number of tests.
test: venv system-deps
	$(PYTHON) -m pytest -n 4 --dist loadfile --no-loadscope-reorder

# The inner loop, in seconds: the pure modules' unit tests and the replay of every
# released history (what a change to workflows/ must keep).
test-fast: venv
	$(PYTHON) -m pytest -q tests/unit tests/test_replay.py

# Run by .ci/run before the tests. Strict typing where the logic lives (workflows/, mentoring/).
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy --strict workflows mentoring
	$(VENV)/bin/mypy mentoring_service activities devstack

# The replies figures read a real IMAP mailbox: Dovecot, from system-deps.
bench: venv system-deps
	$(PYTHON) -m pip install --quiet '.[test,bench]'
	$(PYTHON) -m bench

simulate: venv
	$(PYTHON) starter.py simulate examples/digital-workplace-2027.yaml --outbox var/outbox --start-date today

clean:
	rm -rf var/outbox .pytest_cache
