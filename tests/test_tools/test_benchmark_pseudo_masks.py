"""tools/analysis_tools/benchmark_pseudo_masks.py on tiny sizes: its inputs,
that every timed step returns what the package function returns, the
median timing and the command line (no assertion on times)."""
import importlib.util
import json
import os.path as osp

import pytest
import torch
import torch.nn.functional as F

from wsol_mm.models.utils import (GaussianPriorEnhance, double_threshold,
                                  nmf_masks, nmf_rank1)
from wsol_mm.models.utils.pseudo_masks import cam_or_prior_labels
from .conftest import REPO_ROOT

SCRIPT = osp.join(REPO_ROOT, 'tools', 'analysis_tools',
                  'benchmark_pseudo_masks.py')
TINY = ['--images', '3', '--channels', '8', '--feature-size', '5',
        '--image-size', '10', '--num-classes', '4', '--repeats', '2',
        '--warmup', '0', '--threads', '0', '--device', 'cpu']


@pytest.fixture(scope='module')
def bench():
    spec = importlib.util.spec_from_file_location('benchmark_pseudo_masks',
                                                  SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _outputs(bench, features, loadings, image_size):
    """Every method's step outputs, chained as the benchmark times them."""
    model = bench.cam_model(features.shape[1], 4, loadings)
    outputs = {}
    for method, steps in bench.method_steps(model, image_size,
                                            len(features)).items():
        value = (bench.stage_matrix(features)
                 if method == 'ISIC stage direction' else features)
        outputs[method] = []
        for _, function in steps:
            value = function(value)
            outputs[method].append(value)
    return model, outputs


def test_class_features(bench):
    features, loadings = bench.class_features(4, 64, 12, seed=3)
    assert features.shape == (4, 64, 12, 12)
    assert features.dtype == torch.float32 and loadings.shape == (64, )
    assert float(features.min()) == 0  # ReLU-like: non-negative, with zeros
    assert 0.3 < float((features == 0).float().mean()) < 0.9
    again = bench.class_features(4, 64, 12, seed=3)
    assert torch.equal(again[0], features) and torch.equal(again[1], loadings)
    assert not torch.equal(bench.class_features(4, 64, 12, seed=4)[0],
                           features)
    # the loaded channels' blob lies in the middle half of every image
    cam = torch.einsum('n,tnhw->thw', loadings, features)
    peaks = cam.flatten(1).argmax(1)
    rows, cols = peaks // 12, peaks % 12
    assert ((rows >= 2) & (rows <= 9) & (cols >= 2) & (cols <= 9)).all()
    with pytest.raises(ValueError, match='channels'):
        bench.class_features(4, 0, 12)


def test_steps_return_the_package_functions_outputs(bench):
    features, loadings = bench.class_features(3, 8, 5, seed=0)
    model, outputs = _outputs(bench, features, loadings, image_size=10)
    # ISIC: NMF masks, their grids (bicubic, divided by the maximum), labels
    masks, grids, labels = outputs['ISIC']
    assert torch.equal(masks, nmf_masks(features))
    upsampled = F.interpolate(masks[:, None], size=(10, 10), mode='bicubic',
                              align_corners=False)[:, 0].clamp(min=0)
    torch.testing.assert_close(
        grids, upsampled / upsampled.amax((1, 2), keepdim=True))
    assert grids.shape == (3, 10, 10)
    assert torch.equal(labels, double_threshold(grids, 0.5, 0.004))
    # SPOL: the class's CAM is its loadings times the features
    cams, grids, enhanced, labels = outputs['SPOL paper']
    torch.testing.assert_close(
        cams, torch.einsum('n,tnhw->thw', loadings, features)[:, None])
    assert torch.equal(enhanced,
                       GaussianPriorEnhance(fg_threshold=0.7)(grids))
    assert torch.equal(labels, double_threshold(enhanced, 0.5, 0.004))
    cams, grids, (maps, priors), labels = outputs['SPOL official']
    bias = -0.05 * loadings.sum()
    assert float(model.head.fc.bias[bench.CLASS_INDEX].detach()) == \
        pytest.approx(float(bias))
    torch.testing.assert_close(
        cams, torch.einsum('n,tnhw->thw', loadings, features)[:, None] +
        bias)
    assert torch.equal(priors, GaussianPriorEnhance(
        **bench.OFFICIAL_PRIOR).prior(grids))
    assert torch.equal(labels, cam_or_prior_labels(grids, priors, 0.25,
                                                   0.01))
    # the stage's Theta: one row per pixel (t, h, w)
    theta1, theta2 = outputs['ISIC stage direction'][0]
    assert torch.equal(bench.stage_matrix(features)[7], features[0, :, 1, 2])
    reference = nmf_rank1(bench.stage_matrix(features))
    assert torch.equal(theta1, reference[0])
    assert torch.equal(theta2, reference[1])


def test_median_ms_times_each_call_after_the_warmup(bench, monkeypatch):
    calls = []
    clock = iter([0.0, 1.0, 10.0, 13.0, 20.0, 22.0])  # 1 s, 3 s, 2 s
    monkeypatch.setattr(bench.time, 'perf_counter', lambda: next(clock))
    ms = bench.median_ms(calls.append, 'x', torch.device('cpu'), repeats=3,
                         warmup=2)
    assert ms == pytest.approx(2000.0)
    assert calls == ['x'] * 5


def test_command_line_writes_the_results(bench, tmp_path, capsys):
    out = tmp_path / 'results.json'
    results = bench.main(TINY + ['--out', str(out)])
    printed = capsys.readouterr().out.strip().splitlines()
    assert printed[-1] == results['verdict']
    assert results['verdict'].startswith(
        'Pseudo masks of one class of 3 images: cpu: ISIC ')
    assert results['verdict'].endswith('no GPU in this run')
    assert json.loads(out.read_text()) == results
    timings = results['ms_per_class']['cpu']
    assert set(timings) == {'ISIC', 'SPOL paper', 'SPOL official',
                            'ISIC stage direction'}
    for method, steps in timings.items():
        parts = [ms for step, ms in steps.items() if step != 'total']
        assert steps['total'] == pytest.approx(sum(parts))
        assert all(ms > 0 for ms in parts)
        for step, ms in steps.items():
            assert results['ms_per_image']['cpu'][method][step] == \
                pytest.approx(ms / 3)
    assert results['settings']['images'] == 3
    assert any(line.startswith('SPOL official') and 'cam_or_prior_labels'
               in line for line in printed)


@pytest.mark.parametrize('options, message', [
    (['--images', '0'], '--images must be positive'),
    (['--device', 'tpu'], 'auto, cpu or cuda'),
    (['--warmup', '-1'], '--warmup'),
])
def test_bad_options(bench, capsys, options, message):
    with pytest.raises(SystemExit):
        bench.parse_args(options)
    assert message in capsys.readouterr().err


def test_cuda_without_a_gpu_is_an_error(bench, capsys, monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    with pytest.raises(SystemExit):
        bench.parse_args(['--device', 'cuda'])
    assert 'torch.cuda.is_available() is False' in capsys.readouterr().err
    assert bench.devices_of('auto') == [torch.device('cpu')]
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    assert bench.devices_of('auto') == [torch.device('cpu'),
                                        torch.device('cuda')]
    assert bench.devices_of('cuda') == [torch.device('cuda')]


def test_table_and_verdict_give_cpu_over_gpu(bench):
    timings = {
        'cpu': {'ISIC': {'nmf_masks': 300.0, 'total': 300.0},
                'SPOL paper': {'class_activation_maps': 60.0, 'total': 60.0}},
        'cuda': {'ISIC': {'nmf_masks': 3.0, 'total': 3.0},
                 'SPOL paper': {'class_activation_maps': 4.0, 'total': 4.0}},
    }
    table = bench.format_table(timings, num_images=30).splitlines()
    assert table[0].split() == ['method', 'step', 'cpu', 'ms/class', 'cpu',
                                'ms/image', 'cuda', 'ms/class', 'cuda',
                                'ms/image', 'cpu/cuda']
    assert table[1].split() == ['ISIC', 'nmf_masks', '300.00', '10.000',
                                '3.00', '0.100', '100.0x']
    assert table[3].split()[-1] == '15.0x'
    assert bench.verdict(timings, 30) == (
        'Pseudo masks of one class of 30 images: cpu: ISIC 300.0 ms (10.00 '
        'ms/image), SPOL paper 60.0 ms (2.00 ms/image); cuda: ISIC 3.0 ms '
        '(0.10 ms/image), SPOL paper 4.0 ms (0.13 ms/image); GPU faster '
        'than CPU by ISIC 100.0x, SPOL paper 15.0x')
