#!/usr/bin/env bash
# Makes (once) a virtualenv with the unmodified Mesos CLI from PyPI (avmesos-cli, which
# imports requests without declaring it) for the Mesos CLI compatibility test.
# Usage: setup-venv.sh DIR
set -euo pipefail
VENV=$1
if [ -x "$VENV/bin/mesos-cli" ] && "$VENV/bin/python" -c 'import avmesos, requests' 2>/dev/null; then exit 0; fi
if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
fi
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --disable-pip-version-check avmesos-cli==1.0.0 requests
