#!/usr/bin/env bash
# Install what the tests and the demo need, if it is missing:
# Debian's MediaWiki and PHP (apt-get, as root) and a Python venv in .venv.
# Safe to run again: it installs only what is not there yet.
set -euo pipefail
cd "$(dirname "$0")/.."

debs=(mediawiki php-cli php-sqlite3 php-intl php-mbstring php-xml)
missing=()
for deb in "${debs[@]}"; do
    dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q 'install ok installed' \
        || missing+=("$deb")
done
if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "These Debian packages are missing: ${missing[*]}. Install them as root with:" >&2
        echo "  apt-get install -y --no-install-recommends ${debs[*]}" >&2
        exit 1
    fi
    echo "Installing ${missing[*]} with apt-get..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${debs[@]}" >/dev/null
fi

python=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
    echo "Creating the virtual environment .venv..."
    "$python" -m venv .venv
fi
if ! cmp -s tests/requirements.txt .venv/requirements.installed; then
    echo "Installing Python packages into .venv..."
    .venv/bin/python -m pip install -q --disable-pip-version-check -r tests/requirements.txt
    cp tests/requirements.txt .venv/requirements.installed
fi
