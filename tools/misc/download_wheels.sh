#!/usr/bin/env bash
# Download every wheel the set-up needs into one folder, for a node without network.
#
#   make wheels                       # for this interpreter and this machine
#   bash tools/misc/download_wheels.sh --python-version 3.11 --platform manylinux_2_28_x86_64
#
# Fills the wheelhouse with the wheels of requirements/torch.txt, runtime.txt,
# tests.txt and no_deps.txt and projects/transfer_study/requirements.txt,
# under requirements/constraints.txt, with their dependencies, setuptools,
# wheel and ninja, and mmcv 2.1.0's source (the node builds it). A package
# published only as source is built into a wheel here: a pure-Python one
# fits any target. Copy the folder to the node, then run there
#   MMBRAIN_WHEELHOUSE=<the folder> MMBRAIN_OFFLINE=1 make setup
#
# Options:
#   --python-version X.Y   the node's Python (default: $PYTHON's)
#   --platform TAG         the node's platform (default: this machine's; repeatable).
#                          manylinux_2_N_<arch> also takes older manylinux
#                          wheels; torch 2.13 needs manylinux_2_28 (glibc 2.28)
#   --dest DIR             the wheelhouse (default: $MMBRAIN_WHEELHOUSE, else
#                          ${XDG_CACHE_HOME:-~/.cache}/mmbrain/wheelhouse)
#   --requirements FILE    download these requirements instead of the
#                          project's, and no mmcv source (repeatable)
# Environment: PYTHON, the interpreter whose pip downloads (default python3).
case "${1:-}" in
  -h|--help) awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "$0"; exit 0 ;;
esac
set -euo pipefail
cd "$(dirname "$0")/../.."

PYTHON=${PYTHON:-python3}
dest=${MMBRAIN_WHEELHOUSE:-${XDG_CACHE_HOME:-${HOME:-$PWD}/.cache}/mmbrain/wheelhouse}
python_version=
platforms=()
requirements=()

log() { printf '[wheels] %s\n' "$*"; }
die() { printf '[wheels] %s\n' "$*" >&2; exit 1; }
usage() { echo "download_wheels.sh: error: $* (see --help)" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case $1 in
    --python-version|--platform|--dest|--requirements)
      [ $# -ge 2 ] || usage "$1 needs a value" ;;&
    --python-version) python_version=$2 ;;
    --platform) platforms+=("$2") ;;
    --dest) dest=$2 ;;
    --requirements) requirements+=("$2") ;;
    *) usage "unknown argument $1" ;;
  esac
  shift 2
done

older_manylinux() {  # manylinux_2_28_x86_64 -> it and every older manylinux tag of that arch
  local minor arch m
  case $1 in
    manylinux2014_*) older_manylinux "manylinux_2_17_${1#manylinux2014_}"; return ;;
    manylinux2010_*) older_manylinux "manylinux_2_12_${1#manylinux2010_}"; return ;;
    manylinux_2_[0-9]*_?*) ;;
    *) echo "$1"; return ;;
  esac
  minor=${1#manylinux_2_}
  arch=${minor#*_}
  minor=${minor%%_*}
  for ((m = minor; m >= 5; m--)); do echo "manylinux_2_${m}_$arch"; done
  [ "$minor" -lt 17 ] || echo "manylinux2014_$arch"
  [ "$minor" -lt 12 ] || echo "manylinux2010_$arch"
  echo "manylinux1_$arch"
}

target=()  # pip's options for another interpreter or platform
[ -z "$python_version" ] || target+=(--python-version "$python_version")
for platform in ${platforms[@]+"${platforms[@]}"}; do
  for tag in $(older_manylinux "$platform"); do target+=(--platform "$tag"); done
done
for_what="python ${python_version:-$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')} on ${platforms[*]:-this platform}"

download() {  # pip download --only-binary :all: "$@" into $dest; a package with no wheel is built from its source
  local log spec name tries=0 built=
  log=$(mktemp "${TMPDIR:-/tmp}/mmbrain-wheels.XXXXXX")
  until "$PYTHON" -m pip download --disable-pip-version-check -q --only-binary=:all: \
      --find-links "$dest" -d "$dest" ${target[@]+"${target[@]}"} "$@" >"$log" 2>&1; do
    spec=$(sed -n 's/^ERROR: No matching distribution found for \(.*\)$/\1/p' "$log" | head -n 1)
    [ -n "$spec" ] || die "pip download failed: $(grep '^ERROR:' "$log" | tail -n 1) (pip's output: $log)"
    case " $built " in
      *" $spec "*) die "no wheel of '$spec' for $for_what, and its source builds only for this machine (pip's output: $log)" ;;
    esac
    tries=$((tries + 1))
    [ "$tries" -le 20 ] || die "more than 20 packages without wheels (pip's output: $log)"
    name=$(printf '%s' "$spec" | sed 's/[[:space:]]*[][<>=!~;(].*//')
    log "no wheel of '$spec': building one from its source"
    "$PYTHON" -m pip wheel --disable-pip-version-check -q --no-deps \
        --no-binary "$name" -c requirements/constraints.txt -w "$dest" "$spec" >"$log" 2>&1 \
      || die "no wheel of '$spec' for $for_what, and its source did not build (pip's output: $log)"
    built="$built $spec"
  done
  rm -f "$log"
}

mmcv_source() {  # mmcv 2.1.0's sdist from pip's index (pip download would need torch to read it)
  local index
  index=${PIP_INDEX_URL:-$("$PYTHON" -m pip config get global.index-url 2>/dev/null || echo https://pypi.org/simple/)}
  "$PYTHON" - "$index" "$dest" <<'EOF' || die "mmcv 2.1.0's source could not be downloaded from $index"
import hashlib
import os
import re
import sys
import urllib.request
from urllib.parse import urljoin, urldefrag

index, dest = sys.argv[1:]
name = 'mmcv-2.1.0.tar.gz'
path = os.path.join(dest, name)
if os.path.exists(path):
    sys.exit(0)
page = urljoin(index.rstrip('/') + '/', 'mmcv/')
with urllib.request.urlopen(page, timeout=60) as response:
    html = response.read().decode()
links = [urljoin(page, href) for href, text in re.findall(
    r'<a[^>]*href="([^"]+)"[^>]*>\s*([^<]+?)\s*</a>', html) if text == name]
if not links:
    sys.exit(f'{name} is not listed on {page}')
url, fragment = urldefrag(links[0].replace('&amp;', '&'))
with urllib.request.urlopen(url, timeout=300) as response:
    data = response.read()
if fragment.startswith('sha256='):
    assert hashlib.sha256(data).hexdigest() == fragment[7:], 'sha256 differs'
with open(path + '.part', 'wb') as f:
    f.write(data)
os.replace(path + '.part', path)
EOF
}

mkdir -p "$dest"
log "downloading into $dest, for $for_what"
if [ ${#requirements[@]} -gt 0 ]; then
  args=()
  for file in "${requirements[@]}"; do args+=(-r "$file"); done
  download -c requirements/constraints.txt "${args[@]}"
else
  download -c requirements/constraints.txt setuptools wheel ninja \
    -r requirements/torch.txt -r requirements/runtime.txt \
    -r requirements/tests.txt -r projects/transfer_study/requirements.txt
  # installed with --no-deps (its pins conflict with the stack's)
  download --no-deps -r requirements/no_deps.txt
  mmcv_source
fi
log "$(find "$dest" -maxdepth 1 -type f | wc -l) files, $(du -sh "$dest" | cut -f 1) in $dest; on the node: MMBRAIN_WHEELHOUSE=$dest MMBRAIN_OFFLINE=1 make setup"
