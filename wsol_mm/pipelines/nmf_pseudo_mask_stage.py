"""ISIC's pseudo masks: features projected on the rank-1 NMF direction of
their class."""
import os.path as osp
from typing import List, Tuple

import torch
import torch.nn as nn
from mmengine.dist import all_reduce, get_dist_info, is_main_process

from wsol_mm.models.utils import nmf_rank1
from wsol_mm.registry import STAGES
from wsol_mm.utils.progress import progress
from .pseudo_mask_stage import PseudoMaskStage, _batch_size


@STAGES.register_module()
class NMFPseudoMaskStage(PseudoMaskStage):
    """Pseudo masks of the NMF mask module (ISIC section 3.5).

    For each class, the (non-negative) feature maps ``extract_feat`` of its T
    training images are stacked into Theta (T*H*W x N) and factorised with
    rank 1, Theta ~ theta1 theta2 (Eq. 8); an image's map is its features
    projected on its class's theta2, ``M = F . theta2^T``, upsampled to the
    image like a CAM and divided by its maximum. The training images' maps are
    thus exactly :func:`nmf_masks` of their class; the test images (evaluated
    as boxes) use the direction of their ground-truth class. The directions
    are saved as ``nmf_directions.pth``. Classes are shared out among the
    ranks; a class's features are held in memory (on the model's device)
    while it is factorised.
    """

    def prepare(self, model: nn.Module, dataset, loader_args: dict) -> None:
        rank, world_size = get_dist_info()
        labels = [int(dataset.get_data_info(i)['gt_label'])
                  for i in range(len(dataset))]
        num_classes = len(dataset.metainfo['classes'])
        mine = [i for i in sorted(range(len(labels)), key=labels.__getitem__)
                if labels[i] % world_size == rank]
        directions = None
        stack, current = [], None

        def factorise():
            features = torch.cat(stack)
            theta = features.permute(0, 2, 3, 1).reshape(
                -1, features.shape[1])
            directions[current] = nmf_rank1(theta)[1]
            self.logger.info(f'{self.name}: NMF of class {current} '
                             f'({len(features)} images)')

        for data in progress(
                self.loader(dataset, mine, loader_args), len(mine),
                f'{self.name}: NMF features', 'images', _batch_size,
                logger=self.logger):
            data = model.data_preprocessor(data, False)
            features = self._features(model, data['inputs'])
            samples = data['data_samples']
            if directions is None:
                directions = features.new_zeros(num_classes,
                                                features.shape[1])
            for feature, sample in zip(features, samples):
                label = int(sample.gt_label[0])
                if label != current and stack:
                    factorise()
                    stack = []
                current = label
                stack.append(feature[None])
        if stack:
            factorise()
        if directions is None:  # this rank had no class
            directions = self._empty_directions(model, dataset, loader_args,
                                                num_classes)
        all_reduce(directions)
        self.directions = directions
        if is_main_process():
            torch.save(directions.cpu(),
                       osp.join(self.work_dir, 'nmf_directions.pth'))

    def _empty_directions(self, model, dataset, loader_args, num_classes):
        """Zero directions of the right width, from one image's features."""
        data = next(iter(self.loader(dataset, [0], loader_args)))
        features = self._features(
            model, model.data_preprocessor(data, False)['inputs'])
        return features.new_zeros(num_classes, features.shape[1])

    @staticmethod
    def _features(model: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
        """Non-negative (B, N, h, w) features (ReLU outputs already are;
        the clamp guards against a model whose last layer is not a ReLU)."""
        return model.extract_feat(inputs).float().clamp(min=0)

    def score_maps(self, model: nn.Module, data: dict
                   ) -> Tuple[list, List[torch.Tensor]]:
        inputs, samples, labels = self.predict(model, data)
        maps = torch.einsum('bnhw,bn->bhw', self._features(model, inputs),
                            self.directions[labels])[:, None]
        return samples, self.max_normalized_grids(model, maps, inputs,
                                                  samples)
