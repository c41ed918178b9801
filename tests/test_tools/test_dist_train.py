"""tools/dist_train.sh with two processes on a CPU-only machine (gloo)."""
import re

import torch

from .conftest import NUM_CLASSES, TEST_PER_CLASS, free_port, run_tool, \
    write_config


def test_two_process_training_counts_each_test_image_once(tiny_data,
                                                          tmp_path):
    config = write_config(tmp_path / 'cfg.py', tiny_data, 1)
    env = dict(PORT=str(free_port()))
    if not torch.cuda.is_available():
        env['CUDA_VISIBLE_DEVICES'] = ''
    done = run_tool(['bash', 'tools/dist_train.sh', config, '2',
                     '--work-dir', str(tmp_path / 'work')], env=env)
    log = done.stdout + done.stderr
    tail = log[-4000:]
    assert done.returncode == 0, tail
    assert 'Distributed training: True' in log, tail
    assert re.search(r'GPU number: 2\b', log), tail  # MMEngine's world size
    # 9 test images over 2 ranks: the sampler pads to 10, the metric must
    # still see each image once (it raises on a duplicate sample index).
    counts = re.findall(r'wsol/num_images: (\d+)', log)
    assert counts and {int(c) for c in counts} == {
        NUM_CLASSES * TEST_PER_CLASS}, tail
    assert (tmp_path / 'work' / 'epoch_1.pth').exists(), tail
