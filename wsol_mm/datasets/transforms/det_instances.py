"""Hand the WSOL datasets' boxes to MMDetection's transforms."""
import numpy as np
from mmcv.transforms import BaseTransform

from wsol_mm.registry import TRANSFORMS
from wsol_mm.utils.mmcv_ops import require_mmcv_ops


@TRANSFORMS.register_module()
class ToDetInstances(BaseTransform):
    """Turn a WSOL result dict into the instances MMDetection expects.

    Our datasets give ``gt_bboxes`` as a float ``(k, 4)`` array of
    ``x0 y0 x1 y1`` in image pixels and the image class as ``gt_label``.
    MMDetection's ``LoadAnnotations`` would give ``gt_bboxes`` as
    :class:`HorizontalBoxes` (float32), ``gt_bboxes_labels`` (int64) and
    ``gt_ignore_flags`` (bool); this transform produces those three, so
    that ``mmdet.Resize``, ``mmdet.RandomFlip`` and ``mmdet.PackDetInputs``
    follow unchanged. Every box gets label 0, the one class-agnostic
    foreground class of the few-shot detector (FSL-Det, paper 000 sec. 5.1:
    the WSOL class comes from a classifier); none is ignored. ``gt_label``
    is kept (``PackDetInputs(meta_keys=(..., 'gt_label'))`` carries it to
    the metric).
    """

    def transform(self, results: dict) -> dict:
        try:  # mmdet.structures needs mmcv's compiled ops: imported here
            from mmdet.structures.bbox import HorizontalBoxes
        except ImportError:
            require_mmcv_ops('ToDetInstances (FSL-Det)')
            raise
        where = f"img_path={results.get('img_path')}"
        if 'gt_bboxes' not in results:
            raise KeyError(
                f'ToDetInstances needs gt_bboxes in the results ({where})')
        boxes = results['gt_bboxes']
        if isinstance(boxes, HorizontalBoxes):
            raise TypeError('ToDetInstances got gt_bboxes that are already '
                            'HorizontalBoxes: it must run once, before the '
                            f'mmdet transforms ({where})')
        boxes = np.asarray(boxes, dtype=np.float32)
        if boxes.size == 0:
            boxes = boxes.reshape(0, 4)
        if boxes.ndim != 2 or boxes.shape[1] != 4:
            raise ValueError('gt_bboxes must be (k, 4), got shape '
                             f'{boxes.shape} ({where})')
        results['gt_bboxes'] = HorizontalBoxes(boxes)
        results['gt_bboxes_labels'] = np.zeros(len(boxes), dtype=np.int64)
        results['gt_ignore_flags'] = np.zeros(len(boxes), dtype=bool)
        return results
