"""detection_score_map: per pixel, the highest confidence of a detection
whose box holds the pixel's centre (borders included)."""
import numpy as np
import pytest

from wsol_mm.evaluation.functional import detection_score_map


def test_no_detection_is_all_zeros():
    score_map = detection_score_map(np.zeros((0, 4)), [], (3, 5))
    assert score_map.shape == (3, 5) and score_map.dtype == np.float32
    assert not score_map.any()


def test_overlapping_boxes_keep_the_highest_confidence():
    # Box A covers columns 0..2, rows 0..1 (centres 0.5..2.5, 0.5..1.5);
    # box B columns 2..4, rows 1..3; they share pixel (row 1, col 2).
    boxes = [[0, 0, 3, 2], [2, 1, 5, 4]]
    expected = np.array([
        [.4, .4, .4, 0, 0, 0],
        [.4, .4, .9, .9, .9, 0],
        [0, 0, .9, .9, .9, 0],
        [0, 0, .9, .9, .9, 0],
    ], dtype=np.float32)
    for order in ([0, 1], [1, 0]):  # the result does not depend on order
        score_map = detection_score_map(
            np.array(boxes)[order], np.array([.4, .9])[order], (4, 6))
        np.testing.assert_array_equal(score_map, expected)


def test_fractional_coordinates_count_pixel_centres():
    # x from 0.6 to 2.5: centres 1.5 and 2.5 (border included) are inside,
    # 0.5 is not; y from 1.4 to 1.6: only row 1's centre 1.5.
    score_map = detection_score_map([[0.6, 1.4, 2.5, 1.6]], [0.5], (3, 4))
    expected = np.zeros((3, 4), dtype=np.float32)
    expected[1, 1:3] = 0.5
    np.testing.assert_array_equal(score_map, expected)
    # A box between two centres covers nothing.
    assert not detection_score_map([[1.6, 0, 2.4, 3]], [0.5], (3, 4)).any()


def test_boxes_at_and_beyond_the_image_edge_are_clipped():
    score_map = detection_score_map(
        [[-3.0, -2.0, 1.0, 1.0], [3.2, 2.5, 10.0, 9.0]], [0.3, 0.7], (3, 4))
    expected = np.zeros((3, 4), dtype=np.float32)
    expected[0, 0] = 0.3  # only the centre (0.5, 0.5) is inside
    expected[2, 3] = 0.7  # centre (3.5, 2.5) is on the border: inside
    np.testing.assert_array_equal(score_map, expected)
    # Entirely outside: nothing.
    assert not detection_score_map([[5, 0, 8, 3]], [0.9], (3, 4)).any()


def test_whole_image_box():
    score_map = detection_score_map([[0, 0, 4, 3]], [0.25], (3, 4))
    np.testing.assert_array_equal(score_map, np.full((3, 4), 0.25))


@pytest.mark.parametrize('boxes, scores, shape, message', [
    ([[0, 0, 1]], [0.5], (2, 2), r'boxes must be \(n, 4\)'),
    ([[0, 0, 1, 1]], [0.5, 0.2], (2, 2), '1 boxes but 2 scores'),
    ([[0, 0, 1, 1]], [1.5], (2, 2), r'scores must be in \[0, 1\]'),
    ([[0, 0, np.nan, 1]], [0.5], (2, 2), 'finite'),
    ([[0, 0, 1, 1]], [0.5], (0, 2), 'shape must be a positive'),
])
def test_bad_input(boxes, scores, shape, message):
    with pytest.raises(ValueError, match=message):
        detection_score_map(boxes, scores, shape)
