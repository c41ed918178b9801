"""Loading MMEngine checkpoints with torch >= 2.6 (``weights_only=True``).

MMEngine 0.10 calls ``torch.load`` without ``weights_only``; since torch 2.6
that means the restricted unpickler, which refuses the few non-tensor types an
MMEngine checkpoint holds: the message hub's ``HistoryBuffer`` and numpy
arrays and scalars. Allow-listing exactly those keeps the safe loader for
everything else, instead of turning it off. ``HistoryBuffer`` also pickled its
table of statistics methods, which needs ``getattr`` (never safe to allow);
its ``__setstate__`` rebuilds that table, so it is no longer written.
"""
import numpy as np
import torch
from mmengine.logging import HistoryBuffer


def _numpy_globals() -> list:
    try:  # numpy >= 2
        from numpy._core.multiarray import _reconstruct, scalar
    except ImportError:  # numpy 1.x
        from numpy.core.multiarray import _reconstruct, scalar
    dtype_classes = {type(np.dtype(code)) for code in np.typecodes['All']
                     if code not in 'Mm'}  # datetime dtypes need a unit
    return [np.ndarray, np.dtype, _reconstruct, scalar, *dtype_classes]


def _history_buffer_state(buffer: HistoryBuffer) -> dict:
    """``HistoryBuffer`` state without the method table (rebuilt on load)."""
    state = dict(buffer.__dict__)
    state.pop('statistics_methods', None)
    return state


def allow_mmengine_checkpoints() -> None:
    """Make checkpoints written by MMEngine load with ``weights_only=True``."""
    HistoryBuffer.__getstate__ = _history_buffer_state
    if hasattr(torch.serialization, 'add_safe_globals'):  # torch >= 2.4
        torch.serialization.add_safe_globals(
            [HistoryBuffer, *_numpy_globals()])
