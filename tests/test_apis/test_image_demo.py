"""demo/image_demo.py: prints the classes and boxes, writes the drawing
(overlay, predicted box in red, GT box in green) at the image's size."""
import os.path as osp
import runpy
import sys

import cv2
import numpy as np

from wsol_mm.apis import WSOLInferencer
from .conftest import REPO_ROOT


def test_demo_writes_the_drawing(cam_model, tiny_data, tmp_path, capsys,
                                 monkeypatch):
    config, checkpoint = cam_model
    image = osp.join(tiny_data, 'images', sorted(
        line.split()[1] for line in open(osp.join(tiny_data,
                                                  'images.txt')))[0])
    out = str(tmp_path / 'out.jpg')
    gt_box = ['3', '4', '40', '50']
    monkeypatch.setattr(sys, 'argv', [
        'demo/image_demo.py', image, config, checkpoint, '--out-file', out,
        '--device', 'cpu', '--gt-box', *gt_box])
    runpy.run_path(osp.join(REPO_ROOT, 'demo', 'image_demo.py'),
                   run_name='__main__')
    printed = capsys.readouterr().out
    result = WSOLInferencer(config, checkpoint, device='cpu')(image)[0]
    box = ' '.join(f'{v:.1f}' for v in result['pred_bboxes'][0])
    assert f'{result["pred_classes"][0]} (label ' in printed
    assert f'box {box}' in printed and f'Wrote {out}' in printed

    drawn = cv2.imread(out)
    original = cv2.imread(image)
    assert drawn.shape == original.shape
    # the GT box's top edge is green, the overlay changed the image
    b, g, r = drawn[4, 10:35].astype(int).mean(0)
    assert g > 150 and g > b + 60 and g > r + 60
    assert np.abs(drawn.astype(int) - original).mean() > 10
