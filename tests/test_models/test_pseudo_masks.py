"""double_threshold: foreground / background / ignored pseudo labels."""
import pytest
import torch

from wsol_mm.models.utils import double_threshold


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
