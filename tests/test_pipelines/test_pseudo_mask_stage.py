"""PseudoMaskStage pieces: mask folder checks, map normalisation, labels."""
import os

import numpy as np
import torch
from mmengine.config import Config

from wsol_mm.pipelines import (CAMPseudoMaskStage, PipelineContext,
                               PseudoMaskStage, StageManifest)


def _stage(tmp_path, **kwargs):
    context = PipelineContext(str(tmp_path), Config(), logger=None)
    return CAMPseudoMaskStage('masks_stage', context, localizer='cam',
                              **kwargs)


def test_mask_folder_checks(tmp_path):
    stage = _stage(tmp_path)
    manifest = StageManifest(stage='masks_stage', fingerprint='x',
                             extra=dict(num_masks=2))
    assert 'index.txt is missing' in stage.artifact_problem(manifest)
    os.makedirs(os.path.join(stage.mask_dir, 'a'))
    with open(os.path.join(stage.mask_dir, 'index.txt'), 'w') as f:
        f.write('a/1.jpg\nb.jpg\n')
    open(os.path.join(stage.mask_dir, 'a', '1.png'), 'w').close()
    assert '1 masks are missing' in stage.artifact_problem(manifest)
    assert 'b.png' in stage.artifact_problem(manifest)
    open(os.path.join(stage.mask_dir, 'b.png'), 'w').close()
    assert stage.artifact_problem(manifest) is None
    manifest.extra['num_masks'] = 3
    assert 'lists 2 masks' in stage.artifact_problem(manifest)


def test_labels_at_the_original_size(tmp_path):
    stage = _stage(tmp_path, fg_threshold=0.5, bg_threshold=0.1)
    score_map = torch.tensor([[0.0, 0.3], [0.6, 1.0]])
    # Upsampling x2 of a 2x2 map: bilinear with align_corners=False.
    labels = stage.pseudo_labels([score_map], [(4, 4)])[0]
    resized = torch.nn.functional.interpolate(
        score_map[None, None], size=(4, 4), mode='bilinear',
        align_corners=False)[0, 0].numpy()
    expected = np.full((4, 4), 255, dtype=np.uint8)
    expected[resized > 0.5] = 1
    expected[resized < 0.1] = 0
    assert labels.dtype == np.uint8 and labels.shape == (4, 4)
    np.testing.assert_array_equal(labels, expected)
    assert set(np.unique(labels)) == {0, 1, 255}


class _GridModel:
    """Stands for a localizer: its image grids are the maps themselves."""

    @staticmethod
    def _maps_on_image_grids(maps, inputs, samples, normalize):
        assert normalize is False
        return list(maps)


def test_max_normalised_maps_keep_zero_activation_at_zero():
    maps = torch.tensor([[[-1.0, 0.0], [1.0, 4.0]], [[0.0, 0.0], [0.0, 0.0]]])
    grids = PseudoMaskStage.max_normalized_grids(_GridModel(), maps, None,
                                                 None)
    torch.testing.assert_close(grids[0],
                               torch.tensor([[0.0, 0.0], [0.25, 1.0]]))
    torch.testing.assert_close(grids[1], torch.zeros(2, 2))
