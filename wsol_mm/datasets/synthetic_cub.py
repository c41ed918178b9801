"""The built-in demo data: synthetic CUB-layout data made on first use."""
import os
import os.path as osp
import shutil
import tempfile
from typing import Optional

from mmengine.dist import barrier, get_rank
from mmengine.logging import print_log

from wsol_mm.registry import DATASETS
from .cub import CUB
from .synthetic import generate_synthetic_dataset


def ensure_synthetic_cub(data_root: str, generator: Optional[dict]) -> None:
    """Write the synthetic dataset at ``data_root`` unless it is there.

    Rank 0 writes into a temporary folder that is renamed when complete, so
    an interrupted run never leaves a half-written dataset behind; the other
    ranks wait for it.
    """
    if not osp.exists(osp.join(data_root, 'images.txt')) and get_rank() == 0:
        parent = osp.dirname(osp.abspath(data_root))
        os.makedirs(parent, exist_ok=True)
        staging = tempfile.mkdtemp(prefix='.synthetic-', dir=parent)
        try:
            generate_synthetic_dataset(staging, **(generator or {}))
            os.replace(staging, data_root)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        print_log(f'Wrote the synthetic demo dataset to {data_root}',
                  logger='current')
    barrier()


@DATASETS.register_module()
class SyntheticCUB(CUB):
    """:class:`CUB` over the seeded synthetic data of
    :func:`generate_synthetic_dataset`, which is written to ``data_root`` the
    first time it is missing.

    Args:
        data_root (str): Where the data is, or is to be written.
        generator (dict, optional): Arguments of the generator (num_classes,
            train_per_class, test_per_class, min_size, max_size, seed).
        **kwargs: The arguments of :class:`CUB`.
    """

    def __init__(self, data_root: str, generator: Optional[dict] = None,
                 **kwargs):
        ensure_synthetic_cub(data_root, generator)
        super().__init__(data_root=data_root, **kwargs)
