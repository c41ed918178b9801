"""The similar classes of ISIC (sections 3.3-3.4), found before training."""
import copy
import json
import logging
import os.path as osp
from typing import List, Optional

import torch
import torch.nn.functional as F
from mmengine.config import ConfigDict
from mmengine.dist import (all_reduce, barrier, broadcast_object_list,
                           is_main_process)
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner import load_checkpoint

from wsol_mm.registry import HOOKS, MODELS


@HOOKS.register_module()
class ClassSimilarityHook(Hook):
    """Computes the similar sets ``M_i = {j | S_ij > gamma}`` and hands them
    to the ICFS loss and the similar-class sampler (ISIC, 3.3-3.4).

    Before training, each class is represented by ``c_i``, the mean over its
    training images of the image vectors (the spatial mean of the
    extractor's last feature map), and ``S`` is the (K, K) cosine similarity
    of these representations; a class without images gets a zero row and
    column of ``S`` and a logged warning. With ``dim`` the image vectors are
    first centred on their mean over the training images and projected on
    their ``dim`` principal components (PCA), so ``c_i`` is a ``dim``-d
    vector (ISIC's 128-d vectors) and ``S`` their cosine.
    ``similar = S > gamma`` without the diagonal (a class is not its own
    similar category) is saved to ``<work_dir>/<file_name>`` with
    ``similarity``, ``gamma`` and ``classes``, and a resumed run loads that
    file (when it was made with the same gamma, extractor, dim and classes)
    rather than recomputing with the resumed weights.

    ``similar`` goes to every module of the model and to the train
    dataloader's sampler that have a ``set_similar_classes`` method
    (:class:`ICFSLoss`, :class:`SimilarClassSampler`); at least one must.

    Args:
        gamma (float): similarity threshold (0.3 in the paper, Table 4).
        extractor (dict, optional): config of the model that gives the
            image vectors: a model with ``extract_feat`` or a backbone (its
            last output is used), initialised by its ``init_cfg`` (e.g.
            ImageNet weights) or, with a ``checkpoint`` key, loaded from that
            file; None (default) uses the trained model itself as it is at
            the start of training. Both read the inputs through the trained
            model's ``data_preprocessor``.
        dim (int, optional): number of principal components the image
            vectors are projected on; None (default) keeps them whole.
        file_name (str): file of the result, in the work dir.
        priority (str | int): the hook's priority.
    """

    def __init__(self,
                 gamma: float = 0.3,
                 extractor: Optional[dict] = None,
                 dim: Optional[int] = None,
                 file_name: str = 'class_similarity.pth',
                 priority='NORMAL'):
        if not -1 <= gamma < 1:
            raise ValueError(f'gamma is a cosine similarity threshold in '
                             f'[-1, 1), got {gamma}')
        if dim is not None and (not isinstance(dim, int) or dim < 1):
            raise ValueError(f'dim is a number of principal components '
                             f'(a positive int) or None, got {dim!r}')
        self.gamma = gamma
        self.extractor = extractor
        self.dim = dim
        self.file_name = file_name
        self.priority = priority

    def before_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        dataloader = runner.train_dataloader
        classes = dataloader.dataset.metainfo.get('classes')
        if not classes:
            raise KeyError(
                f'the train dataset {type(dataloader.dataset).__name__} has '
                f"no metainfo['classes'], which ClassSimilarityHook needs")
        classes = list(classes)
        path = osp.join(runner.work_dir, self.file_name)
        result = [self._load(path, classes) if is_main_process() else None]
        broadcast_object_list(result)
        result = result[0]
        if result is None:
            result = self._compute(model, dataloader, classes)
            if is_main_process():
                torch.save(result, path)
            barrier()
        similar = result['similar']
        print_log(
            f'ClassSimilarityHook: {int(similar.any(1).sum())} of '
            f'{len(classes)} classes have a similar class (gamma '
            f'{self.gamma}); mean |M_i| over all classes '
            f'{similar.sum(1).double().mean():.2f}',
            logger='current')
        self._deliver(similar, model, dataloader)

    def _load(self, path: str, classes: List[str]) -> Optional[dict]:
        """The saved result, or None when absent or made for another gamma,
        extractor or dim or for other classes."""
        if not osp.isfile(path):
            return None
        saved = torch.load(path, map_location='cpu')
        # Files without settings were made from the model's own features.
        settings = saved.get('settings', self._settings(None, None))
        if saved['gamma'] != self.gamma or saved['classes'] != classes or \
                settings != self._settings(self.extractor, self.dim):
            print_log(
                f'ClassSimilarityHook: {path} was made with gamma '
                f'{saved["gamma"]} for {len(saved["classes"])} classes '
                f'({settings}), not gamma {self.gamma} for the '
                f'{len(classes)} classes of the dataset '
                f'({self._settings(self.extractor, self.dim)}); '
                'recomputing it',
                logger='current',
                level=logging.WARNING)
            return None
        print_log(f'ClassSimilarityHook: loaded the similar classes from '
                  f'{path}', logger='current')
        return saved

    @staticmethod
    def _settings(extractor: Optional[dict], dim: Optional[int]) -> str:
        """What the vectors are made with, as saved with the result."""
        if extractor is not None:
            extractor = ConfigDict(extractor).to_dict()
        return json.dumps(dict(extractor=extractor, dim=dim), sort_keys=True)

    def _compute(self, model, dataloader, classes: List[str]) -> dict:
        """Similarity and similar sets from one pass over ``dataloader``."""
        extractor = self._build_extractor(model)
        sums, counts, moments = self._class_sums(
            extractor, model, dataloader, len(classes),
            second_moments=self.dim is not None)
        all_reduce(sums)
        all_reduce(counts)
        empty = (counts == 0).nonzero().flatten().tolist()
        if empty:
            print_log(
                f'ClassSimilarityHook: {len(empty)} classes have no training '
                f'image, their similarity is 0: '
                f'{[classes[i] for i in empty]}',
                logger='current',
                level=logging.WARNING)
        if self.dim is None:
            # The cosine of the class means c_i is that of the class sums.
            representations = sums
        else:
            all_reduce(moments)
            representations = self._principal_components(
                sums, counts, moments, self.dim)
        directions = F.normalize(representations, dim=1)
        similarity = (directions @ directions.T).float().cpu()
        similar = similarity > self.gamma
        similar[empty] = False
        similar[:, empty] = False
        similar.fill_diagonal_(False)
        return dict(similarity=similarity, similar=similar, gamma=self.gamma,
                    classes=classes,
                    settings=self._settings(self.extractor, self.dim))

    @staticmethod
    def _principal_components(sums: torch.Tensor, counts: torch.Tensor,
                              moments: torch.Tensor,
                              dim: int) -> torch.Tensor:
        """The class means of the image vectors, centred on the mean of all
        images and projected on the ``dim`` leading eigenvectors of their
        covariance (PCA over the training images), (K, dim); zero rows for
        classes without images."""
        channels = sums.shape[1]
        if dim > channels:
            raise ValueError(f'ClassSimilarityHook: dim={dim} principal '
                             f'components of {channels}-d image vectors')
        total = counts.sum()
        mean = sums.sum(0) / total
        covariance = moments / total - torch.outer(mean, mean)
        # eigh: eigenvalues in ascending order, eigenvectors in the columns.
        components = torch.linalg.eigh(covariance).eigenvectors[:, -dim:]
        class_means = sums / counts.clamp(min=1)[:, None] - mean
        class_means[counts == 0] = 0
        return class_means @ components

    def _build_extractor(self, model):
        if self.extractor is None:
            return model
        cfg = copy.deepcopy(self.extractor)
        checkpoint = cfg.pop('checkpoint', None)
        extractor = MODELS.build(cfg)
        if checkpoint is not None:
            load_checkpoint(extractor, checkpoint, map_location='cpu')
        elif hasattr(extractor, 'init_weights'):
            extractor.init_weights()
        return extractor.to(model.data_preprocessor.device)

    @staticmethod
    def _image_vectors(extractor, inputs: torch.Tensor) -> torch.Tensor:
        """(N, C) spatial means of the extractor's last feature map."""
        feats = extractor.extract_feat(inputs) if hasattr(
            extractor, 'extract_feat') else extractor(inputs)
        if isinstance(feats, (tuple, list)):
            feats = feats[-1]
        return feats.flatten(2).mean(2) if feats.dim() > 2 else feats

    @classmethod
    def _class_sums(cls, extractor, model, dataloader, num_classes: int,
                    second_moments: bool = False):
        """Per-class sums (K, C) of the image vectors, image counts (K,)
        and, with ``second_moments``, the sum (C, C) of the outer products
        of the image vectors (else None), in float64, on this rank."""
        sums = counts = moments = None
        was_training = extractor.training
        extractor.eval()
        try:
            with torch.no_grad():
                for data in dataloader:
                    data = model.data_preprocessor(data, False)
                    vectors = cls._image_vectors(extractor,
                                                 data['inputs']).double()
                    labels = torch.cat([
                        ds.gt_label for ds in data['data_samples']
                    ]).to(vectors.device)
                    if int(labels.max()) >= num_classes:
                        raise ValueError(
                            f'label {int(labels.max())} of the train '
                            f'dataloader is not below the {num_classes} '
                            f'classes of its dataset metainfo')
                    if sums is None:
                        sums = vectors.new_zeros(
                            (num_classes, vectors.shape[1]),
                            dtype=torch.float64)
                        counts = sums.new_zeros(num_classes)
                        if second_moments:
                            moments = sums.new_zeros(
                                (vectors.shape[1], vectors.shape[1]))
                    sums.index_add_(0, labels, vectors)
                    counts.index_add_(0, labels, torch.ones_like(
                        labels, dtype=counts.dtype))
                    if second_moments:
                        moments += vectors.T @ vectors
        finally:
            extractor.train(was_training)
        if sums is None:
            raise ValueError('the train dataloader yielded no batch')
        return sums, counts, moments

    @staticmethod
    def _deliver(similar: torch.Tensor, model, dataloader) -> None:
        receivers = [m for m in model.modules()
                     if hasattr(m, 'set_similar_classes')]
        sampler = getattr(dataloader, 'sampler', None)
        if hasattr(sampler, 'set_similar_classes'):
            receivers.append(sampler)
        if not receivers:
            raise RuntimeError(
                'ClassSimilarityHook found nobody to give the similar classes '
                'to: add an ICFSLoss to the model or use a '
                'SimilarClassSampler for the train dataloader')
        for receiver in receivers:
            receiver.set_similar_classes(similar)
