#!/usr/bin/env bash
# Install what the tests and the demo need, if it is missing:
# Debian's MediaWiki and PHP (apt-get, as root), MediaWiki 1.43 from Debian 13
# unpacked into a cache (see fetch_mediawiki_143) and a Python venv in .venv.
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

# The suite also runs against MediaWiki 1.43, which Debian 12 does not ship. Debian 13's
# packages are architecture-independent PHP, so they are downloaded with apt-get from the
# mirror this machine already uses, through a sources list and package lists of their own
# in a temporary directory: the system's sources and package lists are left alone. The
# tree is unpacked outside the repository, so that every clone and worktree of this user
# shares one copy (330 MB) and no copy of the repository (tests/e2e/test_install.py) drags it
# along. EMAILUSER_TEST_CACHE moves it; tests/harness/wiki.py looks in the same place.
cache=${EMAILUSER_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/emailuser-tests}
mediawiki_143=$cache/mediawiki-1.43

fetch_mediawiki_143() {
    local codename mirror tmp apt_options tree
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    mirror=$(apt-get indextargets --no-release-info --format '$(REPO_URI)' \
        "Release: $codename" 'Component: main' 'Created-By: Packages' | head -n 1)
    if [[ -z $mirror ]]; then
        echo "No Debian mirror for '$codename main' in this machine's apt sources:" \
            "cannot download MediaWiki 1.43." >&2
        return 1
    fi
    mkdir -p "$cache"
    tmp=$(mktemp -d "$cache/fetch.XXXXXX")
    # Removed however the download ends; the cache holds only complete trees.
    trap 'rm -rf "$tmp"' EXIT
    echo "deb $mirror trixie main" >"$tmp/sources.list"
    mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/debs" "$tmp/unpacked"
    apt_options=(
        -o "Dir::Etc::sourcelist=$tmp/sources.list" -o Dir::Etc::sourceparts=-
        -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache"
        # apt's download user cannot write into this private directory.
        -o "APT::Sandbox::User=$(id -un)"
    )
    echo "Downloading MediaWiki 1.43 (Debian 13's mediawiki, about 53 MB) into $mediawiki_143..."
    apt-get "${apt_options[@]}" -qq update
    (cd "$tmp/debs" && apt-get "${apt_options[@]}" -qq download mediawiki mediawiki-classes)
    for deb in "$tmp"/debs/*.deb; do
        dpkg-deb -x "$deb" "$tmp/unpacked"
    done
    tree=$tmp/unpacked/usr/share/mediawiki
    # These point into /var/lib/mediawiki, where Debian 12's MediaWiki keeps its own
    # extensions and settings: the harness passes MW_CONFIG_FILE and needs no extension.
    # The skins, Vector among them, are real folders in the package and stay as they are.
    rm "$tree/LocalSettings.php" "$tree/config" "$tree/extensions" "$tree/images"
    mkdir "$tree/extensions" "$tree/images"
    dpkg-deb -f "$tmp"/debs/mediawiki_*.deb Version >"$tree/debian-version"
    # A setup running at the same time may have got there first: keep its tree.
    mv -T "$tree" "$mediawiki_143" 2>/dev/null || [[ -f $mediawiki_143/api.php ]]
    rm -rf "$tmp"
    trap - EXIT
}

if [[ ! -f $mediawiki_143/api.php ]]; then
    fetch_mediawiki_143
fi

# A Python of version $1 (such as 3.13) that this machine has, pyenv's or on the PATH.
find_python() {
    local version=$1 candidate
    local pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
    for candidate in \
        $(ls -d "$pyenv_root/versions/$version".*/bin/"python$version" 2>/dev/null | sort -rV) \
        "$(command -v "python$version" 2>/dev/null)"; do
        # A pyenv shim is on the PATH whether or not it can run this version.
        if [[ -n $candidate ]] && "$candidate" -c \
            "import sys; sys.exit(sys.version[:len('$version.')] != '$version.')" 2>/dev/null; then
            echo "$candidate"
            return
        fi
    done
}

# The version matrix (tests/versions.txt): a venv in .venvs/pyX.Y for each Python of the
# list that this machine has (pyenv's, or on the PATH), with that line's Pywikibot. One
# whose Python is missing is not made; tests/run.sh says so and runs the others. They
# are made while .venv is (pip keeps one core busy), and waited for below.
make_matrix_venvs() {
    while read -r python_version pywikibot_version; do
        [[ -z $python_version || $python_version == \#* ]] && continue
        venv=.venvs/py$python_version
        interpreter=$(find_python "$python_version")
        [[ -n $interpreter ]] || continue
        wanted="$("$interpreter" -V) pywikibot==$pywikibot_version $(cat tests/requirements-matrix.txt)"
        if [[ -x $venv/bin/python && $(cat "$venv/requirements.installed" 2>/dev/null) == "$wanted" ]]; then
            continue
        fi
        echo "Creating $venv (Python $python_version, Pywikibot $pywikibot_version)..."
        rm -rf "$venv"
        "$interpreter" -m venv "$venv"
        "$venv/bin/python" -m pip install -q --disable-pip-version-check \
            -r tests/requirements-matrix.txt "pywikibot==$pywikibot_version"
        printf '%s' "$wanted" >"$venv/requirements.installed"
    done <tests/versions.txt
}
make_matrix_venvs &
matrix_venvs=$!

# The suite's venv, .venv: the newest Python this machine has (PYTHON=... chooses another),
# so that the whole suite runs on it; the version matrix above adds the oldest.
python=${PYTHON:-}
for version in 3.14 3.13 3.12 3.11 3.10; do
    [[ -n $python ]] && break
    python=$(find_python "$version")
done
python=${python:-python3}
wanted="$("$python" -V) $(cat tests/requirements.txt)"
if [[ -x .venv/bin/python && "$(.venv/bin/python -V)" != "$("$python" -V)" ]]; then
    echo "Making .venv again, with $("$python" -V)..."
    rm -rf .venv
fi
if [[ ! -x .venv/bin/python ]]; then
    echo "Creating the virtual environment .venv ($("$python" -V))..."
    "$python" -m venv .venv
fi
if [[ $(cat .venv/requirements.installed 2>/dev/null) != "$wanted" ]]; then
    echo "Installing Python packages into .venv..."
    .venv/bin/python -m pip install -q --disable-pip-version-check -r tests/requirements.txt
    printf '%s' "$wanted" >.venv/requirements.installed
fi

wait "$matrix_venvs"

# The script's modules compiled for each venv's Python now, once: where the environment
# sets PYTHONDONTWRITEBYTECODE, every run of pwb in the tests would compile them again
# (80 ms of the half second of CPU a run costs). Python checks each file's time stamp
# and size, so a module changed later is compiled from its source as usual.
for python in .venv/bin/python .venvs/py*/bin/python; do
    if [[ -x $python ]]; then
        "$python" -m compileall -q scripts tests/harness >/dev/null
    fi
done
