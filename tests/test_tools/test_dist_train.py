"""tools/dist_train.sh and dist_test.sh with two processes on a CPU-only
machine (gloo): every test image is evaluated once and the metrics equal a
single process's."""
import re

import torch

from .conftest import (NUM_CLASSES, TEST_PER_CLASS, free_port, python_tool,
                       run_tool, write_config)


def _dist(script, *args):
    env = dict(PORT=str(free_port()))
    if not torch.cuda.is_available():
        env['CUDA_VISIBLE_DEVICES'] = ''
    done = run_tool(['bash', f'tools/{script}', *args], env=env)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-4000:]
    assert 'Distributed training: True' in log, log[-4000:]
    assert re.search(r'GPU number: 2\b', log), log[-4000:]  # world size
    return log


def _metrics(log):
    """The ``wsol/...`` values of the last evaluation in a log."""
    line = [x for x in log.splitlines() if 'wsol/num_images' in x][-1]
    return dict(re.findall(r'wsol/(\w+): ([\d.]+)', line))


def test_two_processes_train_and_evaluate_each_image_once(tiny_data,
                                                          tmp_path):
    config = write_config(tmp_path / 'cfg.py', tiny_data, 1)
    train_log = _dist('dist_train.sh', config, '2', '--work-dir',
                      str(tmp_path / 'train'))
    checkpoint = str(tmp_path / 'train' / 'epoch_1.pth')
    # 9 test images over 2 ranks: the sampler pads to 10, the metric must
    # still see each image once (it raises on a duplicate sample index).
    assert _metrics(train_log)['num_images'] == str(NUM_CLASSES *
                                                    TEST_PER_CLASS)

    dist_log = _dist('dist_test.sh', config, checkpoint, '2', '--work-dir',
                     str(tmp_path / 'dist_test'))
    single = python_tool('test.py', config, checkpoint, '--work-dir',
                         str(tmp_path / 'test'))
    assert single.returncode == 0, single.stderr[-4000:]
    two_processes = _metrics(dist_log)
    assert two_processes == _metrics(single.stdout + single.stderr)
    assert two_processes['num_images'] == str(NUM_CLASSES * TEST_PER_CLASS)
