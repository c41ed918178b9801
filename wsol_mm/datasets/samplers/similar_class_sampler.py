"""Batches that hold similar classes, for the ICFS loss of ISIC (Eq. 5)."""
import logging
from typing import Iterator, List

import numpy as np
from mmengine.dist import get_dist_info, sync_random_seed
from mmengine.logging import print_log
from torch.utils.data import Sampler

from wsol_mm.models.losses.icfs_loss import similar_class_matrix
from wsol_mm.registry import DATA_SAMPLERS


@DATA_SAMPLERS.register_module()
class SimilarClassSampler(Sampler):
    """Indices of batches of ``batch_size // samples_per_class`` classes with
    ``samples_per_class`` images each, so that the ICFS loss sees similar
    classes together.

    Each batch takes an anchor class, then as many of its similar classes
    (set by :meth:`set_similar_classes`, usually by ClassSimilarityHook) as
    fit, in random order, then other classes. The anchor and the other
    classes are drawn with probabilities proportional to their images not yet
    drawn in the epoch (uniformly once all are drawn), and the images of a
    class in a random order, so an epoch draws images without replacement as
    far as the similar classes allow; a class with fewer images than needed
    repeats some. Without similar classes all classes are random. When the
    dataset has fewer classes than a batch holds, every batch holds all of
    them, with more images each.

    An epoch is ``len(dataset)`` rounded down to whole batches on every rank:
    each rank yields ``len(dataset) // (batch_size * world_size)`` batches of
    its own draw, which depends on ``seed``, the epoch (:meth:`set_epoch`) and
    the rank; a dataset smaller than a batch per rank gives one batch per
    rank, with images repeated (and a warning). Use it with the dataloader's ``batch_size`` equal to
    ``batch_size``. Labels are read once, on first use, from
    ``dataset.get_data_info(i)['gt_label']``.

    Args:
        dataset: the dataset.
        batch_size (int): images per batch, a multiple of
            ``samples_per_class``.
        samples_per_class (int): images of each class in a batch.
        shuffle (bool): draw anew each epoch; False repeats the draw of
            epoch 0 every epoch.
        seed (int, optional): non-negative seed of the draw; None takes a
            random seed shared by the ranks.
    """

    def __init__(self,
                 dataset,
                 batch_size: int,
                 samples_per_class: int = 2,
                 shuffle: bool = True,
                 seed=None):
        for name, value in (('batch_size', batch_size),
                            ('samples_per_class', samples_per_class)):
            if int(value) != value or value < 1:
                raise ValueError(
                    f'{name} must be a positive integer, got {value}')
        if batch_size % samples_per_class:
            raise ValueError(
                f'batch_size ({batch_size}) must be a multiple of '
                f'samples_per_class ({samples_per_class})')
        self.rank, self.world_size = get_dist_info()
        self.num_batches = len(dataset) // (batch_size * self.world_size)
        if self.num_batches == 0:
            print_log(
                f'SimilarClassSampler: the dataset of {len(dataset)} images '
                f'holds no batch of {batch_size} images per rank on '
                f'{self.world_size} rank(s); each epoch is one batch per '
                'rank, with images repeated.',
                logger='current', level=logging.WARNING)
            self.num_batches = 1
        self.seed = sync_random_seed() if seed is None else seed
        if int(self.seed) != self.seed or self.seed < 0:
            raise ValueError(
                f'seed must be a non-negative integer, got {self.seed}')
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.samples_per_class = int(samples_per_class)
        self.shuffle = shuffle
        self.epoch = 0
        self.similar = None
        self._labels = None

    def set_similar_classes(self, similar) -> None:
        """Sets the (K, K) bool matrix whose row ``i`` marks the similar
        classes of class ``i``."""
        self.similar = similar_class_matrix(similar).cpu().numpy()

    def set_epoch(self, epoch: int) -> None:
        """Sets the epoch, which changes the draw when ``shuffle``."""
        self.epoch = epoch

    def __len__(self) -> int:
        """Indices yielded by this rank per epoch."""
        return self.num_batches * self.batch_size

    def __iter__(self) -> Iterator[int]:
        labels = self._class_labels()
        num_classes = int(labels.max()) + 1
        if self.similar is not None:
            if num_classes > len(self.similar):
                raise ValueError(
                    f'label {num_classes - 1} of the dataset is not below '
                    f'K = {len(self.similar)}, the size of the similar '
                    f'classes matrix')
            num_classes = len(self.similar)
        members = [np.flatnonzero(labels == k) for k in range(num_classes)]
        remaining = np.array([len(m) for m in members])
        available = remaining > 0
        # A dataset with fewer classes than a batch holds fills the batch
        # with more images of each of its classes.
        classes_per_batch = min(self.batch_size // self.samples_per_class,
                                int(available.sum()))
        per_class = np.full(classes_per_batch,
                            self.batch_size // classes_per_batch)
        per_class[:self.batch_size % classes_per_batch] += 1
        rng = np.random.default_rng(
            [self.seed, self.epoch if self.shuffle else 0, self.rank])
        queues = [rng.permutation(m) for m in members]
        heads = np.zeros(num_classes, dtype=np.int64)
        for _ in range(self.num_batches):
            batch_classes = self._batch_classes(rng, remaining, available,
                                                classes_per_batch)
            for k, count in zip(batch_classes, per_class):
                for _ in range(count):
                    if heads[k] == len(queues[k]):
                        queues[k] = rng.permutation(members[k])
                        heads[k] = 0
                    yield int(queues[k][heads[k]])
                    heads[k] += 1
                remaining[k] = max(remaining[k] - count, 0)

    def _class_labels(self) -> np.ndarray:
        if self._labels is None:
            labels = np.array([
                int(self.dataset.get_data_info(i)['gt_label'])
                for i in range(len(self.dataset))
            ], dtype=np.int64)
            if labels.min() < 0:
                raise ValueError(f'the dataset has a negative gt_label '
                                 f'{labels.min()}')
            self._labels = labels
        return self._labels

    def _batch_classes(self, rng: np.random.Generator, remaining: np.ndarray,
                       available: np.ndarray,
                       classes_per_batch: int) -> List[int]:
        """The distinct classes of one batch: anchor, similar, others."""
        allowed = available.copy()
        chosen = [self._draw(rng, remaining, allowed)]
        allowed[chosen[0]] = False
        if self.similar is not None:
            similar = np.flatnonzero(self.similar[chosen[0]] & allowed)
            chosen += rng.permutation(similar)[:classes_per_batch - 1].tolist()
            allowed[chosen] = False
        while len(chosen) < classes_per_batch:
            chosen.append(self._draw(rng, remaining, allowed))
            allowed[chosen[-1]] = False
        return chosen

    @staticmethod
    def _draw(rng: np.random.Generator, remaining: np.ndarray,
              allowed: np.ndarray) -> int:
        """A class of ``allowed``, with probability proportional to its
        images not yet drawn (uniform once all are drawn)."""
        weights = np.where(allowed, remaining, 0).astype(np.float64)
        if weights.sum() == 0:
            weights = allowed.astype(np.float64)
        return int(rng.choice(len(weights), p=weights / weights.sum()))
