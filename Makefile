# The two commands: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck bench clean demo-reset browser

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/alsfrs-bot run

lint: $(STAMP)
	$(BIN)/ruff check bot localapi conversations storage locales tests benchmarks
	$(BIN)/ruff format --check bot localapi conversations storage locales tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy
	$(BIN)/lint-imports

test: $(STAMP) browser lint typecheck
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

# Debian's Chromium (and an emoji font) for the browser tests, from Debian's packages only:
# Playwright drives this browser and never downloads one.
CHROMIUM := /usr/bin/chromium
EMOJI_FONT := /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
SUDO := $(shell test "$$(id -u)" = 0 || echo sudo)
browser:
	@if ! test -x $(CHROMIUM) || ! test -e $(EMOJI_FONT); then \
		$(SUDO) apt-get update && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y --no-install-recommends chromium fonts-noto-color-emoji; \
	fi

# Delete local mode's demo database; the next `make run` without a token seeds a new one.
demo-reset: $(STAMP)
	$(BIN)/alsfrs-bot demo-reset

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
