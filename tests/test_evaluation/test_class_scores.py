"""DumpClassScores / load_class_scores / ClassScores."""
import os.path as osp
import re

import mmengine
import numpy as np
import pytest
import torch

from wsol_mm.evaluation.metrics import (ClassScores, DumpClassScores,
                                        load_class_scores)
from wsol_mm.registry import METRICS

SCORES = np.array([[0.1, 0.7, 0.2],
                   [0.5, 0.25, 0.25],
                   [0.0, 0.125, 0.875],
                   [0.3, 0.3, 0.4]], dtype=np.float32)
PATHS = ['data/cub/001.Bird/a.jpg', 'data/cub/./002.Bird/b.jpg',
         'data/cub/002.Bird/c.jpg', 'c.jpg']


def _samples(paths=PATHS, scores=SCORES):
    return [dict(img_path=path, sample_idx=i,
                 pred_score=torch.as_tensor(score))
            for i, (path, score) in enumerate(zip(paths, scores))]


def _dump(out_file, samples, batch_size=3):
    metric = DumpClassScores(out_file)
    for start in range(0, len(samples), batch_size):
        metric.process(None, samples[start:start + batch_size])
    return metric.compute_metrics(metric.results)


def test_registered():
    metric = METRICS.build(dict(type='DumpClassScores', out_file='x.pkl'))
    assert isinstance(metric, DumpClassScores)
    assert metric.out_file == 'x.pkl'


def test_round_trip(tmp_path):
    out_file = str(tmp_path / 'sub' / 'dir' / 'scores.pkl')
    assert _dump(out_file, _samples()) == {}
    assert osp.isfile(out_file)
    # The file is a plain dict of the paths as given and the stacked rows.
    content = mmengine.load(out_file)
    assert content['img_paths'] == PATHS
    np.testing.assert_array_equal(content['scores'], SCORES)

    scores = load_class_scores(out_file)
    assert isinstance(scores, ClassScores)
    assert scores.source == out_file
    for path, row in zip(PATHS, SCORES):
        got = scores.of(dict(img_path=path))
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, row)
    # Lookups are normalised with os.path.normpath on both sides.
    np.testing.assert_array_equal(
        scores.of(dict(img_path='data/cub/./001.Bird/a.jpg')), SCORES[0])
    np.testing.assert_array_equal(
        scores.of(dict(img_path='data/cub/002.Bird/b.jpg')), SCORES[1])
    np.testing.assert_array_equal(
        scores.of(dict(img_path='data/cub/001.Bird/../002.Bird/c.jpg')),
        SCORES[2])
    np.testing.assert_array_equal(scores.of(dict(img_path='./c.jpg')),
                                  SCORES[3])


def test_float64_and_numpy_scores_are_stored_as_float32(tmp_path):
    out_file = str(tmp_path / 'scores.pkl')
    samples = [dict(img_path='x.jpg',
                    pred_score=torch.tensor([0.25, 0.75],
                                            dtype=torch.float64)),
               dict(img_path='y.jpg', pred_score=np.array([1.0, 0.0]))]
    _dump(out_file, samples)
    scores = load_class_scores(out_file)
    np.testing.assert_array_equal(scores.of(dict(img_path='x.jpg')),
                                  [0.25, 0.75])
    np.testing.assert_array_equal(scores.of(dict(img_path='y.jpg')),
                                  [1.0, 0.0])
    assert scores.scores.dtype == np.float32


def test_no_pred_score_writes_nothing(tmp_path):
    out_file = str(tmp_path / 'scores.pkl')
    samples = [dict(img_path=p, sample_idx=i) for i, p in enumerate(PATHS)]
    metric = DumpClassScores(out_file)
    metric.process(None, samples)
    assert metric.results == []
    assert metric.compute_metrics(metric.results) == {}
    assert not osp.exists(out_file)
    # pred_score=None counts as absent.
    metric = DumpClassScores(out_file)
    metric.process(None, [dict(img_path='a.jpg', pred_score=None)])
    assert metric.compute_metrics(metric.results) == {}
    assert not osp.exists(out_file)


def test_sample_without_score_does_not_drop_the_rest_of_the_batch(tmp_path):
    out_file = str(tmp_path / 'scores.pkl')
    samples = [dict(img_path='none.jpg'),
               dict(img_path='a.jpg', pred_score=torch.tensor([0.0, 1.0]))]
    _dump(out_file, samples, batch_size=2)
    scores = load_class_scores(out_file)
    np.testing.assert_array_equal(scores.of(dict(img_path='a.jpg')),
                                  [0.0, 1.0])


def test_unknown_image_raises_key_error(tmp_path):
    out_file = str(tmp_path / 'scores.pkl')
    _dump(out_file, _samples())
    scores = load_class_scores(out_file)
    with pytest.raises(KeyError, match='data/cub/001.Bird/zzz.jpg'):
        scores.of(dict(img_path='data/cub/001.Bird/zzz.jpg'))
    with pytest.raises(KeyError, match=re.escape(out_file)):
        scores.of(dict(img_path='a.jpg'))  # only its basename is known
    with pytest.raises(KeyError, match='None'):
        scores.of(dict(sample_idx=3))


def test_missing_file_raises_file_not_found(tmp_path):
    path = str(tmp_path / 'nope.pkl')
    with pytest.raises(FileNotFoundError, match=re.escape(path)):
        load_class_scores(path)


@pytest.mark.parametrize('content', [
    [1, 2, 3],
    np.zeros((2, 3)),
    dict(img_paths=['a.jpg']),
    dict(scores=np.zeros((1, 3))),
    dict(paths=['a.jpg'], scores=np.zeros((1, 3))),
])
def test_not_a_class_scores_file_raises_value_error(tmp_path, content):
    path = str(tmp_path / 'bad.pkl')
    mmengine.dump(content, path)
    with pytest.raises(ValueError, match=re.escape(path)):
        load_class_scores(path)


def test_inconsistent_rows_raise_value_error(tmp_path):
    path = str(tmp_path / 'bad.pkl')
    mmengine.dump(dict(img_paths=['a.jpg', 'b.jpg'],
                       scores=np.zeros((3, 4))), path)
    with pytest.raises(ValueError, match='2 images'):
        load_class_scores(path)
    with pytest.raises(ValueError, match='one score row per image'):
        ClassScores(['a.jpg'], np.zeros(4))
