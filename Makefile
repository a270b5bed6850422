# Two commands do everything on a fresh Debian/Ubuntu machine:
#   make run   — set up, build the demo warehouse if absent, serve the app on http://localhost:8501
#   make test  — set up, run every test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.requirements-installed
PORT   ?= 8501
WAREHOUSE_PATH ?= data/warehouse.duckdb
SUDO   := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
SYSTEM_PACKAGES := chromium fonts-noto-cjk postgresql

export WAREHOUSE_PATH
export BROWSER_PATH := /usr/bin/chromium

.PHONY: setup system venv run demo test test-fast test-ducklake bench soak clean-demo

setup: system venv

# Debian's chromium (chart images, browser tests), Noto CJK fonts (Chinese in images) and PostgreSQL
# (the DuckLake backend's catalog; the tests start their own server on loopback).
system:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "安装系统软件包:$$missing"; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi

venv: $(STAMP)

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $(STAMP)

demo: setup
	@if [ ! -f "$(WAREHOUSE_PATH)" ]; then $(BIN)/python -m etl demo && $(BIN)/python -m accounts demo; \
	else echo "仓库已存在：$(WAREHOUSE_PATH)"; fi

run: demo
	@$(BIN)/python -m accounts demo --show
	@echo "首次启动约需两分钟；本机访问 http://localhost:$(PORT) ，同一内网的其他电脑访问 http://本机IP:$(PORT)"
	$(BIN)/python -m ui.serve --server.port $(PORT) --server.headless true

test: setup
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

test-fast: setup
	$(BIN)/python -m pytest -q -n 2 --dist loadfile -m "not browser"

# The whole suite on the DuckLake backend: tests/conftest.py starts a PostgreSQL server on loopback
# for the run (make test runs tests/test_ducklake.py, its fast part, on both backends).
test-ducklake: setup
	WAREHOUSE_BACKEND=ducklake $(BIN)/python -m pytest -q -n 2 --dist loadfile

bench: setup
	$(BIN)/python -m bench

soak: setup
	$(BIN)/python -m pytest -q -m soak

clean-demo:
	rm -rf data/demo data/warehouse.duckdb data/warehouse.duckdb.wal
