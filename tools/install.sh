#!/usr/bin/env bash
# Installs wsol_mm and its OpenMMLab stack into .venv/ at the repository root,
# or into the virtual environment that is active. Safe to re-run: every step
# checks what is installed and skips itself when nothing needs doing.
#
# Usage: bash tools/install.sh [--with-ops] [--dry-run]
#   --with-ops  also build mmcv's compiled ops (mmcv.ops: about 20 minutes on
#               2 cores, once per machine: pip caches the wheel). The test
#               suite and FSL-Det (MMDetection's detectors) need them; the demo
#               and the WSOL methods do not. WSOL_MM_MMCV_OPS=1 does the same.
#   --dry-run   print what would be installed, install nothing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TORCH_PIN="torch==2.13.0"
TORCHVISION_PIN="torchvision==0.28.0"
MMCV_PIN="mmcv==2.1.0"
MMCV_LITE_PIN="mmcv-lite==2.1.0"
OPS_CHECK="from mmcv.ops import nms, RoIAlign"
STACK_CHECK="import wsol_mm, torchvision, mmcv, mmdet, mmpretrain"

log() { printf '[install] %s\n' "$*" >&2; }
usage() { sed -n '6,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

with_ops="${WSOL_MM_MMCV_OPS:-0}"
dry_run=0
for arg in "$@"; do
  case "$arg" in
    --with-ops) with_ops=1 ;;
    --dry-run) dry_run=1 ;;
    -h|--help) usage; exit 0 ;;
    *) log "unknown option '$arg'"; usage >&2; exit 2 ;;
  esac
done
case "$with_ops" in
  0|1) ;;
  *) log "WSOL_MM_MMCV_OPS must be 0 or 1, not '$with_ops'"; exit 2 ;;
esac
mode=$([ "$with_ops" = 1 ] && echo "with mmcv's compiled ops" \
                            || echo "without mmcv's compiled ops")
OPS_MISSING_MESSAGE="mmcv's compiled ops are not built: the demo does not need \
them; the test suite and FSL-Det configs do: \`bash tools/install.sh \
--with-ops\` builds them (about 20 minutes on 2 cores, once per machine)"

# Seconds since the step began, for the log lines: "torch ... (95 s)".
step_start() { step_t0=$SECONDS; }
took() { printf '(%d s)' $((SECONDS - step_t0)); }

if [ -n "${VIRTUAL_ENV:-}" ]; then
  PY="$VIRTUAL_ENV/bin/python"
  log "using the active virtual environment $VIRTUAL_ENV"
elif [ -x "$ROOT/.venv/bin/python" ]; then
  PY="$ROOT/.venv/bin/python"
elif [ "$dry_run" = 1 ]; then
  log "dry run, $mode: would create $ROOT/.venv, then install torch," \
      "torchvision, $MMCV_PIN, wsol_mm and its requirements"
  exit 0
else
  log "creating $ROOT/.venv"
  python3 -m venv "$ROOT/.venv"
  PY="$ROOT/.venv/bin/python"
fi
PIP=("$PY" -m pip --disable-pip-version-check)
# pip without the noise of this machine's local indexes (missing projects).
pip_install() {
  "${PIP[@]}" install "$@" 2>&1 | { grep -v 'is neither a file nor a directory' || true; }
}
imports() { "$PY" -c "$1" 2>/dev/null; }

stamp="$("$PY" - "$ROOT" <<'PY'
import hashlib, pathlib, sys
root = pathlib.Path(sys.argv[1])
files = [root / 'setup.py', root / 'tools' / 'install.sh',
         *sorted((root / 'requirements').glob('*.txt'))]
print(hashlib.sha1(b''.join(f.read_bytes() for f in files if f.exists())).hexdigest())
PY
)"
stamp_file="$("$PY" -c 'import sys; print(sys.prefix)')/.wsol_mm_install_stamp"
# The stamp says which mode the environment was installed in ("<hash> ops" or
# "<hash> no-ops"); an install with ops also serves a run without.
if [ -f "$stamp_file" ]; then
  read -r stamp_hash stamp_mode < "$stamp_file" || true
  if [ "${stamp_hash:-}" = "$stamp" ] \
     && { [ "$with_ops" = 0 ] || [ "${stamp_mode:-}" = ops ]; } \
     && imports "$STACK_CHECK"; then
    log "environment is up to date ($PY)"
    [ "${stamp_mode:-}" = ops ] || log "$OPS_MISSING_MESSAGE"
    exit 0
  fi
fi

have_torch=0; imports "import torch, torchvision" && have_torch=1
# mmcv: "ops" (compiled ops load), "no-ops" (mmcv-lite, or an mmcv whose ops
# do not load) or "none".
mmcv_state=none
if imports "$OPS_CHECK"; then mmcv_state=ops
elif imports "import mmcv"; then mmcv_state=no-ops
fi
have_lite=0; imports "import importlib.metadata as m; m.version('mmcv-lite')" && have_lite=1
if [ "$dry_run" = 1 ]; then
  log "dry run, $mode, in $PY:"
  log "  torch: $([ $have_torch = 1 ] && echo keep || echo "install $TORCH_PIN $TORCHVISION_PIN")"
  if [ "$mmcv_state" = ops ] || { [ "$mmcv_state" = no-ops ] && [ "$with_ops" = 0 ]; }; then
    log "  mmcv: keep ($mmcv_state)"
  elif [ "$with_ops" = 1 ]; then
    log "  mmcv: build $MMCV_PIN with its compiled ops"
  else
    log "  mmcv: install $MMCV_LITE_PIN (no compiled ops), or $MMCV_PIN from pip's cache"
  fi
  log "  wsol_mm: install (editable) with its requirements"
  exit 0
fi
log "installing $mode into $PY"

step_start
# torch needs setuptools>=77; mmcv's build needs pkg_resources (gone in 81).
pip_install -q --upgrade pip "setuptools>=77,<81" wheel
log "pip, setuptools, wheel $(took)"

if [ "$have_torch" = 1 ]; then
  log "keeping torch $("$PY" -c 'import torch; print(torch.__version__)')"
else
  # Some machines keep a CPU-only torch wheel in pip's find-links folder; it
  # cannot load torchvision. Without pip's config file and PIP_FIND_LINKS, pip
  # takes the registry's build (the other PIP_* settings, e.g. the cert, stay).
  log "installing $TORCH_PIN $TORCHVISION_PIN from the package index (about 3 GB with the CUDA libraries)"
  step_start
  "${PIP[@]}" uninstall -q -y torch torchvision 2>/dev/null || true
  (unset PIP_FIND_LINKS; export PIP_CONFIG_FILE=/dev/null
   pip_install -q --no-compile "$TORCH_PIN" "$TORCHVISION_PIN")
  version="$("$PY" -c "import torch, torchvision; print(torch.__version__)")" \
    || { log "torch and torchvision do not import together"; exit 1; }
  log "torch $version $(took)"
fi
pip_install -q "setuptools>=77,<81"  # torch may have pulled a newer one

# mmcv without compiled ops is its own project on the registry, mmcv-lite
# (same `mmcv` package, a wheel); mmcv with ops is built from its source
# release. Both write the `mmcv` folder: one replaces the other.
if [ "$mmcv_state" = ops ]; then
  log "keeping mmcv $("$PY" -c 'import mmcv; print(mmcv.__version__)') with compiled ops"
elif [ "$with_ops" = 1 ]; then
  log "building $MMCV_PIN with ops from source (about 20 minutes on 2 cores; pip caches the wheel)"
  step_start
  replace=()
  if [ "$have_lite" = 1 ]; then
    "${PIP[@]}" uninstall -q -y mmcv-lite
  elif [ "$mmcv_state" = no-ops ]; then
    replace=(--force-reinstall --no-deps)  # an mmcv whose ops do not load
  fi
  pip_install -q ninja  # parallel compile
  build_with_ops() {
    MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" \
      pip_install --no-build-isolation "$@" "$MMCV_PIN"
  }
  build_with_ops "${replace[@]}"
  if ! imports "$OPS_CHECK"; then
    # pip's cached wheel was built against another torch: build again.
    log "the ops of the cached mmcv wheel do not load: building it again"
    "${PIP[@]}" cache remove 'mmcv-2.1.0-*' >/dev/null 2>&1 || true
    build_with_ops --force-reinstall --no-deps
  fi
  "$PY" -c "$OPS_CHECK" \
    || { log "mmcv was installed but its ops do not load"; exit 1; }
  log "mmcv $("$PY" -c 'import mmcv; print(mmcv.__version__)') with compiled ops $(took)"
elif [ "$mmcv_state" = no-ops ]; then
  log "keeping mmcv $("$PY" -c 'import mmcv; print(mmcv.__version__)') without compiled ops"
else
  step_start
  py_tag="$("$PY" -c 'import sys; print("cp%d%d" % sys.version_info[:2])')"
  if "${PIP[@]}" cache list "mmcv-2.1.0-$py_tag-*" 2>/dev/null | grep -q 'mmcv-2.1.0'; then
    # Built with ops before on this machine: as fast as mmcv-lite.
    log "installing $MMCV_PIN with compiled ops from pip's cache"
    pip_install -q --no-build-isolation "$MMCV_PIN"
  else
    log "installing $MMCV_LITE_PIN (mmcv without compiled ops)"
    pip_install -q "$MMCV_LITE_PIN"
  fi
  version="$("$PY" -c "import mmcv; print(mmcv.__version__)")" \
    || { log "mmcv does not import"; exit 1; }
  log "mmcv $version $(took)"
fi

log "installing wsol_mm (editable) with its requirements"
step_start
pip_install -q --no-compile -e "$ROOT[tests]"
"$PY" -c "$STACK_CHECK"
log "wsol_mm and its requirements $(took)"
if imports "$OPS_CHECK"; then
  echo "$stamp ops" > "$stamp_file"
else
  echo "$stamp no-ops" > "$stamp_file"
  log "$OPS_MISSING_MESSAGE"
fi
log "done: $PY"
