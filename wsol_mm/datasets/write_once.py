"""Datasets that write themselves on first use (the synthetic demo data)."""
import os
import os.path as osp
import shutil
import tempfile
from typing import Callable

from mmengine.dist import barrier, get_rank
from mmengine.logging import print_log


def write_once(data_root: str, marker: str, write: Callable[[str], object],
               what: str) -> None:
    """Call ``write(folder)`` to create ``data_root`` unless ``marker`` (a
    path relative to ``data_root``) exists.

    Rank 0 writes into a staging folder next to ``data_root`` that is renamed
    when complete, so an interrupted or failed run never leaves a half-written
    dataset behind; the other ranks wait for it.
    """
    if not osp.exists(osp.join(data_root, marker)) and get_rank() == 0:
        parent = osp.dirname(osp.abspath(data_root))
        os.makedirs(parent, exist_ok=True)
        staging = tempfile.mkdtemp(prefix='.staging-', dir=parent)
        try:
            write(staging)
            os.replace(staging, data_root)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        print_log(f'Wrote the {what} to {data_root}', logger='current')
    barrier()
