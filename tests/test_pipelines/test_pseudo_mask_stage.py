"""PseudoMaskStage pieces: mask folder checks, map normalisation, labels."""
import os

import numpy as np
import pytest
import torch
from mmengine.config import Config

from wsol_mm.pipelines import (CAMPseudoMaskStage, PipelineContext,
                               PseudoMaskStage, StageManifest)
from wsol_mm.pipelines.pseudo_mask_stage import warp_pipeline
from wsol_mm.structures import WSOLDataSample


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
    # A 4x4 image warped to 2x2: its map comes back by the bilinear
    # upsampling x2 (align_corners=False).
    sample = WSOLDataSample(metainfo=dict(
        img_shape=(2, 2), ori_shape=(4, 4),
        homography_matrix=np.diag([0.5, 0.5, 1.0])))
    labels = stage.pseudo_labels([score_map[None]], [sample])[0]
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
    # one image with the two maps as channels, one with the first only
    grids = PseudoMaskStage.max_normalized_grids(
        _GridModel(), torch.stack([maps, maps[[0, 0]]]), None, None)
    torch.testing.assert_close(grids[0][0],
                               torch.tensor([[0.0, 0.0], [0.25, 1.0]]))
    torch.testing.assert_close(grids[0][1], torch.zeros(2, 2))
    torch.testing.assert_close(grids[1][1], grids[0][0])


def test_warp_pipeline_replaces_every_geometric_transform():
    load = dict(type='LoadWSOLImageFromFile')
    pack = dict(type='wsol_mm.PackWSOLInputs')
    pipeline = [load, dict(type='CropBottomBanner'),
                dict(type='wsol_mm.Resize', size=(256, 256)),
                dict(type='CenterCrop', size=224),
                dict(type='RandomFlip', prob=0.5), pack]
    assert warp_pipeline(pipeline, (300, 200)) == [
        load, dict(type='CropBottomBanner'),
        dict(type='Resize', size=(300, 200)), pack]
    # without any geometric transform, the warp goes before the packing
    assert warp_pipeline([load, pack], (8, 8)) == [
        load, dict(type='Resize', size=(8, 8)), pack]


def test_input_size_must_be_two_positive_sides(tmp_path):
    with pytest.raises(ValueError, match='input_size must be'):
        _stage(tmp_path, input_size=(256, 0))
    assert _stage(tmp_path, input_size=[224, 200]).settings()[
        'input_size'] == (224, 200)
