"""double_threshold: foreground / background / ignored pseudo labels."""
import pytest
import torch

from wsol_mm.models.utils import double_threshold
from wsol_mm.models.utils.pseudo_masks import cam_or_prior_labels


@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
def test_hand_map_with_values_at_the_thresholds(dtype):
    maps = torch.tensor([[0.6, 0.5, 0.004, 0.0],
                         [0.003, 0.2, 1.0, 0.5001]], dtype=dtype)
    labels = double_threshold(maps, fg_threshold=0.5, bg_threshold=0.004)
    assert labels.dtype == torch.uint8
    # Strict comparisons: 0.5 and 0.004 themselves are ignored.
    assert labels.tolist() == [[1, 255, 255, 0], [0, 255, 1, 1]]


def test_defaults_are_the_paper_thresholds_and_shape_is_kept():
    maps = torch.tensor([0.51, 0.5, 0.0039, 0.004, 0.3]).reshape(1, 1, 1, 5)
    labels = double_threshold(maps)
    assert labels.shape == (1, 1, 1, 5)
    assert labels.flatten().tolist() == [1, 255, 0, 255, 255]


def test_custom_ignore_index():
    maps = torch.tensor([[0.9, 0.3, 0.1]])
    labels = double_threshold(maps, 0.5, 0.2, ignore_index=128)
    assert labels.tolist() == [[1, 128, 0]]


def test_equal_thresholds_label_everything_but_ties():
    """The "w/o Threshold" ablation: one threshold splits the map."""
    maps = torch.tensor([[0.2, 0.5, 0.7, 0.49]])
    assert double_threshold(maps, 0.5, 0.5).tolist() == [[0, 255, 1, 0]]


@pytest.mark.parametrize('kwargs,message', [
    (dict(fg_threshold=0.3, bg_threshold=0.4), 'bg_threshold'),
    (dict(ignore_index=1), 'ignore_index'),
    (dict(ignore_index=256), 'ignore_index'),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        double_threshold(torch.zeros(2, 2), **kwargs)


# The official code's rule: CAM and Gaussian prior kept apart.


@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
def test_cam_or_prior_labels_hand_maps(dtype):
    cam = torch.tensor([[0.30, 0.25, 0.10, 0.005],
                        [0.009, 0.01, 0.0, 0.20]], dtype=dtype)
    prior = torch.tensor([[0.00, 0.30, 0.26, 0.90],
                          [0.50, 0.00, 0.25, 0.00]], dtype=dtype)
    labels = cam_or_prior_labels(cam, prior)
    assert labels.dtype == torch.uint8
    # [0,0] CAM > 0.25; [0,1] prior > 0.25 (CAM 0.25 is not); [0,2] prior;
    # [0,3] CAM < 0.01 but the prior makes it foreground; [1,0] likewise;
    # [1,1] CAM 0.01 is not below 0.01: ignored; [1,2] CAM 0, prior 0.25
    # (not above): background, the prior plays no part in it; [1,3]
    # neither: ignored.
    assert labels.tolist() == [[1, 1, 1, 1], [1, 255, 0, 255]]
    # The paper's rule on max(CAM, prior) labels the same maps otherwise.
    paper = double_threshold(torch.maximum(cam, prior))
    assert paper.tolist() == [[255, 255, 255, 1], [255, 255, 255, 255]]


def test_cam_or_prior_labels_thresholds_and_errors():
    cam = torch.tensor([0.6, 0.3, 0.05])
    prior = torch.zeros(3)
    labels = cam_or_prior_labels(cam, prior, fg_threshold=0.5,
                                 bg_threshold=0.1, ignore_index=7)
    assert labels.tolist() == [1, 7, 0]
    with pytest.raises(ValueError, match=r'\(3,\).*\(2,\)'):
        cam_or_prior_labels(cam, torch.zeros(2))
    with pytest.raises(ValueError, match='ignore_index'):
        cam_or_prior_labels(cam, prior, ignore_index=1)
