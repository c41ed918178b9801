"""Tiny synthetic data, a CAM config with a resize + centre-crop test
pipeline, and a checkpoint of random weights (no training)."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from wsol_mm.datasets.synthetic import class_names, generate_synthetic_dataset
from wsol_mm.registry import MODELS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
NUM_CLASSES = 3
RESIZE, CROP = 80, 64  # Resize to 80 x 80, centre crop 64: offset 8


@pytest.fixture(scope='session')
def tiny_data(tmp_path_factory):
    """3 classes, 2 test images each, 64-96 px sides (non-square), one
    object placed at random in each (mostly off-centre)."""
    root = str(tmp_path_factory.mktemp('synthetic_cub'))
    generate_synthetic_dataset(root, num_classes=NUM_CLASSES,
                               train_per_class=1, test_per_class=2,
                               min_size=64, max_size=96, seed=2)
    return root


def write_cam_config(path, data_root: str) -> str:
    base = osp.join(REPO_ROOT, 'configs', 'cam', 'cam_r18_demo.py')
    path.write_text(f'''
_base_ = [{base!r}]
data_root = {data_root!r}
model = dict(backbone=dict(base_channels=8),
             head=dict(num_classes={NUM_CLASSES}, in_channels=64))
test_pipeline = [
    dict(type='LoadWSOLImageFromFile'),
    dict(type='Resize', size=({RESIZE}, {RESIZE})),
    dict(type='CenterCrop', size={CROP}),
    dict(type='PackWSOLInputs'),
]
dataset = dict(type='CUB', data_root=data_root, pipeline=test_pipeline,
               _delete_=True)
train_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False,
                        dataset=dict(dataset, split='train'))
val_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False,
                      dataset=dict(dataset, split='test'))
test_dataloader = val_dataloader
# Cheap evaluation (only the predictions are compared).
test_evaluator = dict(cam_curve_interval=0.1, method='opencv')
''')
    return str(path)


def random_checkpoint(model_cfg, path, classes=None, seed=0) -> str:
    """The model of ``model_cfg`` with random weights that no initialiser
    makes (non-trivial maps), saved as MMEngine does (with the classes)."""
    init_default_scope('wsol_mm')
    torch.manual_seed(seed)
    state = MODELS.build(model_cfg).state_dict()
    for key, value in state.items():
        if key.endswith('running_var'):
            value.uniform_(0.5, 1.5)
        elif value.is_floating_point():
            value.normal_(0, 0.3)
    meta = {} if classes is None else dict(
        dataset_meta=dict(classes=tuple(classes)))
    torch.save(dict(meta=meta, state_dict=state), path)
    return str(path)


@pytest.fixture(scope='session')
def cam_model(tiny_data, tmp_path_factory):
    """(config path, checkpoint path) of a tiny CAM."""
    folder = tmp_path_factory.mktemp('cam')
    config = write_cam_config(folder / 'cam.py', tiny_data)
    checkpoint = random_checkpoint(Config.fromfile(config).model,
                                   folder / 'cam.pth',
                                   class_names(NUM_CLASSES))
    return config, checkpoint


def crop_to_original(boxes, width: int, height: int):
    """Input boxes of Resize(RESIZE x RESIZE) + CenterCrop(CROP) on a
    ``width`` x ``height`` image, in original pixels (by hand: undo the
    crop's offset, then the scaling)."""
    offset = (RESIZE - CROP) // 2
    boxes = torch.as_tensor(boxes, dtype=torch.float64).reshape(-1, 4)
    out = boxes + offset
    out[:, 0::2] *= width / RESIZE
    out[:, 1::2] *= height / RESIZE
    out[:, 0::2] = out[:, 0::2].clamp(0, width)
    out[:, 1::2] = out[:, 1::2].clamp(0, height)
    return out.numpy()
