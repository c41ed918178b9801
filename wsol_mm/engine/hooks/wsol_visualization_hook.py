"""Writes the score map, the GT boxes and the predicted box of test images."""
import os
import os.path as osp

import cv2
import numpy as np
from mmengine.hooks import Hook

from wsol_mm.registry import HOOKS

GT_COLOR = (0, 255, 0)  # BGR
PRED_COLOR = (0, 0, 255)


@HOOKS.register_module()
class WSOLVisualizationHook(Hook):
    """Draws each test image with its score map blended in, GT boxes in green
    and the top-1 predicted box in red, into ``out_dir`` (``tools/test.py
    --show-dir``).

    Args:
        enable (bool): Draw at all. Defaults to False.
        out_dir (str, optional): Folder; relative paths are under the run's
            work dir. Defaults to ``vis``.
        alpha (float): Weight of the score map in the blend. Defaults to 0.5.
    """

    def __init__(self, enable: bool = False, out_dir: str = 'vis',
                 alpha: float = 0.5):
        self.enable = enable
        self.out_dir = out_dir
        self.alpha = alpha

    def after_test_iter(self, runner, batch_idx, data_batch=None,
                        outputs=None) -> None:
        if not self.enable or not outputs:
            return
        out_dir = osp.join(runner.work_dir, self.out_dir)
        os.makedirs(out_dir, exist_ok=True)
        for image, sample in zip(data_batch['inputs'], outputs):
            name = osp.basename(sample.metainfo.get(
                'img_path', f'{sample.metainfo.get("sample_idx", batch_idx)}'))
            cv2.imwrite(osp.join(out_dir, osp.splitext(name)[0] + '.jpg'),
                        self.draw(image.permute(1, 2, 0).cpu().numpy(),
                                  sample))

    def draw(self, image: np.ndarray, sample) -> np.ndarray:
        """The BGR ``image`` (as fed to the model) with map and boxes."""
        height, width = image.shape[:2]
        canvas = np.ascontiguousarray(image, dtype=np.uint8)
        score_map = sample.get('gt_score_map')
        if score_map is None and 'pred_score_maps' in sample:
            score_map = sample.pred_score_maps[0]
        if score_map is not None:
            heat = cv2.applyColorMap(
                (score_map.cpu().numpy()[:height, :width] * 255).astype(
                    np.uint8), cv2.COLORMAP_JET)
            canvas = cv2.addWeighted(canvas, 1 - self.alpha, heat,
                                     self.alpha, 0)
        gt_boxes = sample.get('gt_bboxes')
        pred_boxes = sample.get('pred_bboxes')
        drawn = [] if gt_boxes is None else [(b, GT_COLOR) for b in gt_boxes]
        if pred_boxes is not None and len(pred_boxes):
            drawn.append((pred_boxes[0], PRED_COLOR))
        for box, color in drawn:
            x0, y0, x1, y1 = (int(v) for v in box.tolist())
            cv2.rectangle(canvas, (x0, y0), (x1, y1), color, 2)
        return canvas
