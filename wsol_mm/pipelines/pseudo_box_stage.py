"""SLT-Net's pseudo boxes: the box of a trained localizer's map for every
training image, the regressor's targets."""
import json
import os
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.dist import all_gather_object, barrier, is_main_process

from wsol_mm.datasets.transforms import read_box_file
from wsol_mm.evaluation.functional.mask_boxes import BOX_MODES
from wsol_mm.models.utils import box_score_map, boxes_from_score_maps
from wsol_mm.registry import STAGES
from wsol_mm.structures import boxes_to_original, homography_of
from wsol_mm.utils.progress import progress
from .base_stage import PipelineContext
from .pseudo_mask_stage import (GEOMETRIC_TRANSFORMS, PseudoLabelStage,
                                _batch_size, _type_name)
from .stage_manifest import StageManifest

BOX_FILE_NAME = 'pseudo_boxes.json'


def pipeline_output_size(pipeline: Sequence[dict]
                         ) -> Optional[Tuple[int, int]]:
    """The (w, h) ``size`` of the last geometric transform of a pipeline
    that has one (e.g. the 224 of ``Resize(256) + CenterCrop(224)``), or
    None."""
    for transform in reversed(list(pipeline)):
        if _type_name(transform) in GEOMETRIC_TRANSFORMS and \
                transform.get('size') is not None:
            size = transform['size']
            return (size, size) if isinstance(size, int) else tuple(size)
    return None


@STAGES.register_module()
class PseudoBoxStage(PseudoLabelStage):
    """Write the pseudo box of every training image (SLT-Net section 3.1:
    "we use the prediction map of the localizer to generate the bounding
    box"), for a regressor trained in a later stage (:class:`BoxRegressor`
    with :class:`LoadPseudoBox`).

    Each training image, warped whole to ``input_size`` (by default the
    size the localizer's test pipeline gives, e.g. 224x224), goes through
    the localizer's ``predict``; the box of its ``gt_score_map`` (the map
    its ``test_cfg`` selects, e.g. SLT-Net's top-K ACAM) at ``threshold``
    (:func:`boxes_from_score_maps`, ``box_mode``) is mapped back to
    original-image pixels through the inverse of the transforms
    (:func:`boxes_to_original`) and written to ``pseudo_boxes.json``
    (``{img_id: [x0, y0, x1, y1]}``, :func:`read_box_file`), first as a
    ``.partial`` file renamed when complete. With ``evaluate``, the boxes
    of the test split (made with the localizer's test pipeline) are scored
    by its test evaluator, each sample's ``gt_score_map`` replaced by the
    binary map of its box (:func:`box_score_map`) and ``pred_bboxes`` by
    the box, so that MaxBoxAcc and GT-known Loc are the boxes' accuracy.

    Args:
        localizer (str): Name of the training stage whose model makes maps.
        threshold (float): Foreground threshold of the normalised map (0.2:
            CAM's rule, SLT-Net section 3.2; the paper does not say which
            the pseudo boxes use).
        box_mode (str): One of ``BOX_MODES`` (``'largest_component'``:
            "the bounding box that covers the largest connected component").
        input_size (tuple, optional): (w, h) of the warp of the training
            images; by default the ``size`` of the last geometric transform
            of the localizer's test pipeline.
        pipeline, batch_size, num_workers, evaluate: see
            :class:`PseudoLabelStage`.
    """

    def __init__(self, name: str, context: PipelineContext, localizer: str,
                 threshold: float = 0.2,
                 box_mode: str = 'largest_component', **kwargs):
        super().__init__(name, context, localizer, **kwargs)
        if box_mode not in BOX_MODES:
            raise ValueError(f'stage "{name}": box_mode must be one of '
                             f'{BOX_MODES}, got {box_mode!r}')
        if not 0 <= threshold < 1:
            raise ValueError(f'stage "{name}": threshold must be in [0, 1), '
                             f'got {threshold}')
        self.threshold = threshold
        self.box_mode = box_mode

    def settings(self) -> dict:
        return dict(super().settings(), threshold=self.threshold,
                    box_mode=self.box_mode)

    @property
    def box_file(self) -> str:
        return osp.join(self.work_dir, BOX_FILE_NAME)

    @property
    def artifact_path(self) -> str:
        return self.box_file

    def warp_size(self, test_pipeline: Sequence[dict]) -> Tuple[int, int]:
        """``input_size``, or the size of the localizer's test input."""
        size = self.input_size or pipeline_output_size(test_pipeline)
        if size is None:
            raise ValueError(
                f'stage "{self.name}": the localizer\'s test pipeline has no '
                'geometric transform with a size; give input_size (w, h) or '
                'pipeline')
        return size

    def input_boxes(self, model: nn.Module, data: dict
                    ) -> Tuple[list, torch.Tensor]:
        """The data samples of a batch (with predictions) and their (B, 4)
        boxes on the input (``img_shape`` grid)."""
        _, samples, _ = self.predict(model, data)
        missing = [s.metainfo.get('img_path') for s in samples
                   if 'gt_score_map' not in s]
        if missing:
            raise KeyError(f'stage "{self.name}": the localizer '
                           f'"{self.localizer}" gave no gt_score_map (e.g. '
                           f'for {missing[0]}); it needs a map per image')
        return samples, boxes_from_score_maps(
            [s.gt_score_map for s in samples], self.threshold, self.box_mode)

    def original_boxes(self, model: nn.Module, data: dict
                       ) -> List[Tuple[str, List[float]]]:
        """``(img_id, [x0, y0, x1, y1])`` in original-image pixels for each
        image of a batch."""
        samples, boxes = self.input_boxes(model, data)
        return [(s.metainfo['img_id'], boxes_to_original(
            box, homography_of(s.metainfo),
            s.metainfo['ori_shape'])[0].tolist())
            for s, box in zip(samples, boxes)]

    def write_labels(self, model: nn.Module, dataset, loader_args: dict
                     ) -> dict:
        indices = self.rank_indices(dataset)
        mine = {}
        for data in progress(
                self.loader(dataset, indices, loader_args), len(indices),
                f'{self.name}: pseudo boxes', 'images', _batch_size,
                logger=self.logger):
            mine.update(self.original_boxes(model, data))
        boxes = {}
        for part in all_gather_object(mine):
            boxes.update(part)
        img_ids = [dataset.get_data_info(i)['img_id']
                   for i in range(len(dataset))]
        missing = set(img_ids) - set(boxes)
        if missing or len(img_ids) != len(set(img_ids)):
            raise RuntimeError(
                f'stage "{self.name}": {len(boxes)} pseudo boxes for '
                f'{len(img_ids)} image ids ({len(set(img_ids))} distinct), '
                f'{len(missing)} missing: the image ids must be unique')
        if is_main_process():
            self.log_empty_boxes(boxes)
            os.makedirs(self.work_dir, exist_ok=True)
            partial = self.box_file + '.partial'
            with open(partial, 'w', encoding='utf-8') as f:
                json.dump({i: boxes[i] for i in img_ids}, f)
            os.replace(partial, self.box_file)
        barrier()
        return dict(num_boxes=len(img_ids))

    def log_empty_boxes(self, boxes: dict) -> None:
        """Log how many boxes are empty (maps without foreground)."""
        empty = sum(1 for b in boxes.values() if b[2] <= b[0] or b[3] <= b[1])
        self.logger.info(f'{self.name}: {len(boxes)} pseudo boxes, {empty} '
                         'empty')

    def evaluation_samples(self, model: nn.Module, data: dict) -> list:
        samples, boxes = self.input_boxes(model, data)
        for sample, box in zip(samples, boxes):
            sample.pred_bboxes = box[None]
            sample.gt_score_map = box_score_map(
                box, sample.gt_score_map.shape).to(box.device)
        return samples

    def artifact_problem(self, manifest: StageManifest) -> Optional[str]:
        if not osp.isfile(self.box_file):
            return f'{self.box_file} is missing'
        try:
            boxes = read_box_file(self.box_file)
        except ValueError as error:
            return str(error)
        if len(boxes) != manifest.extra.get('num_boxes'):
            return (f'{self.box_file} holds {len(boxes)} boxes, the stage '
                    f'wrote {manifest.extra.get("num_boxes")}')
        return None
