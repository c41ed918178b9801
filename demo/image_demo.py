"""Localize the object of one image with a trained WSOL model.

    python demo/image_demo.py IMG CONFIG CHECKPOINT [--out-file out.jpg]
        [--device cpu] [--topk 1] [--gt-box x0 y0 x1 y1]

Prints the top-k classes and their boxes in original-image pixels and draws
the image with the score map as a colour overlay, the predicted box(es) in
red and the GT box, when given, in green. CONFIG is a path or a config name
(``cam_r18_demo``); for a multi-stage method (SPOL, ISIC, SLT-Net)
CHECKPOINT is the finished work dir.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                            'tools'))
from _repo_env import use_repo_venv  # noqa: E402

use_repo_venv()

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from wsol_mm.apis.inferencer import WSOLInferencer, draw_result  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('img', help='image file')
    parser.add_argument('config', help='config file or config name')
    parser.add_argument('checkpoint', help='checkpoint file (a work dir for '
                        'a multi-stage config)')
    parser.add_argument('--out-file', default='result.jpg',
                        help='where to write the drawing (default: '
                        'result.jpg)')
    parser.add_argument('--device', default=None,
                        help='e.g. cpu, cuda:0 (default: cuda if available)')
    parser.add_argument('--topk', type=int, default=1,
                        help='classes (and their boxes) to predict')
    parser.add_argument('--gt-box', type=float, nargs=4,
                        metavar=('X0', 'Y0', 'X1', 'Y1'),
                        help='ground-truth box in original-image pixels, '
                        'drawn in green')
    return parser.parse_args()


def main():
    args = parse_args()
    if args.topk < 1:
        sys.exit(f'--topk must be at least 1, got {args.topk}')
    image = cv2.imread(args.img, cv2.IMREAD_COLOR)
    if image is None:
        sys.exit(f'cannot read the image {args.img}')
    inferencer = WSOLInferencer(args.config, args.checkpoint,
                                device=args.device)
    result = inferencer(args.img, topk=args.topk)[0]
    labels = result['pred_labels']
    labels = [] if labels is None else [int(label) for label in labels]
    boxes = result['pred_bboxes']
    # A class-agnostic localizer (multi-stage methods) has one box for all.
    for i in range(max(len(labels), len(boxes))):
        parts = []
        if i < len(labels):
            name = result['pred_classes'][i] if result['pred_classes'] \
                else f'class {labels[i]}'
            parts.append(f'{name} (label {labels[i]}, score '
                         f'{result["pred_scores"][labels[i]]:.3f})')
        if i < len(boxes):
            parts.append('box ' + ' '.join(f'{v:.1f}' for v in boxes[i]))
        print(': '.join(parts))
    print(f'score map: {result["score_maps"].shape[1:]} on the '
          f'{result["ori_shape"]} image')
    gt_box = None if args.gt_box is None else np.array([args.gt_box])
    drawn = draw_result(image, result, gt_box)
    if not cv2.imwrite(args.out_file, drawn):
        sys.exit(f'cannot write {args.out_file}')
    print(f'Wrote {args.out_file}')


if __name__ == '__main__':
    main()
