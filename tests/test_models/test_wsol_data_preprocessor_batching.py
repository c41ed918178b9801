"""WSOLDataPreprocessor stacks a list of same-shape images before
ImgDataPreprocessor's conversion: the result equals MMEngine's per-image
path bit for bit (channel order, mean / std, padding to the divisor); lists
of different shapes keep the per-image path."""
import pytest
import torch
from mmengine.model import ImgDataPreprocessor

from wsol_mm.models.data_preprocessors.wsol_data_preprocessor import \
    WSOLDataPreprocessor

SETTINGS = dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
                bgr_to_rgb=True, pad_value=3)


@pytest.mark.parametrize('divisor', [1, 32])
@pytest.mark.parametrize('shapes', [[(3, 40, 50)] * 4,
                                    [(3, 40, 50), (3, 36, 50), (3, 40, 44)]])
def test_batched_conversion_equals_per_image_conversion(divisor, shapes):
    generator = torch.Generator().manual_seed(0)
    images = [torch.randint(0, 256, s, dtype=torch.uint8,
                            generator=generator) for s in shapes]
    ours = WSOLDataPreprocessor(pad_size_divisor=divisor, **SETTINGS)
    mmengine = ImgDataPreprocessor(pad_size_divisor=divisor, **SETTINGS)
    result = ours(dict(inputs=list(images)), True)['inputs']
    expected = mmengine(dict(inputs=list(images)), True)['inputs']
    assert result.dtype == expected.dtype == torch.float32
    assert torch.equal(result, expected)
    # Independently: image 0's first RGB channel is its BGR channel 2.
    first = (images[0][2].float() - 123.675) / 58.395
    assert torch.equal(result[0, 0, :40, :50], first)
