#!/usr/bin/env bash
# Create (or update) the project's virtualenv with the whole OpenMMLab stack.
#
#   bash tools/misc/setup_env.sh            # what `make test` / `make demo` run
#
# Idempotent: every step is skipped when its result is already there. The
# mmcv 2.1.0 wheel (built from source, ~7 min on 2 cores) is cached in
# $MMBRAIN_WHEEL_CACHE (default: .cache/wheels, git-ignored) and never rebuilt
# once present.
#
# Environment:
#   VENV                 virtualenv folder (default .venv)
#   PYTHON               interpreter that creates it (default python3)
#   MMBRAIN_WHEEL_CACHE  where the built mmcv wheel is kept
#   MMCV_CUDA            auto (default: CUDA ops when a GPU and nvcc are
#                        present), 1 (force) or 0 (CPU ops only)
#   MAX_JOBS             parallel compile jobs for mmcv (default: nproc)
case "${1:-}" in -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}
CACHE=${MMBRAIN_WHEEL_CACHE:-.cache/wheels}
MMCV_CUDA=${MMCV_CUDA:-auto}
export MAX_JOBS=${MAX_JOBS:-$(nproc)}
STAMP="$VENV/.mmbrain-installed"

log() { printf '[setup] %s\n' "$*"; }

if [ -f "$STAMP" ] && [ "$STAMP" -nt setup.py ] \
    && [ "$STAMP" -nt requirements/runtime.txt ] \
    && [ "$STAMP" -nt requirements/torch.txt ] \
    && [ "$STAMP" -nt requirements/tests.txt ] \
    && [ "$STAMP" -nt requirements/no_deps.txt ] \
    && [ "$STAMP" -nt projects/transfer_study/requirements.txt ] \
    && [ "$STAMP" -nt requirements/constraints.txt ]; then
  log "$VENV is up to date"
  exit 0
fi

[ -x "$VENV/bin/python" ] || { log "creating $VENV"; "$PYTHON" -m venv "$VENV"; }
PY="$VENV/bin/python"
PIP=("$PY" -m pip install --disable-pip-version-check -q
     -c requirements/constraints.txt)

"${PIP[@]}" setuptools wheel ninja
"${PIP[@]}" -r requirements/torch.txt

if [ "$MMCV_CUDA" = auto ]; then
  if command -v nvcc >/dev/null && nvidia-smi -L >/dev/null 2>&1; then
    MMCV_CUDA=1
  else
    MMCV_CUDA=0
  fi
fi
flavor=cpu
[ "$MMCV_CUDA" = 1 ] && flavor=cuda
wheel_dir="$CACHE/mmcv-2.1.0-$flavor"

if ! "$PY" -c 'import mmcv, mmcv.ops; assert mmcv.__version__ == "2.1.0"' 2>/dev/null; then
  if ! ls "$wheel_dir"/mmcv-2.1.0-*.whl >/dev/null 2>&1; then
    log "building mmcv 2.1.0 with $flavor ops (MAX_JOBS=$MAX_JOBS); cached in $wheel_dir"
    mkdir -p "$wheel_dir"
    env MMCV_WITH_OPS=1 FORCE_CUDA="$MMCV_CUDA" \
      "$PY" -m pip wheel --disable-pip-version-check -q --no-deps \
      --no-build-isolation --no-binary mmcv mmcv==2.1.0 -w "$wheel_dir"
  else
    log "reusing cached wheel in $wheel_dir"
  fi
  "${PIP[@]}" --no-deps "$wheel_dir"/mmcv-2.1.0-*.whl
fi

log "installing mmbrain, its requirements and the transfer study's"
"${PIP[@]}" -r requirements/tests.txt \
  -r projects/transfer_study/requirements.txt -e .
"${PIP[@]}" --no-deps -r requirements/no_deps.txt
"$PY" -c 'import mmbrain, mmcv.ops, mmdet, mmseg, mmpretrain, timm; print("[setup] stack ok: torch", __import__("torch").__version__)'
touch "$STAMP"
