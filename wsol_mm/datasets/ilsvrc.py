"""ImageNet (ILSVRC 2012) in the wsolevaluation metadata layout."""
from typing import Sequence, Union

from wsol_mm.registry import DATASETS
from .wsol_metadata import WSOLMetadataDataset

PROXY_IDS = 'image_ids_proxy.txt'


@DATASETS.register_module()
class ILSVRC(WSOLMetadataDataset):
    """ImageNet read from ``metadata/ILSVRC/<split>/*.txt`` (wsolevaluation).

    Splits: ``'train'`` (train-weaksup: ImageNet "train", image ids such as
    ``train/n01440764/n01440764_10026.JPEG``), ``'val'`` (train-fullsup:
    ImageNetV2, ``val2/<label>/<k>.jpeg``) and ``'test'`` (ImageNet "val",
    ``val/ILSVRC2012_val_00000001.JPEG``). ``data_root`` is the folder those
    paths are relative to (wsolevaluation's ``dataset/ILSVRC``). An image may
    have several boxes (several ``localization.txt`` lines); see
    :class:`WSOLMetadataDataset` for the files and their checks.

    The real data has 1000 classes (labels 0-999); names come from
    ``classes`` (a sequence or a file with one name per line), else they are
    ``str(i)``.

    Args:
        data_root (str): The folder the image paths are relative to.
        metadata_root (str): The folder holding ``train/``, ``val/`` and
            ``test/`` (e.g. ``'metadata/ILSVRC'``), resolved as in
            :class:`WSOLMetadataDataset`.
        split (str): ``'train'``, ``'val'`` or ``'test'``.
        proxy (bool): Use the proxy training set: the images listed in
            ``train/image_ids_proxy.txt`` (a subset of ``image_ids.txt``, for
            fast hyper-parameter search), in that order. ``'train'`` only.
        classes (Sequence[str] | str, optional): The class names or the path
            of a names file.
        **kwargs: Passed to :class:`WSOLMetadataDataset`.
    """

    def __init__(self,
                 data_root: str,
                 metadata_root: str,
                 split: str = 'train',
                 proxy: bool = False,
                 classes: Union[Sequence[str], str, None] = None,
                 **kwargs):
        if proxy and split != 'train':
            raise ValueError(f"proxy=True needs split='train' (the proxy "
                             f"list is a subset of train-weaksup), got "
                             f"split={split!r}")
        self.proxy = bool(proxy)
        super().__init__(
            data_root=data_root,
            metadata_root=metadata_root,
            split=split,
            classes=classes,
            image_ids_subset=PROXY_IDS if proxy else None,
            **kwargs)
