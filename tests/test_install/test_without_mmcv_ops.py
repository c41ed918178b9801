"""wsol_mm without mmcv's compiled ops: everything but FSL-Det imports and
builds; FSL-Det says how to get the ops."""
import pytest
from mmengine.config import Config

from wsol_mm.utils import mmcv_ops
from wsol_mm.utils.mmcv_ops import (check_mmcv_ops, mmcv_ops_available,
                                    uses_mmdet_model)

from .conftest import REPO_ROOT

FSL_DET_DEMO = f'{REPO_ROOT}/configs/fsl/fsl_det_faster-rcnn_r18_fpn_demo.py'
CAM_DEMO = f'{REPO_ROOT}/configs/cam/cam_r18_demo.py'


def test_the_simulation_blocks_mmcv_ops(run_without_ops):
    result = run_without_ops(
        'from wsol_mm.utils.mmcv_ops import mmcv_ops_available\n'
        'print(mmcv_ops_available())\n'
        'import mmcv.ops')
    assert result.stdout.strip() == 'False'
    assert "No module named 'mmcv.ops'" in result.stderr


def test_registers_and_builds_the_demo_models_without_ops(run_without_ops):
    result = run_without_ops(f'''
from mmengine.config import Config
from wsol_mm.apis import register_all_modules
from wsol_mm.registry import MODELS, TRANSFORMS
register_all_modules()
for path in ({CAM_DEMO!r}, '{REPO_ROOT}/configs/center/center_gaussian_demo.py'):
    print(type(MODELS.build(Config.fromfile(path).model)).__name__)
print('ToDetInstances' in TRANSFORMS.module_dict)
''')
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ['CAM', 'CenterGaussian', 'True']


def test_fsl_det_without_ops_names_the_install_command(run_without_ops):
    result = run_without_ops(f'''
from mmengine.config import Config
from wsol_mm.apis import register_all_modules
from wsol_mm.registry import TRANSFORMS
from wsol_mm.engine import build_runner
register_all_modules()
for step in (lambda: build_runner(Config.fromfile({FSL_DET_DEMO!r})),
             lambda: TRANSFORMS.build(dict(type='ToDetInstances'))(
                 dict(gt_bboxes=[[0, 0, 1, 1]]))):
    try:
        step()
    except ImportError as error:
        print(error)
''')
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stderr
    assert len(lines) == 2
    assert lines[0].startswith("MMDetection's FasterRCNN (FSL-Det, ")
    assert lines[1].startswith('ToDetInstances (FSL-Det) needs')
    for line in lines:
        assert "needs mmcv's compiled ops (mmcv.ops)" in line
        assert '`bash tools/install.sh --with-ops`' in line


def test_which_configs_need_the_ops():
    assert uses_mmdet_model(Config.fromfile(FSL_DET_DEMO))
    assert not uses_mmdet_model(Config.fromfile(CAM_DEMO))
    assert uses_mmdet_model(Config(dict(model=dict(type='mmdet.RetinaNet'))))
    assert not uses_mmdet_model(Config(dict()))


def test_with_ops_the_check_passes(monkeypatch):
    # The test suite's install builds the ops (tools/run_tests.sh).
    assert mmcv_ops_available()
    check_mmcv_ops(Config.fromfile(FSL_DET_DEMO))
    monkeypatch.setattr(mmcv_ops, 'mmcv_ops_available', lambda: False)
    with pytest.raises(ImportError, match="Model X needs mmcv's compiled"):
        mmcv_ops.require_mmcv_ops('Model X')
