#!/usr/bin/env bash
# Create (or update) the project's virtualenv with the whole OpenMMLab stack.
#
#   bash tools/misc/setup_env.sh           # what `make setup`, `make test` and `make demo` run
#   bash tools/misc/setup_env.sh --force   # check every step even when $VENV looks up to date
#   bash tools/misc/setup_env.sh --where   # print the caches, the mmcv wheel it would reuse, offline or not
#
# Idempotent: it returns at once when $VENV was set up after the last change
# to setup.py and the requirements, and every step is skipped when its result
# is already there. mmcv 2.1.0 is built from source once per machine (10 to
# 15 min on 2 cores); its wheel is kept outside the clone, in
#   $MMBRAIN_WHEEL_CACHE/mmcv-2.1.0-<cpu|cuda-arch<GPUs>>-torch<torch version>/
# where every clone finds it (a wheel left in a clone's old .cache/wheels is
# copied there). Offline it installs from the wheelhouse of `make wheels`.
#
# Environment:
#   VENV                  virtualenv folder (default .venv)
#   PYTHON                interpreter that creates it (default python3)
#   MMBRAIN_WHEEL_CACHE   the built mmcv wheels (default ${XDG_CACHE_HOME:-~/.cache}/mmbrain/wheels)
#   MMBRAIN_WHEELHOUSE    the wheels of `make wheels` (default ${XDG_CACHE_HOME:-~/.cache}/mmbrain/wheelhouse)
#   MMBRAIN_OFFLINE       1: install from the wheelhouse only; 0: as pip is configured;
#                         unset: from the wheelhouse when it exists and either
#                         PIP_NO_INDEX is set or pip's index does not answer in 5 s
#   MMCV_CUDA             auto (default: CUDA ops when a GPU and nvcc are present),
#                         1 (force) or 0 (CPU ops only)
#   TORCH_CUDA_ARCH_LIST  GPU architectures of the CUDA ops (default: the GPUs'
#                         compute capabilities, from nvidia-smi)
#   MAX_JOBS              parallel compile jobs for mmcv (default: nproc)
case "${1:-}" in
  -h|--help) awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "$0"; exit 0 ;;
  --force|--where|'') MODE=${1:-setup} ;;
  *) echo "setup_env.sh: error: unknown argument $1 (see --help)" >&2; exit 2 ;;
esac
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}
CACHE_ROOT=${XDG_CACHE_HOME:-${HOME:-$PWD}/.cache}/mmbrain
WHEEL_CACHE=${MMBRAIN_WHEEL_CACHE:-$CACHE_ROOT/wheels}
WHEELHOUSE=${MMBRAIN_WHEELHOUSE:-$CACHE_ROOT/wheelhouse}
OLD_CACHE=.cache/wheels  # where a clone kept its mmcv wheel before
MMCV_CUDA=${MMCV_CUDA:-auto}
export MAX_JOBS=${MAX_JOBS:-$(nproc)}
STAMP="$VENV/.mmbrain-installed"
PY="$VENV/bin/python"

log() { printf '[setup] %s\n' "$*"; }
die() { printf '[setup] %s\n' "$*" >&2; exit 1; }

up_to_date() {  # $STAMP is newer than setup.py and every requirements file
  local f
  [ -f "$STAMP" ] || return 1
  for f in setup.py requirements/*.txt projects/transfer_study/requirements.txt; do
    [ "$STAMP" -nt "$f" ] || return 1
  done
}

index_url() {
  [ -z "${PIP_INDEX_URL:-}" ] || { printf '%s' "$PIP_INDEX_URL"; return; }
  "$PYTHON" -m pip config get global.index-url 2>/dev/null || printf 'https://pypi.org/simple/'
}

index_answers() {  # whether the index $1 answers within 5 s (any HTTP status)
  timeout 10 "$PYTHON" - "$1" >/dev/null 2>&1 <<'EOF'
import sys
import urllib.error
import urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=5).close()
except urllib.error.HTTPError:
    pass
EOF
}

offline_reason() {  # why to install from the wheelhouse; nothing to use the index
  case "${MMBRAIN_OFFLINE:-}" in
    1|true|yes) echo "MMBRAIN_OFFLINE=$MMBRAIN_OFFLINE"; return ;;
    0|false|no) return ;;
  esac
  # without a wheelhouse, pip is left to its own configuration
  [ -d "$WHEELHOUSE" ] || return 0
  case "${PIP_NO_INDEX:-}" in
    ''|0|false|no|off) ;;
    *) echo "PIP_NO_INDEX=$PIP_NO_INDEX"; return ;;
  esac
  local url
  url=$(index_url)
  index_answers "$url" || echo "$url does not answer"
}

pip_install() {  # pip install "$@" under the constraints; from the wheelhouse when offline
  if [ -n "$OFFLINE" ]; then
    bash tools/misc/pip_offline.sh "$WHEELHOUSE" "$PY" install \
      -c requirements/constraints.txt "$@"
  else
    "$PY" -m pip install --disable-pip-version-check -q \
      -c requirements/constraints.txt "$@"
  fi
}

mmcv_flavor() {  # cpu or cuda: the ops of the mmcv 2.1.0 in $VENV, if they load; else none
  # (its compiled ops alone, with torch: the rest of mmcv needs packages
  # that are installed after it)
  "$PY" - 2>/dev/null <<'EOF' || echo none
import glob
import importlib.machinery as machinery
import importlib.metadata
import importlib.util
import os

import torch
assert importlib.metadata.version('mmcv') == '2.1.0'
folder = importlib.util.find_spec('mmcv').submodule_search_locations[0]
path, = [p for p in glob.glob(os.path.join(folder, '_ext.*'))
         if p.endswith(tuple(machinery.EXTENSION_SUFFIXES))]
loader = machinery.ExtensionFileLoader('mmcv._ext', path)
ext = importlib.util.module_from_spec(
    importlib.util.spec_from_loader('mmcv._ext', loader))
loader.exec_module(ext)
cuda = ext.get_compiling_cuda_version() != 'not available'
device = 'cuda' if cuda and torch.cuda.is_available() else 'cpu'
boxes = torch.tensor([[0., 0., 2., 2.], [0., 0., 2., 2.]], device=device)
ext.nms(boxes, torch.tensor([1., .5], device=device), iou_threshold=.5,
        offset=0)  # on a GPU: its kernels fit this GPU
print('cuda' if cuda else 'cpu')
EOF
}

detect_flavor() {  # sets FLAVOR (cpu or cuda) and, for cuda, TORCH_CUDA_ARCH_LIST
  local caps
  if [ "$MMCV_CUDA" = auto ]; then
    if command -v nvcc >/dev/null && nvidia-smi -L >/dev/null 2>&1; then
      MMCV_CUDA=1
    else
      MMCV_CUDA=0
    fi
  fi
  FLAVOR=cpu
  [ "$MMCV_CUDA" = 1 ] || return 0
  FLAVOR=cuda
  if [ -z "${TORCH_CUDA_ARCH_LIST:-}" ]; then
    caps=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null \
           | sort -u | paste -sd ';' -) || caps=
    [ -z "$caps" ] || export TORCH_CUDA_ARCH_LIST=$caps
  fi
}

read_torch() {  # sets TORCH_VERSION, TORCH_DIR and WHEEL (this venv's mmcv wheel name)
  local out
  out=$("$PY" - <<'EOF'
import os
import sys
import sysconfig

import torch
tag = 'cp%d%d' % sys.version_info[:2]
platform = sysconfig.get_platform().replace('-', '_').replace('.', '_')
print(torch.__version__, f'mmcv-2.1.0-{tag}-{tag}{sys.abiflags}-{platform}.whl',
      os.path.dirname(torch.__file__))
EOF
  ) || die "torch does not import in $VENV (the error is above)"
  read -r TORCH_VERSION WHEEL TORCH_DIR <<<"$out"
  # the wheel's folder names what it links against: its ops, GPUs and torch
  local key=$FLAVOR
  if [ "$FLAVOR" = cuda ]; then
    key=cuda-arch$(printf '%s' "${TORCH_CUDA_ARCH_LIST:-all}" | tr -d '.' | tr ' ;' '--')
  fi
  MMCV_DIR="$WHEEL_CACHE/mmcv-2.1.0-$key-torch$TORCH_VERSION"
}

check_torch() {  # one line when the torch imported is not the one requirements/torch.txt installs
  local supported
  supported=$(sed -n 's/^torch *=\{2,3\} *\([^ ;#]*\).*/\1/p' requirements/torch.txt)
  [ "${TORCH_VERSION%%+*}" = "$supported" ] \
    || log "warning: $VENV imports torch $TORCH_VERSION from $TORCH_DIR, not the supported $supported of requirements/torch.txt (PYTHONPATH puts it first?): mmcv is built against it, and the stack is untested with it" >&2
}

cached_wheel() {  # the wheel to reuse: in the shared cache, else in this clone's old cache
  local wheel
  for wheel in "$MMCV_DIR/$WHEEL" "$OLD_CACHE/mmcv-2.1.0-$FLAVOR/$WHEEL"; do
    [ -f "$wheel" ] && { printf '%s\n' "$wheel"; return 0; }
  done
  return 1
}

share_wheel() {  # copy the wheel $1 into $MMCV_DIR, atomically
  local tmp
  mkdir -p "$MMCV_DIR"
  tmp=$(mktemp "$MMCV_DIR/.incoming.XXXXXX")
  cp "$1" "$tmp" && chmod 644 "$tmp" && mv "$tmp" "$MMCV_DIR/$WHEEL"
  log "mmcv wheel kept for every clone in $MMCV_DIR"
}

same_as_installed() {  # whether the wheel $1 holds the compiled ops installed in $VENV
  "$PY" - "$1" 2>/dev/null <<'EOF'
import importlib.metadata
import sys
import zipfile


def ops(record):
    rows = (line.split(',') for line in record.splitlines())
    return {row[0]: row[1] for row in rows if row[0].startswith('mmcv/_ext')}


installed = ops(importlib.metadata.distribution('mmcv').read_text('RECORD'))
with zipfile.ZipFile(sys.argv[1]) as wheel:
    record = next(n for n in wheel.namelist()
                  if n.endswith('.dist-info/RECORD'))
    sys.exit(0 if installed and installed == ops(
        wheel.read(record).decode()) else 1)
EOF
}

cpu_note() {
  log "note: mmcv with CPU ops only (MMCV_CUDA=0, or no nvcc or no GPU): pretraining runs on a GPU, but Mask R-CNN and UperNet on a GPU need its CUDA ops (with a GPU and CUDA 13's nvcc: MMCV_CUDA=1 make setup)"
}

build_mmcv() {  # build the wheel into $MMCV_DIR; prints its path
  local tmp built
  log "building mmcv 2.1.0 with $FLAVOR ops (MAX_JOBS=$MAX_JOBS${TORCH_CUDA_ARCH_LIST:+, TORCH_CUDA_ARCH_LIST=$TORCH_CUDA_ARCH_LIST}); kept in $MMCV_DIR" >&2
  mkdir -p "$MMCV_DIR"
  tmp=$(mktemp -d "$MMCV_DIR/.build.XXXXXX")
  local args=(--no-deps --no-build-isolation --no-binary mmcv mmcv==2.1.0 -w "$tmp")
  if [ -n "$OFFLINE" ]; then
    env MMCV_WITH_OPS=1 FORCE_CUDA="$MMCV_CUDA" \
      bash tools/misc/pip_offline.sh "$WHEELHOUSE" "$PY" wheel "${args[@]}" >&2
  else
    env MMCV_WITH_OPS=1 FORCE_CUDA="$MMCV_CUDA" \
      "$PY" -m pip wheel --disable-pip-version-check -q "${args[@]}" >&2
  fi || { rm -rf "$tmp"; die "mmcv 2.1.0 did not build"; }
  built=$(ls "$tmp"/mmcv-2.1.0-*.whl)
  mv "$built" "$MMCV_DIR/"
  rmdir "$tmp"
  printf '%s\n' "$MMCV_DIR/${built##*/}"
}

install_mmcv() {
  local wheel have
  [ "$FLAVOR" = cuda ] || cpu_note
  if wheel=$(cached_wheel); then
    log "reusing the mmcv wheel $wheel"
    pip_install --no-deps --force-reinstall "$wheel"
    have=$(mmcv_flavor)
    if [ "$have" = "$FLAVOR" ]; then
      [ "$wheel" = "$MMCV_DIR/$WHEEL" ] || share_wheel "$wheel"
      return
    fi
    log "that wheel does not work with torch $TORCH_VERSION here: building anew"
    [ "$wheel" != "$MMCV_DIR/$WHEEL" ] || rm -f "$wheel"
  fi
  wheel=$(build_mmcv)
  pip_install --no-deps --force-reinstall "$wheel"
  have=$(mmcv_flavor)
  [ "$have" = "$FLAVOR" ] \
    || die "mmcv built with $FLAVOR ops does not work in $VENV (it reports: $have)"
}

editable_here() {  # mmbrain is installed editable from this checkout, after setup.py last changed
  [ -f "$STAMP" ] && [ "$STAMP" -nt setup.py ] && [ "$STAMP" -nt mmbrain/version.py ] \
    && "$PY" - "$PWD" 2>/dev/null <<'EOF'
import importlib.metadata
import json
import pathlib
import sys
here = pathlib.Path(sys.argv[1]).as_uri()
# (the checkout's own mmbrain.egg-info is one of them, without direct_url)
urls = [json.loads(dist.read_text('direct_url.json') or '{}')
        for dist in importlib.metadata.distributions(name='mmbrain')]
sys.exit(0 if any(url.get('url') == here and url.get('dir_info', {}).get(
    'editable') for url in urls) else 1)
EOF
}

if [ "$MODE" = --where ]; then
  echo "wheel_cache=$WHEEL_CACHE"
  echo "wheelhouse=$WHEELHOUSE"
  echo "offline=$(offline_reason)"
  if [ -x "$PY" ]; then
    detect_flavor
    read_torch
    check_torch
    echo "mmcv_dir=$MMCV_DIR"
    echo "mmcv_wheel=$(cached_wheel || true)"
  fi
  exit 0
fi

if [ "$MODE" != --force ] && up_to_date; then
  log "$VENV is up to date"
  exit 0
fi

OFFLINE=$(offline_reason)
if [ -n "$OFFLINE" ]; then
  [ -d "$WHEELHOUSE" ] || die "offline ($OFFLINE) but no wheelhouse at $WHEELHOUSE: run make wheels on a machine with network and copy it here (MMBRAIN_WHEELHOUSE)"
  log "offline ($OFFLINE): installing from $WHEELHOUSE"
fi

[ -x "$PY" ] || { log "creating $VENV"; "$PYTHON" -m venv "$VENV"; }

pip_install setuptools wheel ninja
pip_install -r requirements/torch.txt

detect_flavor
read_torch
check_torch

have=$(mmcv_flavor)
if [ "$have" = none ] || { [ "$FLAVOR" = cuda ] && [ "$have" = cpu ]; }; then
  install_mmcv
else
  [ "$have" = cuda ] || ! nvidia-smi -L >/dev/null 2>&1 || cpu_note
  # a clone set up before the wheel cache moved: share its wheel if it is
  # the very one installed here
  old="$OLD_CACHE/mmcv-2.1.0-cpu/$WHEEL"
  if [ "$have" = cpu ] && [ "$FLAVOR" = cpu ] && [ ! -f "$MMCV_DIR/$WHEEL" ] \
      && [ -f "$old" ] && same_as_installed "$old"; then
    share_wheel "$old"
  fi
fi

log "installing mmbrain, its requirements and the transfer study's"
reqs=(-r requirements/runtime.txt -r requirements/tests.txt
      -r projects/transfer_study/requirements.txt)
# an editable install of this checkout is current already: reinstalling it
# would take mmbrain away, for a moment, from the runs that use it
editable_here || reqs+=(-e .)
# offline, mmbrain is built with the venv's setuptools (no index to fetch one)
[ -z "$OFFLINE" ] || reqs+=(--no-build-isolation)
pip_install "${reqs[@]}"
pip_install --no-deps -r requirements/no_deps.txt

transformers=$("$PY" -c 'import transformers; print(transformers.__version__)' 2>/dev/null) || transformers=
case "$transformers" in
  ''|[0-4].*) ;;
  *) log "note: transformers $transformers is importable in $VENV (the set-up does not install it); mmbrain turns off mmpretrain 1.2.0's multimodal models, which do not import with transformers >= 5 (compat transformers-5)" ;;
esac
out=$("$PY" -c 'import mmbrain, mmcv.ops, mmdet, mmseg, mmpretrain.models, timm; print(__import__("torch").__version__)' 2>&1) \
  || die "the stack does not import in $VENV: $(printf '%s\n' "$out" | tail -n 1)"
log "stack ok: torch $(printf '%s\n' "$out" | tail -n 1)"
touch "$STAMP"
