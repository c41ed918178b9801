"""mmcv's compiled ops (``mmcv.ops``) are optional for wsol_mm.

The WSOL methods, the demo and the pipelines use MMCV's Python parts only;
MMDetection's detectors (FSL-Det, paper 000) and ``mmdet.structures`` need
the compiled ops, which ``tools/install.sh`` builds only when asked
(``--with-ops``, about 20 minutes on 2 cores). Code that needs them imports
MMDetection lazily and calls :func:`require_mmcv_ops` to say why it fails.
"""
import importlib

INSTALL_WITH_OPS = '`bash tools/install.sh --with-ops`'


def mmcv_ops_available() -> bool:
    """Whether ``mmcv.ops`` imports (its compiled extension is built)."""
    try:
        importlib.import_module('mmcv.ops')
    except ImportError:
        return False
    return True


def require_mmcv_ops(user: str) -> None:
    """Raise an ImportError naming ``user`` and the install command when
    mmcv's compiled ops are missing."""
    if not mmcv_ops_available():
        raise ImportError(
            f"{user} needs mmcv's compiled ops (mmcv.ops), which this "
            f'environment lacks: run {INSTALL_WITH_OPS} (builds them, about '
            '20 minutes on 2 cores, once per machine)')


def uses_mmdet_model(cfg) -> bool:
    """Whether the config's model is one of MMDetection's (FSL-Det)."""
    model = cfg.get('model') or {}
    model_type = str(model.get('type', ''))
    return model.get('_scope_') == 'mmdet' or model_type.startswith('mmdet.')


def check_mmcv_ops(cfg) -> None:
    """Fail early, with the install command, when the config's model is an
    MMDetection detector and mmcv's compiled ops are missing."""
    if uses_mmdet_model(cfg):
        require_mmcv_ops(f"MMDetection's {cfg.model.type} (FSL-Det, "
                         f"{getattr(cfg, 'filename', None) or 'this config'})")
