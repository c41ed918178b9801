"""OpenImages30k in the wsolevaluation metadata layout (masks, no boxes)."""
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple, Union

from wsol_mm.registry import DATASETS
from .base_wsol_dataset import boxes_array, resolve_path
from .wsol_metadata import WSOLMetadataDataset


@DATASETS.register_module()
class OpenImages30k(WSOLMetadataDataset):
    """OpenImages30k read from ``metadata/OpenImages/<split>/*.txt``.

    Files of each split folder (comma separated): ``image_ids.txt`` and
    ``class_labels.txt`` as in :class:`WSOLMetadataDataset` (there is no
    ``image_sizes.txt``), and for ``'val'`` (train-fullsup) and ``'test'``
    a ``localization.txt`` of ``path,mask_path,ignore_path`` lines: one line
    per instance mask, so several lines give several instances of an image.
    Only an image's first line may name its ignore mask; its later lines
    leave the field blank, and a blank field on the first line means the
    image has no ignore region. ``'train'`` (train-weaksup) needs no
    ``localization.txt``.

    Mask paths: wsolevaluation keeps the masks next to the images (the
    ``mask_root`` of its scripts is ``<dataset>/OpenImages``, the folder the
    image ids are relative to), so ``mask_root`` defaults to ``data_root``
    and mask and ignore paths are joined to it. Every named mask file must
    exist (checked here, the error names ``localization.txt`` and its line).

    Items hold, besides the common fields, ``gt_mask_paths`` (absolute
    paths, one per instance, in file order; empty without
    ``localization.txt``) and ``ignore_path`` (absolute path or None).
    ``gt_bboxes`` is an empty ``(0, 4)`` array: OpenImages has no boxes;
    :class:`LoadWSOLMask` builds ``gt_mask`` and derives one box per instance
    from the masks, so the box metrics of :class:`WSOLMetric` also work.

    Args:
        data_root (str): The folder the image paths are relative to
            (wsolevaluation's ``dataset/OpenImages``).
        metadata_root (str): The folder holding the split folders (e.g.
            ``'metadata/OpenImages'``), resolved as in
            :class:`WSOLMetadataDataset`.
        split (str): ``'train'``, ``'val'`` or ``'test'``.
        mask_root (str, optional): The folder the mask paths are relative
            to. Defaults to ``data_root``; a relative path is taken from the
            current directory if it exists there, otherwise from
            ``data_root``.
        classes (Sequence[str] | str, optional): The class names (100 in the
            real data) or the path of a names file; ``str(i)`` by default.
        **kwargs: Passed to :class:`WSOLMetadataDataset`.
    """

    def __init__(self,
                 data_root: str,
                 metadata_root: str,
                 split: str = 'train',
                 mask_root: Optional[str] = None,
                 classes: Union[Sequence[str], str, None] = None,
                 **kwargs):
        root = self._abs_root(data_root)
        self.mask_root = root if mask_root is None else resolve_path(
            mask_root, root)
        super().__init__(
            data_root=root,
            metadata_root=metadata_root,
            split=split,
            classes=classes,
            **kwargs)

    def _mask_file(self, relpath: str, loc_txt: str, lineno: int) -> str:
        path = osp.join(self.mask_root, relpath)
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'{loc_txt}:{lineno}: mask file not found: {path}')
        return path

    def _read_localization(self, images: Dict[str, int],
                           items: Dict[str, int],
                           items_txt: str) -> Dict[str, dict]:
        """``gt_mask_paths``, ``ignore_path`` and empty ``gt_bboxes``."""
        loc_txt = self._file('localization.txt')
        need_masks = self.split != 'train'

        def parse(fields, path, lineno):
            mask, ignore = fields
            if not mask:
                raise ValueError(f'{path}:{lineno}: the mask path is empty')
            return mask, ignore

        rows: Dict[str, List[Tuple[int, Tuple[str, str]]]] = {}
        if need_masks or osp.exists(loc_txt):
            rows = self._read_per_image('localization.txt', images, 3, parse)

        fields = {}
        for img_id, lines in self._localization_rows(rows, items, items_txt,
                                                     'mask'):
            mask_paths, ignore_path = [], None
            for index, (line, (mask, ignore)) in enumerate(lines):
                if ignore and index > 0:
                    raise ValueError(
                        f'{loc_txt}:{line}: ignore mask {ignore!r} on a '
                        f'later line of image {img_id!r}; only its first '
                        f'line (line {lines[0][0]}) may name one')
                mask_paths.append(self._mask_file(mask, loc_txt, line))
                if ignore:
                    ignore_path = self._mask_file(ignore, loc_txt, line)
            fields[img_id] = dict(
                gt_bboxes=boxes_array([]),
                gt_mask_paths=mask_paths,
                ignore_path=ignore_path)
        return fields
