#!/usr/bin/env bash
# Installs wsol_mm and its OpenMMLab stack into .venv/ at the repository root,
# or into the virtual environment that is already active. Safe to re-run: every
# step checks what is installed and skips itself when nothing needs doing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TORCH_PIN="torch==2.13.0"
TORCHVISION_PIN="torchvision==0.28.0"
MMCV_PIN="mmcv==2.1.0"

log() { printf '[install] %s\n' "$*" >&2; }

if [ -n "${VIRTUAL_ENV:-}" ]; then
  PY="$VIRTUAL_ENV/bin/python"
  log "using the active virtual environment $VIRTUAL_ENV"
else
  if [ ! -x "$ROOT/.venv/bin/python" ]; then
    log "creating $ROOT/.venv"
    python3 -m venv "$ROOT/.venv"
  fi
  PY="$ROOT/.venv/bin/python"
fi
PIP=("$PY" -m pip --disable-pip-version-check)
# pip without the noise of this machine's local indexes (missing projects).
pip_install() {
  "${PIP[@]}" install "$@" 2>&1 | { grep -v 'is neither a file nor a directory' || true; }
}

stamp="$("$PY" - "$ROOT" <<'PY'
import hashlib, pathlib, sys
root = pathlib.Path(sys.argv[1])
files = [root / 'setup.py', root / 'tools' / 'install.sh',
         *sorted((root / 'requirements').glob('*.txt'))]
print(hashlib.sha1(b''.join(f.read_bytes() for f in files if f.exists())).hexdigest())
PY
)"
stamp_file="$("$PY" -c 'import sys; print(sys.prefix)')/.wsol_mm_install_stamp"
if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ] \
   && "$PY" -c "import wsol_mm, torchvision, mmdet, mmpretrain; from mmcv.ops import nms, RoIAlign" 2>/dev/null; then
  log "environment is up to date ($PY)"
  exit 0
fi

# torch needs setuptools>=77; mmcv's build needs pkg_resources (gone in 81).
pip_install -q --upgrade pip "setuptools>=77,<81" wheel ninja

if "$PY" -c "import torch, torchvision" 2>/dev/null; then
  log "keeping torch $("$PY" -c 'import torch; print(torch.__version__)')"
else
  # Some machines keep a CPU-only torch wheel in pip's find-links folder; it
  # cannot load torchvision. Without pip's config file and PIP_FIND_LINKS, pip
  # takes the registry's build (the other PIP_* settings, e.g. the cert, stay).
  log "installing $TORCH_PIN $TORCHVISION_PIN from the package index"
  "${PIP[@]}" uninstall -q -y torch torchvision 2>/dev/null || true
  (unset PIP_FIND_LINKS; export PIP_CONFIG_FILE=/dev/null
   pip_install "$TORCH_PIN" "$TORCHVISION_PIN")
  "$PY" -c "import torch, torchvision" \
    || { log "torch and torchvision do not import together"; exit 1; }
fi

if "$PY" -c "from mmcv.ops import nms, RoIAlign" 2>/dev/null; then
  log "keeping mmcv $("$PY" -c 'import mmcv; print(mmcv.__version__)') with compiled ops"
else
  pip_install -q "setuptools>=77,<81"  # torch may have pulled a newer one
  log "building $MMCV_PIN with ops from source (about 20 minutes on 2 cores; pip caches the wheel)"
  MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" \
    pip_install --no-build-isolation "$MMCV_PIN"
  "$PY" -c "from mmcv.ops import nms, RoIAlign" \
    || { log "mmcv was installed but its ops do not load"; exit 1; }
fi

log "installing wsol_mm (editable) with its requirements"
pip_install -q -e "$ROOT[tests]"
"$PY" -c "import wsol_mm, torchvision, mmdet, mmpretrain; from mmcv.ops import nms, RoIAlign"
echo "$stamp" > "$stamp_file"
log "done: $PY"
