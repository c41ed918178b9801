"""Image loading whose every failure names the file."""
from typing import Optional

from mmcv.transforms import LoadImageFromFile

from wsol_mm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class LoadWSOLImageFromFile(LoadImageFromFile):
    """:class:`mmcv.transforms.LoadImageFromFile` with clearer errors.

    mmcv names the file when decoding returns nothing, but not when the
    decoder itself raises (an empty file makes OpenCV fail an assertion) and
    its ``assert`` disappears under ``python -O``. Here any failure to read
    or decode raises ``OSError`` naming ``img_path`` (unless
    ``ignore_empty=True``, which returns None as in mmcv).
    """

    def transform(self, results: dict) -> Optional[dict]:
        filename = results['img_path']
        try:
            return super().transform(results)
        except Exception as error:
            raise OSError(
                f'cannot read the image {filename}: {error}') from error
