#!/usr/bin/env bash
# Run pip from a wheelhouse only, without the network; a failure is one line.
#
#   bash tools/misc/pip_offline.sh WHEELHOUSE PYTHON COMMAND [ARGS...]
#
# Runs `PYTHON -m pip COMMAND --no-index --find-links WHEELHOUSE ARGS`
# (COMMAND: install, wheel or download), quietly. When a requirement has no
# distribution in WHEELHOUSE, it prints one line and exits 1:
#
#   [setup] offline: no wheel for 'foo==1.2' in WHEELHOUSE (run make wheels on a machine with network)
#
# Any other failure prints pip's last error line and the file that keeps its
# whole output. tools/misc/setup_env.sh installs through it when offline;
# `make wheels` (tools/misc/download_wheels.sh) fills the wheelhouse.
case "${1:-}" in
  -h|--help) awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "$0"; exit 0 ;;
esac
set -uo pipefail
if [ $# -lt 3 ]; then
  echo "pip_offline.sh: error: usage: pip_offline.sh WHEELHOUSE PYTHON COMMAND [ARGS...]" >&2
  exit 2
fi
wheelhouse=$1 python=$2 command=$3
shift 3
advice="(run make wheels on a machine with network)"
if [ ! -d "$wheelhouse" ]; then
  echo "[setup] offline: no wheelhouse at $wheelhouse $advice" >&2
  exit 1
fi

log=$(mktemp "${TMPDIR:-/tmp}/mmbrain-pip-offline.XXXXXX")
trap 'rm -f "$log"; exit 130' INT TERM
if "$python" -m pip "$command" --disable-pip-version-check -q --no-index \
    --find-links "$wheelhouse" "$@" >"$log" 2>&1; then
  rm -f "$log"
  exit 0
fi
# pip says "ERROR: No matching distribution found for foo==1.2" once the
# resolver gives up on a requirement (one of ours, or a dependency's)
missing=$(sed -n 's/^ERROR: No matching distribution found for \(.*\)$/\1/p' "$log" | head -n 1)
if [ -n "$missing" ]; then
  rm -f "$log"
  echo "[setup] offline: no wheel for '$missing' in $wheelhouse $advice" >&2
else
  last=$(grep '^ERROR:' "$log" | tail -n 1)
  [ -n "$last" ] || last=$(grep -v '^[[:space:]]*$' "$log" | tail -n 1)
  echo "[setup] offline: pip $command failed: ${last#ERROR: } (pip's output: $log)" >&2
fi
exit 1
