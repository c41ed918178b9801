"""tools/analysis_tools/benchmark_training.py: from the same weights and the
same batches, the plain PyTorch loop and our loop (the runner of
tools/train.py) end with the same parameters, buffers and lr (the two loops
do the same work); throughput arithmetic, table and verdict; the tool end
to end on tiny data. No timing is asserted."""
import copy
import importlib.util
import json
import os.path as osp
import re

import pytest
import torch
from mmengine.hooks import Hook

from .conftest import REPO_ROOT, write_config

SCHEDULE = '''
# As the demo: an iteration-based warm-up, then a per-epoch schedule.
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='MultiStepLR', by_epoch=True, milestones=[1], gamma=0.5),
]
'''


def _load():
    path = osp.join(REPO_ROOT, 'tools', 'analysis_tools',
                    'benchmark_training.py')
    spec = importlib.util.spec_from_file_location('benchmark_training', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _load()


@pytest.fixture
def tiny_config(tiny_data, tmp_path):
    return write_config(tmp_path / 'tiny.py', tiny_data, max_epochs=3,
                        extra=SCHEDULE)


class RecordStart(Hook):
    """Keeps a copy of the model as it starts training (after the runner's
    init_weights) and every batch it trains on."""

    priority = 'HIGHEST'

    def __init__(self):
        self.initial_model, self.batches = None, []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if self.initial_model is None:
            self.initial_model = copy.deepcopy(runner.model)
        self.batches.append(data_batch)


def test_plain_loop_does_the_same_work_as_our_loop(tiny_config, tmp_path):
    cfg = bench.load_train_config(tiny_config, work_dir=str(tmp_path))
    runner = bench.new_runner(cfg, str(tmp_path), 'same_work')
    record = RecordStart()
    runner.register_hook(record)
    # 4 iterations of 3 per epoch: both schedulers and the momentum act.
    bench.run_until_stopped(runner, bench.AlternatingTimer(4))
    assert len(record.batches) == 4
    epoch_length = len(runner.train_dataloader)
    assert epoch_length == 3

    initial = copy.deepcopy(record.initial_model.state_dict())
    plain = bench.PlainLoop(record.initial_model, cfg, epoch_length)
    for i, batch in enumerate(record.batches):
        samples = [dict(inputs=x, data_samples=s) for x, s in
                   zip(batch['inputs'], batch['data_samples'])]
        plain.step(*bench.stack_inputs_and_labels(samples))
        if i + 1 == epoch_length:
            plain.end_epoch()

    ours = dict(runner.model.state_dict())
    theirs = dict(plain.model.state_dict())
    assert ours.keys() == theirs.keys()
    changed = 0
    for name, value in ours.items():
        torch.testing.assert_close(theirs[name], value, rtol=1e-5,
                                   atol=1e-6, msg=name)
        changed += not torch.equal(value, initial[name])
    assert changed > len(ours) // 2  # training moved the weights
    lrs = [g['lr'] for g in runner.optim_wrapper.optimizer.param_groups]
    assert [g['lr'] for g in plain.optimizer.param_groups] == \
        pytest.approx(lrs)
    # The warm-up reached the base lr 0.05, halved after the first epoch.
    assert lrs[0] == pytest.approx(0.025)


def test_plain_loop_refuses_models_it_does_not_reproduce(tiny_config,
                                                         tmp_path):
    cfg = bench.load_train_config(
        tiny_config, work_dir=str(tmp_path),
        cfg_options=['model.data_preprocessor.batch_augments.type=CutMix',
                     'model.data_preprocessor.batch_augments.num_classes=3'])
    runner = bench.new_runner(cfg, str(tmp_path), 'refused')
    with pytest.raises(ValueError, match='batch_augments'):
        bench.PlainLoop(runner.model, cfg, epoch_length=3)


def test_images_per_second_counts_only_the_timed_iterations():
    # After a warm-up of 1: batches of 10, 10, 6 images in 1 + 2 + 1 s.
    iterations = [(7.0, 99), (1.0, 10), (2.0, 10), (1.0, 6)]
    assert bench.images_per_second(iterations, warmup=1) == 26 / 4
    with pytest.raises(ValueError, match='warmup'):
        bench.images_per_second(iterations, warmup=4)


def test_timer_alternates_the_loops_and_times_them_apart():
    """Our iterations last from the end of the previous plain step; plain
    steps from the end of ours (a fake clock ticks 1 s per reading, the
    plain step reads it 3 times: 4 s each)."""
    ticks = iter(range(100))
    clock = lambda: float(next(ticks))  # noqa: E731
    order = []

    def plain_step():
        order.append('plain')
        for _ in range(3):
            clock()
        return 5

    bench.synchronized_time, real = clock, bench.synchronized_time
    try:
        timer = bench.AlternatingTimer(2, plain_step)
        timer.before_train(None)                               # t = 0
        clock(), clock()                                       # ours: 3 s
        order.append('ours')
        timer.after_train_iter(None, 0, dict(inputs=[0] * 8))  # t = 3, 7
        order.append('ours')
        with pytest.raises(bench.StopTraining):
            timer.after_train_iter(None, 1, dict(inputs=[0] * 8))  # 8, 12
    finally:
        bench.synchronized_time = real
    assert order == ['ours', 'plain', 'ours', 'plain']
    assert timer.ours == [(3.0, 8), (1.0, 8)]
    assert timer.plain == [(4.0, 5), (4.0, 5)]


def test_summary_table_and_verdict():
    # Ratios of the repeats 0.97, 0.8 (a noisy repeat), 0.99: median 0.97.
    samples = {'data': [300.0, 310.0, 290.0], 'plain': [100.0, 100.0, 90.0],
               'ours': [97.0, 80.0, 89.1]}
    summary = bench.summarize(samples, target=0.95)
    assert summary['medians'] == {'data': 300.0, 'plain': 100.0,
                                  'ours': 89.1}
    assert summary['ratios'] == {'fp32': pytest.approx(0.97)}
    report = bench.format_report(summary)
    lines = report.splitlines()
    assert lines[-1] == ('our loop / plain PyTorch loop: 0.97x '
                         '(target >= 0.95x): PASS')
    assert re.search(r'data pipeline alone\s+300\.0\s+300\.0, 310\.0, '
                     r'290\.0', report)
    assert re.search(r'our loop \(tools/train\.py\)\s+89\.1', report)

    samples.update(plain_amp=[200.0], ours_amp=[180.0])
    summary = bench.summarize(samples, target=0.95)
    assert not summary['passed']
    report = bench.format_report(summary)
    assert 'plain PyTorch loop AMP' in report
    assert report.splitlines()[-1] == (
        'our loop / plain PyTorch loop (worst of fp32, amp): 0.90x '
        '(target >= 0.95x): FAIL')


def test_tool_end_to_end(tiny_config, tmp_path, capsys):
    out = tmp_path / 'results.json'
    with pytest.raises(SystemExit):
        bench.main([tiny_config, '--warmup', '1', '--iters', '2',
                    '--repeats', '1', '--work-dir', str(tmp_path),
                    '--out', str(out)])
    printed = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r'our loop / plain PyTorch loop: \d+\.\d\dx '
                        r'\(target >= 0\.95x\): (PASS|FAIL)', printed[-1])
    assert any(line.startswith(f'{tiny_config} on cpu (') and
               line.endswith('2 timed iterations after 1 per run, batch 4')
               for line in printed)
    results = json.loads(out.read_text())
    assert set(results['medians']) == {'data', 'plain', 'ours'}
    assert all(len(v) == 1 and v[0] > 0 for v in results['samples'].values())
    assert results['ratios']['fp32'] == pytest.approx(
        results['samples']['ours'][0] / results['samples']['plain'][0])


def test_options_are_checked():
    with pytest.raises(SystemExit):
        bench.parse_args(['--warmup', '0'])
