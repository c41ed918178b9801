"""Score maps as ``.npy`` files in wsolevaluation's layout
(``tools/test.py --out-maps DIR``), so that its own ``evaluation.py`` can be
run on our maps."""
import os
import os.path as osp
from typing import Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from wsol_mm.registry import METRICS
from .wsol_metric import describe_sample, read_score_map


def score_map_path(out_dir: str, image_id: str) -> str:
    """``<out_dir>/<image_id>.npy``: wsolevaluation's ``CamDataset`` loads
    ``scoremap_root + image_id + '.npy'`` (``inference.py`` saves with
    ``np.save(join(root, image_id))``, which appends ``.npy``), so the
    image's extension stays: ``001.Black_footed_Albatross/x.jpg.npy``."""
    parts = image_id.replace('\\', '/').split('/')
    if osp.isabs(image_id) or '..' in parts or not image_id:
        raise ValueError(f'the image id {image_id!r} must be a relative '
                         'path inside the score map folder')
    return osp.join(out_dir, image_id + '.npy')


@METRICS.register_module()
class DumpScoreMaps(BaseMetric):
    """Saves every image's ``gt_score_map`` as wsolevaluation saves its
    score maps; returns no metric.

    wsolevaluation (``inference.py``, ``CAMComputer``) saves, per val/test
    image, the CAM of the GT class resized to the network input (224 x 224)
    and min-max normalised, as a float64 array (``t2n`` casts to
    ``np.float``) at ``<scoremap_root>/<image_id>.npy``; its
    ``evaluation.py`` loads them from there and scores them against boxes
    resized to that grid. The map written here is the map our metrics score
    (:func:`read_score_map`: ``gt_score_map`` on ``img_shape``, an invalid
    map normalised as the protocol does), float64, under the sample's
    ``img_id`` (for :class:`WSOLMetadataDataset` and the wsolevaluation
    layouts the path of ``image_ids.txt``, wsolevaluation's image id; other
    datasets have their own ids, e.g. CUB's release numbers). Every process
    writes its own images; nothing is gathered.

    Args:
        out_dir (str): the ``scoremap_root``.
        id_key (str): the meta information key holding the image id.
    """

    def __init__(self, out_dir: str, id_key: str = 'img_id',
                 collect_device: str = 'cpu', prefix: Optional[str] = None):
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.out_dir = out_dir
        self.id_key = id_key

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            if self.id_key not in sample:
                raise KeyError(
                    f'DumpScoreMaps needs {self.id_key!r} in every data '
                    f'sample ({describe_sample(sample)})')
            path = score_map_path(self.out_dir, str(sample[self.id_key]))
            scoremap = read_score_map(sample, type(self).__name__)
            os.makedirs(osp.dirname(path), exist_ok=True)
            np.save(path, scoremap.astype(np.float64))
            self.results.append(path)

    def compute_metrics(self, results: list) -> dict:
        print_log(f'Wrote the score maps of {len(set(results))} images to '
                  f'{self.out_dir} (<image id>.npy)', logger='current')
        return {}
