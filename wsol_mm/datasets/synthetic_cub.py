"""The built-in demo data: synthetic CUB-layout data made on first use."""
from typing import Optional

from wsol_mm.registry import DATASETS
from .cub import CUB
from .synthetic import generate_synthetic_dataset
from .write_once import write_once


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
        write_once(
            data_root, 'images.txt',
            lambda folder: generate_synthetic_dataset(folder,
                                                      **(generator or {})),
            'synthetic CUB-layout data')
        super().__init__(data_root=data_root, **kwargs)
