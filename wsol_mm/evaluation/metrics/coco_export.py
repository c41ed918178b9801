"""WSOL boxes as COCO detections (``tools/test.py --out X.json --out-format
coco``), e.g. pseudo labels that seed a detector.

Two files are written:

- ``X.json``: a COCO *dataset* file, ``COCO('X.json')`` loads it and
  MMDetection's ``CocoDataset(ann_file='X.json')`` trains on it: ``images``
  (``id`` = the test set's ``sample_idx``, ``file_name`` relative to
  ``image_root`` or the absolute path, ``width``, ``height`` of the original
  image, ``img_id`` the dataset's own id), ``categories`` (``id`` = class
  index + 1, ``name`` from the dataset's ``classes``) and ``annotations``,
  the predicted boxes with their ``score`` (``area`` = w * h,
  ``iscrowd`` 0).
- ``X.results.json``: the same boxes as a COCO *results* list
  ``[{image_id, category_id, bbox, score}]``, for ``COCO(...).loadRes`` and
  ``COCOeval`` against a ground-truth file with the same image ids (e.g.
  ``X.json`` itself).

Boxes are ``[x, y, w, h]`` in original-image pixels, continuous coordinates
(pixel ``i`` spans ``[i, i + 1)``): the network-input box ``x0 y0 x1 y1``
(the protocol's ``[x, y, x + w, y + h]`` of a contour, an exclusive pixel
end) mapped back through the inverse of the test pipeline's transforms
(:func:`boxes_to_original`), then ``w = x1 - x0``, ``h = y1 - y0``. A map
without foreground gives the protocol's empty box ``[0, 0, 0, 0]``, kept
with its score (MMDetection's ``CocoDataset`` skips boxes under one pixel).
"""
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.logging import print_log

from wsol_mm.registry import METRICS
from wsol_mm.structures.geometry import boxes_to_original, homography_of
from ..functional import boxes_from_scoremap
from .dump_predictions import DumpWSOLPredictions
from .wsol_metric import read_score_map

LABELS = ('predicted', 'gt')


def results_file_of(out_file: str) -> str:
    """``X.json`` -> ``X.results.json``, the results list's file."""
    return osp.splitext(out_file)[0] + '.results.json'


def coco_bbox(box: Sequence[float]) -> List[float]:
    """``x0 y0 x1 y1`` -> COCO's ``[x, y, w, h]``."""
    x0, y0, x1, y1 = (float(v) for v in box)
    return [x0, y0, x1 - x0, y1 - y0]


def _detections(record: dict, labels: str) -> List[Tuple[int, list, float]]:
    """``(class index, original x0 y0 x1 y1, score)`` of one record."""
    if labels == 'gt':
        return [(int(np.ravel(record['gt_label'])[0]),
                 record['gt_class_bbox_original'], record['gt_class_score'])]
    missing = [key for key in ('pred_labels', 'pred_bboxes_original')
               if key not in record]
    if missing:
        raise KeyError(f'COCO export needs {missing} in every data sample '
                       f'(img_path={record.get("img_path")})')
    scores = record.get('pred_label_scores',
                        [1.0] * len(record['pred_labels']))
    return [(int(label), box, float(score)) for label, box, score in zip(
        record['pred_labels'], record['pred_bboxes_original'], scores)]


def wsol_to_coco(records: Sequence[dict],
                 classes: Optional[Sequence[str]] = None,
                 image_root: Optional[str] = None,
                 labels: str = 'predicted') -> Tuple[Dict, List[Dict]]:
    """The COCO dataset dict and results list of ``records`` (the ``wsol``
    format of :func:`prediction_record`, with ``pred_bboxes_original``).

    Args:
        records: per-image records.
        classes: class names (the dataset's ``classes``); ``'0'``, ``'1'``,
            ... up to the largest label when None.
        image_root (str, optional): ``file_name`` is ``img_path`` relative
            to it; the absolute ``img_path`` when None.
        labels (str): ``'predicted'``, the top-k classes and their boxes, or
            ``'gt'``, the GT class and the box of its map (records with
            ``gt_class_bbox_original``, see :class:`DumpCOCODetections`).
    """
    if labels not in LABELS:
        raise ValueError(f'labels must be one of {LABELS}, got {labels!r}')
    per_image = [_detections(r, labels) for r in records]
    if classes is None:
        largest = max((d[0] for dets in per_image for d in dets), default=-1)
        classes = [str(i) for i in range(largest + 1)]
    images, annotations, results = [], [], []
    for record, detections in zip(records, per_image):
        if record.get('sample_idx') is None or 'ori_shape' not in record:
            raise KeyError('COCO export needs sample_idx and ori_shape in '
                           f'every data sample (img_path='
                           f'{record.get("img_path")})')
        image_id = int(record['sample_idx'])
        height, width = (int(s) for s in record['ori_shape'][:2])
        path = record['img_path']
        images.append(dict(
            id=image_id, width=width, height=height, img_id=record.get(
                'img_id'), file_name=path if image_root is None else
            osp.relpath(path, image_root)))
        for label, box, score in detections:
            if not 0 <= label < len(classes):
                raise ValueError(f'label {label} of {path} is not a class '
                                 f'index of the {len(classes)} classes')
            bbox = coco_bbox(box)
            result = dict(image_id=image_id, category_id=label + 1,
                          bbox=bbox, score=float(score))
            results.append(result)
            annotations.append(dict(
                result, id=len(annotations) + 1, area=bbox[2] * bbox[3],
                iscrowd=0))
    ids = [image['id'] for image in images]
    if len(set(ids)) != len(ids):
        raise ValueError('COCO export: some sample_idx appear more than once')
    dataset = dict(
        info=dict(description='WSOL predictions (wsol_mm)', labels=labels,
                  image_root=None if image_root is None else
                  osp.abspath(image_root)),
        images=images,
        annotations=annotations,
        categories=[dict(id=i + 1, name=str(name))
                    for i, name in enumerate(classes)])
    return dataset, results


@METRICS.register_module()
class DumpCOCODetections(DumpWSOLPredictions):
    """Writes the test set's predicted boxes as COCO detections (module
    docstring: ``out_file`` and ``<out_file stem>.results.json``); returns
    no metric. A sample without a known way back to its original image
    (:func:`homography_of`) is an error.

    Args:
        out_file (str): the COCO dataset file, ``.json``.
        labels (str): ``'predicted'`` (default): one detection per top-k
            class (the model's ``test_cfg.topk``) with its box and class
            score; ``'gt'``: one detection per image, the GT class (known on
            a WSOL training set) with the box of ``gt_score_map`` (the map
            the metrics score) at ``cam_threshold`` (largest contour) and
            that class's score (1 without ``pred_score``).
        cam_threshold (float): the CAM threshold of ``labels='gt'`` boxes.
        image_root (str, optional): ``file_name`` relative to this folder;
            absolute paths when None.
    """

    strict = True

    def __init__(self, out_file: str, labels: str = 'predicted',
                 cam_threshold: float = 0.2,
                 image_root: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None):
        if not out_file.endswith('.json'):
            raise ValueError(f'the COCO export (--out) must end in .json, '
                             f'got "{out_file}"')
        if labels not in LABELS:
            raise ValueError(f'labels must be one of {LABELS}, got '
                             f'{labels!r}')
        super().__init__(out_file, collect_device=collect_device,
                         prefix=prefix)
        self.labels = labels
        self.cam_threshold = cam_threshold
        self.image_root = image_root

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        super().process(data_batch, data_samples)
        if self.labels != 'gt':
            return
        for sample, record in zip(data_samples,
                                  self.results[-len(data_samples):]):
            scoremap = read_score_map(sample, type(self).__name__)
            box = boxes_from_scoremap(scoremap, [self.cam_threshold])[0][0]
            original = boxes_to_original(box, homography_of(sample),
                                         sample.get('ori_shape'))
            record['gt_class_bbox_original'] = original[0].tolist()
            label = int(np.ravel(record['gt_label'])[0])
            score = sample.get('pred_score')
            record['gt_class_score'] = 1.0 if score is None else float(
                score[label])

    def compute_metrics(self, results: list) -> dict:
        dataset, detections = wsol_to_coco(
            results, (self.dataset_meta or {}).get('classes'),
            self.image_root, self.labels)
        results_file = results_file_of(self.out_file)
        for path, content in ((self.out_file, dataset),
                              (results_file, detections)):
            os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
            with open(path, 'w', encoding='utf-8') as f:
                json.dump(content, f)
        print_log(f'Wrote {len(detections)} COCO detections of '
                  f'{len(dataset["images"])} images to {self.out_file} '
                  f'(dataset) and {results_file} (results)',
                  logger='current')
        return {}
