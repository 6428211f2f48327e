# Two commands on a fresh machine: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test lint install install-dev bench mutation messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.requirements: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.requirements-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.requirements $@

install: $(VENV)/.requirements
install-dev: $(VENV)/.requirements-dev

## Serve the portal with demo data: web, Celery worker and beat, on http://127.0.0.1:$(PORT)
run: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	@# The addresses and logins come last, from the banner process, once all is up.
	@# Ctrl-C: honcho stops the processes; the trap makes it a clean end, not a make error.
	@trap 'exit 0' INT TERM; WEB_PORT=$(PORT) $(BIN)/honcho start -f Procfile

## Production release step: migrate, collect static files, check the deployment (deploy/)
.PHONY: release
release: install
	$(BIN)/python manage.py release

## Lint, migrations check and the whole test suite
test: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## Benchmarks on PostgreSQL (not part of `make test`): 10,000 then 100,000 cases, each page's
## growth printed; BENCH_CASES=1000000 measures 100,000 then a million (seeding it: ~15 min)
BENCH_CASES ?= 10000
bench: install-dev
	@test -n "$$DATABASE_URL" || { echo "make bench runs on PostgreSQL: set DATABASE_URL, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/helpdesk"; exit 2; }
	@if [ "$(BENCH_CASES)" -gt 100000 ]; then \
	  BENCH_CASES=100000 $(BIN)/pytest -o addopts="" tests/bench -q -p no:cacheprovider && \
	  BENCH_CASES=$(BENCH_CASES) $(BIN)/pytest -o addopts="" tests/bench/test_scale.py -q -p no:cacheprovider && \
	  $(BIN)/python tests/bench/compare.py $${VAR_DIR:-var}/bench/bench-100000.json $${VAR_DIR:-var}/bench/bench-$(BENCH_CASES).json; \
	else \
	  BENCH_CASES=$(BENCH_CASES) $(BIN)/pytest -o addopts="" tests/bench/test_scale.py -q -p no:cacheprovider && \
	  BENCH_CASES=100000 $(BIN)/pytest -o addopts="" tests/bench -q -p no:cacheprovider && \
	  $(BIN)/python tests/bench/compare.py $${VAR_DIR:-var}/bench/bench-$(BENCH_CASES).json $${VAR_DIR:-var}/bench/bench-100000.json; \
	fi

## Mutation testing of the routing and response-time rules (mutmut; not part of `make test`)
mutation: install-dev
	@echo "mutmut: about 12 minutes, in a copy of the tracked files under var/mutation/"
	@rm -rf var/mutation && mkdir -p var/mutation
	@git ls-files -z | xargs -0 tar cf - | tar xf - -C var/mutation
	cd var/mutation && ../../$(BIN)/mutmut run > mutmut.log 2>&1 || { tail -5 mutmut.log; exit 1; }
	@cd var/mutation && ../../$(BIN)/mutmut export-cicd-stats > /dev/null
	@cd var/mutation && ../../$(BIN)/python tests/tools/mutation_score.py

## Compile translations after editing locale/*/LC_MESSAGES/django.po
messages: install-dev
	$(BIN)/python manage.py compilemessages

clean:
	rm -rf var/
