"""AverageClassScoreTTA: merged scores (probability / logit average) against
hand-computed values, what the merged sample keeps, bad input."""
import numpy as np
import pytest
import torch
from mmengine.model import BaseModel
from mmpretrain.structures import DataSample

from wsol_mm.models import AverageClassScoreTTA
from wsol_mm.structures import WSOLDataSample

LOGITS = torch.tensor([
    [[2.0, 0.0, -1.0], [0.0, 1.0, 0.0], [-3.0, 4.0, 1.0]],  # image 0, 3 views
    [[0.5, 0.5, 3.0], [1.0, 0.0, 2.0], [0.0, 0.0, 0.0]],  # image 1
])


class ViewScores(BaseModel):
    """A model whose ``test_step`` gives view ``v`` of image ``i`` the
    softmax of ``LOGITS[i, v]``; the view index is the input."""

    def forward(self, inputs, data_samples=None, mode='tensor'):
        raise NotImplementedError

    def test_step(self, data):
        out = []
        for i, (view, sample) in enumerate(zip(data['inputs'],
                                               data['data_samples'])):
            sample = sample.clone()
            sample.set_pred_score(LOGITS[i, int(view)].softmax(0))
            sample.set_pred_label(LOGITS[i, int(view)].argmax())
            out.append(sample)
        return out


def _batch():
    """Two images x three views, as pseudo_collate gives a TTA batch."""
    inputs, samples = [], []
    for view in range(3):
        inputs.append([torch.tensor(view), torch.tensor(view)])
        samples.append([
            DataSample(metainfo=dict(
                img_path=f'img{i}.jpg', ori_shape=(10, 12), flip=view == 1,
                crop_bbox=(view, 0, view + 5, 5),
                homography_matrix=np.eye(3) * (view + 1))).set_gt_label(i)
            for i in range(2)
        ])
    return dict(inputs=inputs, data_samples=samples)


def test_probability_average():
    merged = AverageClassScoreTTA(ViewScores()).test_step(_batch())
    assert len(merged) == 2
    for i, sample in enumerate(merged):
        expected = LOGITS[i].softmax(1).mean(0)
        torch.testing.assert_close(sample.pred_score, expected)
        assert sample.pred_label.tolist() == [int(expected.argmax())]
    # the views disagree on image 0: view 0 says class 0, the mean class 1
    assert merged[0].pred_label.tolist() == [1]


def test_logit_average_is_the_softmax_of_the_mean_logits():
    merged = AverageClassScoreTTA(ViewScores(), average='logit').test_step(
        _batch())
    for i, sample in enumerate(merged):
        torch.testing.assert_close(sample.pred_score,
                                   LOGITS[i].mean(0).softmax(0))
    assert not torch.allclose(merged[0].pred_score,
                              LOGITS[0].softmax(1).mean(0), atol=1e-3)


def test_merged_sample_keeps_what_the_views_agree_on():
    merged = AverageClassScoreTTA(ViewScores()).test_step(_batch())[1]
    assert isinstance(merged, DataSample)
    assert merged.img_path == 'img1.jpg'
    assert merged.ori_shape == (10, 12)
    assert merged.gt_label.tolist() == [1]
    for key in ('flip', 'crop_bbox', 'homography_matrix'):
        assert key not in merged.metainfo
    assert set(merged.keys()) == {'gt_label', 'pred_score', 'pred_label'}


def test_view_specific_data_and_predictions_are_dropped():
    views = []
    for view in range(2):
        sample = WSOLDataSample(metainfo=dict(img_path='x.jpg'))
        sample.set_gt_label(3)
        sample.gt_bboxes = torch.tensor([[view, 0.0, 4.0, 4.0]])
        sample.pred_score = torch.tensor([0.2, 0.8])
        sample.pred_labels = torch.tensor([1])  # equal in both: still dropped
        views.append(sample)
    merged = AverageClassScoreTTA(ViewScores()).merge_preds([views])[0]
    assert isinstance(merged, WSOLDataSample)
    assert set(merged.keys()) == {'gt_label', 'pred_score', 'pred_label'}
    assert merged.pred_label.tolist() == [1]


def test_bad_input():
    with pytest.raises(ValueError, match='average'):
        AverageClassScoreTTA(ViewScores(), average='mean')
    sample = WSOLDataSample(metainfo=dict(img_path='y.jpg'))
    with pytest.raises(KeyError, match='y.jpg has no pred_score'):
        AverageClassScoreTTA(ViewScores()).merge_preds([[sample]])
