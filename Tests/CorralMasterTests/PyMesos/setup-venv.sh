#!/usr/bin/env bash
# Installs pymesos from PyPI into a virtualenv, for the pymesos compatibility test.
#
# Usage: setup-venv.sh <venv-dir>
#   PYTHON=/path/to/python3  interpreter used to create the venv (default: python3)
#
# pymesos depends on http-parser 0.9.0, whose C extension does not compile on
# Python 3.11. We install http-parser from its sdist with the extension switched
# off (setup.py: `run_setup(not IS_PYPY)` -> `run_setup(False)`); pymesos then
# uses http-parser's pure-Python parser. Idempotent: a venv in which
# `import pymesos, http_parser` already works is left as it is.
set -euo pipefail

PYMESOS_VERSION=0.3.15
HTTP_PARSER_VERSION=0.9.0

die() { echo "setup-venv: error: $*" >&2; exit 1; }
say() { echo "setup-venv: $*"; }

[ $# -eq 1 ] || die "usage: $0 <venv-dir>"
VENV=$1
PY=${PYTHON:-python3}
command -v "$PY" >/dev/null 2>&1 || die "no '$PY' on PATH"

# Fast path: already installed (at the pinned version).
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" - "$PYMESOS_VERSION" >/dev/null 2>&1 <<'PY'
import sys, importlib.metadata as m
import pymesos, http_parser
sys.exit(m.version("pymesos") != sys.argv[1])
PY
then
    say "pymesos $PYMESOS_VERSION already importable in $VENV; nothing to do"
    exit 0
fi

# The venv module (and ensurepip, which Debian splits out into python3-venv).
if ! "$PY" -c 'import venv, ensurepip' >/dev/null 2>&1; then
    say "python venv/ensurepip missing for $PY; installing python3-venv with apt-get"
    command -v apt-get >/dev/null 2>&1 || die "python3 venv support is missing and there is no apt-get to install python3-venv"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y python3-venv >/dev/null 2>&1 \
        || { apt-get update >/dev/null && apt-get install -y python3-venv >/dev/null; } \
        || die "apt-get install python3-venv failed"
    "$PY" -c 'import venv, ensurepip' >/dev/null 2>&1 || die "python3-venv installed but '$PY -m venv' still unusable"
fi

if [ ! -x "$VENV/bin/python" ]; then
    say "creating virtualenv $VENV with $("$PY" --version 2>&1)"
    "$PY" -m venv "$VENV" || die "python -m venv $VENV failed"
else
    say "reusing virtualenv $VENV"
fi
VPY=$VENV/bin/python
PIP=("$VPY" -m pip --disable-pip-version-check --no-input)

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if ! "$VPY" -c 'import http_parser' >/dev/null 2>&1; then
    say "downloading http-parser==$HTTP_PARSER_VERSION sdist"
    "${PIP[@]}" download --quiet --no-deps --no-binary :all: -d "$TMP/dl" "http-parser==$HTTP_PARSER_VERSION" \
        || die "pip download http-parser==$HTTP_PARSER_VERSION failed"
    SDIST=$(ls "$TMP"/dl/http-parser-"$HTTP_PARSER_VERSION".tar.gz "$TMP"/dl/http_parser-"$HTTP_PARSER_VERSION".tar.gz 2>/dev/null | head -n1 || true)
    [ -n "$SDIST" ] || die "no http-parser sdist in $TMP/dl: $(ls "$TMP/dl")"
    tar -xzf "$SDIST" -C "$TMP" || die "cannot unpack $SDIST"
    SRC=$(find "$TMP" -mindepth 1 -maxdepth 1 -type d -iname 'http*parser*' | head -n1)
    [ -n "$SRC" ] && [ -f "$SRC/setup.py" ] || die "unpacked sdist has no setup.py"
    grep -q 'run_setup(not IS_PYPY)' "$SRC/setup.py" \
        || die "pattern 'run_setup(not IS_PYPY)' not found in http-parser's setup.py; cannot switch off its C extension"
    sed -i 's/run_setup(not IS_PYPY)/run_setup(False)/' "$SRC/setup.py"
    grep -q 'run_setup(False)' "$SRC/setup.py" || die "patching http-parser setup.py failed"
    say "patched http-parser setup.py: C extension off (pure-Python parser)"
    "${PIP[@]}" install --quiet --no-build-isolation "$SRC" 2>"$TMP/pip.err" \
        || "${PIP[@]}" install --quiet "$SRC" \
        || { cat "$TMP/pip.err" >&2; die "pip install of patched http-parser failed"; }
    "$VPY" -c 'import http_parser' || die "http_parser not importable after install"
    say "installed http-parser $HTTP_PARSER_VERSION (pure Python)"
fi

say "installing pymesos==$PYMESOS_VERSION"
"${PIP[@]}" install --quiet "pymesos==$PYMESOS_VERSION" || die "pip install pymesos==$PYMESOS_VERSION failed"
"$VPY" -c 'import pymesos, http_parser' || die "pymesos not importable after install"
"$VPY" -c 'from http_parser.http import HttpParser; import http_parser.pyparser as p; assert HttpParser is p.HttpParser, HttpParser' \
    || die "pymesos would not use http-parser's pure-Python parser"
say "done: pymesos $PYMESOS_VERSION in $VENV"
