"""Stages that turn a trained model's maps into pseudo masks on disk."""
import copy
import os
import os.path as osp
import shutil
from abc import abstractmethod
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch
import torch.nn as nn
from mmengine.dataset import pseudo_collate
from mmengine.dist import all_reduce, barrier, get_dist_info, is_main_process
from mmengine.evaluator import Evaluator
from torch.utils.data import DataLoader, Dataset

from wsol_mm.datasets.transforms import pseudo_mask_path
from wsol_mm.models.utils.pseudo_masks import double_threshold
from wsol_mm.registry import DATASETS
from wsol_mm.structures import homography_of, maps_to_original
from wsol_mm.utils.progress import progress
from .base_stage import BaseStage, PipelineContext, StageResult
from .stage_manifest import StageManifest
from .train_stage import evaluator_list, training_stage

INDEX_NAME = 'index.txt'
IGNORE_INDEX = 255


def _batch_size(data: dict) -> int:
    """The number of images of a collated batch (progress units)."""
    return len(data['data_samples'])


def dataset_pipeline(dataset_cfg: dict) -> list:
    """The ``pipeline`` of a dataset config, looked up through wrappers."""
    while 'pipeline' not in dataset_cfg:
        if 'dataset' not in dataset_cfg:
            raise KeyError(f'no pipeline in the dataset config {dataset_cfg}')
        dataset_cfg = dataset_cfg['dataset']
    return dataset_cfg['pipeline']


def with_pipeline(dataset_cfg: dict, pipeline: list) -> dict:
    """A copy of a dataset config whose (innermost) pipeline is
    ``pipeline``."""
    dataset_cfg = copy.deepcopy(dataset_cfg)
    inner = dataset_cfg
    while 'pipeline' not in inner and 'dataset' in inner:
        inner = inner['dataset']
    inner['pipeline'] = copy.deepcopy(pipeline)
    return dataset_cfg


# Transforms that move pixels; a pseudo-mask pipeline replaces them.
GEOMETRIC_TRANSFORMS = ('Resize', 'CenterCrop', 'RandomCrop', 'RandomFlip',
                        'RandomResizedCrop')


def _type_name(transform: dict) -> str:
    kind = transform.get('type')
    return kind.split('.')[-1] if isinstance(kind, str) else \
        getattr(kind, '__name__', str(kind))


def warp_pipeline(pipeline: Sequence[dict],
                  input_size: Tuple[int, int]) -> list:
    """``pipeline`` with its geometric transforms replaced by one warp of
    the whole image to ``input_size`` (w, h), where the first of them was
    (before the packing step when there is none)."""
    kept = [copy.deepcopy(t) for t in pipeline
            if _type_name(t) not in GEOMETRIC_TRANSFORMS]
    first = next((i for i, t in enumerate(pipeline)
                  if _type_name(t) in GEOMETRIC_TRANSFORMS), None)
    if first is None:
        first = len(kept) - 1 if kept else 0
    warp = dict(type='Resize', size=tuple(input_size))
    return kept[:first] + [warp] + kept[first:]


class PseudoLabelStage(BaseStage):
    """What the stages that label every training image with a trained
    localizer's outputs share (pseudo masks, pseudo boxes).

    The training images are read through the localizer's test pipeline with
    its geometric transforms replaced by one warp of the whole image to the
    :meth:`warp_size` (or through ``pipeline``); the localizer's ``predict``
    runs on them (no gradient) and subclasses write their labels
    (:meth:`write_labels`) in original-image pixels. Under DDP each rank
    labels the images ``rank, rank + world_size, ...``. With ``evaluate``,
    the test split, read with the localizer's test pipeline, is scored with
    its test evaluator on the samples of :meth:`evaluation_samples`.

    Args:
        localizer (str): Name of the training stage whose model is used.
        input_size (tuple, optional): (w, h) of the warp of the training
            images.
        pipeline (list, optional): The whole pipeline of the training
            images instead (any of the box-aware transforms; the packing
            step must keep ``homography_matrix``).
        batch_size (int, optional): Images per batch; the localizer's test
            batch size by default.
        num_workers (int): Data loading workers. Defaults to 2.
        evaluate (bool): Score on the test split. Defaults to True.
    """

    def __init__(self, name: str, context: PipelineContext, localizer: str,
                 input_size: Optional[Tuple[int, int]] = None,
                 pipeline: Optional[List[dict]] = None,
                 batch_size: Optional[int] = None, num_workers: int = 2,
                 evaluate: bool = True):
        super().__init__(name, context)
        if input_size is not None:
            input_size = tuple(int(s) for s in input_size)
            if len(input_size) != 2 or min(input_size) <= 0:
                raise ValueError(f'stage "{name}": input_size must be (w, h) '
                                 f'with positive sides, got {input_size}')
        self.localizer = localizer
        self.input_size = input_size
        self.pipeline = None if pipeline is None else list(pipeline)
        self.batch_size = batch_size
        self.num_workers = num_workers
        self.evaluate = evaluate

    def inputs(self) -> List[str]:
        return [self.localizer]

    def settings(self) -> dict:
        return dict(localizer=self.localizer, input_size=self.input_size,
                    pipeline=self.pipeline, evaluate=self.evaluate)

    # ------------------------------------------------------------------ #
    # what subclasses provide
    # ------------------------------------------------------------------ #
    @property
    @abstractmethod
    def artifact_path(self) -> str:
        """Where the labels are written (the stage's artifact)."""

    def prepare(self, model: nn.Module, dataset, loader_args: dict) -> None:
        """Called once before any label is made, with the training set (e.g.
        to fit per-class statistics)."""

    @abstractmethod
    def write_labels(self, model: nn.Module, dataset, loader_args: dict
                     ) -> dict:
        """Label every image of the training set ``dataset`` (on disk, at
        :attr:`artifact_path`); returns the manifest's ``extra``."""

    @abstractmethod
    def evaluation_samples(self, model: nn.Module, data: dict) -> list:
        """The data samples of a test batch, ready for the test evaluator
        (``gt_score_map`` set to what is scored)."""

    def warp_size(self, test_pipeline: Sequence[dict]) -> Tuple[int, int]:
        """The (w, h) of the warp of the training images: ``input_size``."""
        if self.input_size is None:
            raise ValueError(f'stage "{self.name}": give input_size (w, h) '
                             'or pipeline')
        return self.input_size

    # ------------------------------------------------------------------ #
    # the shared work
    # ------------------------------------------------------------------ #
    @staticmethod
    def predict(model: nn.Module, data: dict
                ) -> Tuple[torch.Tensor, list, torch.Tensor]:
        """The preprocessed inputs of a batch, its data samples with the
        model's predictions, and the (B,) ground-truth labels."""
        data = model.data_preprocessor(data, False)
        inputs = data['inputs']
        samples = model.predict(inputs, data['data_samples'])
        labels = torch.stack([s.gt_label[0] for s in samples])
        return inputs, samples, labels.to(inputs.device)

    def loader(self, dataset, indices: Sequence[int], loader_args: dict
               ) -> DataLoader:
        """A loader over ``indices`` of ``dataset``, in that order."""
        return DataLoader(dataset, sampler=list(indices),
                          collate_fn=pseudo_collate, **loader_args)

    @staticmethod
    def rank_indices(dataset) -> range:
        """The indices of ``dataset`` this rank labels."""
        rank, world_size = get_dist_info()
        return range(rank, len(dataset), world_size)

    def run(self, resume: bool) -> StageResult:
        localizer = training_stage(self.context, self.localizer, self.name)
        model = localizer.build_model(
            self.context.artifact(self.localizer, self.name))
        cfg = localizer.runner_cfg()
        test_loader = cfg.test_dataloader
        loader_args = dict(
            batch_size=self.batch_size or test_loader.get('batch_size', 1),
            num_workers=self.num_workers)
        train_set = self.training_images(cfg)
        with torch.no_grad():
            self.prepare(model, train_set, loader_args)
            extra = self.write_labels(model, train_set, loader_args)
            metrics = {}
            if self.evaluate:
                metrics = self.evaluate_on(
                    model, DATASETS.build(test_loader.dataset), loader_args,
                    cfg.get('test_evaluator'))
        return StageResult(artifact=self.artifact_path, metrics=metrics,
                           extra=extra)

    def training_images(self, cfg) -> Dataset:
        """The training set of the localizer's runner config ``cfg``, read
        through ``pipeline``, or the test pipeline warping the whole image
        to :meth:`warp_size`."""
        test_pipeline = dataset_pipeline(cfg.test_dataloader.dataset)
        pipeline = self.pipeline or warp_pipeline(
            test_pipeline, self.warp_size(test_pipeline))
        return DATASETS.build(
            with_pipeline(cfg.train_dataloader.dataset, pipeline))

    def evaluate_on(self, model: nn.Module, dataset, loader_args: dict,
                    evaluator_cfg) -> dict:
        """The test evaluator's metrics of :meth:`evaluation_samples` on
        ``dataset``."""
        rank, world_size = get_dist_info()
        evaluator = Evaluator(evaluator_list(evaluator_cfg))
        evaluator.dataset_meta = dataset.metainfo
        # Padded like DistributedSampler: the results gathered from the
        # ranks interleave back into dataset order, duplicates cut off.
        padded = -(-len(dataset) // world_size) * world_size
        indices = [i % len(dataset) for i in range(rank, padded, world_size)]
        for data in progress(
                self.loader(dataset, indices, loader_args), len(indices),
                f'{self.name}: evaluation', 'images', _batch_size,
                logger=self.logger):
            evaluator.process(self.evaluation_samples(model, data), data)
        return evaluator.evaluate(len(dataset))


class PseudoMaskStage(PseudoLabelStage):
    """Write a pseudo mask for every training image (SPOL Alg. 1, line 3).

    The maps of a trained model (subclasses say which: :meth:`score_maps`)
    are computed over the training images, each warped whole to
    ``input_size`` as in the official SPOL code (or through ``pipeline``),
    mapped back to the original image through the inverse of the transforms
    that made the input (:func:`maps_to_original`, bilinear), and labelled by
    :meth:`label_map`, by default the double threshold: 1 where the map is
    > ``fg_threshold``, 0 where it is < ``bg_threshold``, 255 (ignored by the
    segmentation loss) in between and wherever the input did not see the
    image (e.g. outside a crop). A mask is a PNG at ``masks/<image id>.png``
    (:class:`LoadPseudoMask` reads it). The folder is written as
    ``masks.partial`` and renamed when complete, so an interrupted run is
    regenerated, never used. With ``evaluate``, the maps of the test split,
    made with the localizer's test pipeline, are scored with its test
    evaluator (:meth:`evaluation_map`).

    Args:
        localizer (str): Name of the training stage whose model makes maps.
        fg_threshold (float): Foreground threshold (0.5, SPOL section 4.2).
        bg_threshold (float): Background threshold (0.004).
        input_size (tuple): (w, h) of the warp of the training images: the
            localizer's test pipeline with its resizes, crops and flips
            replaced by ``Resize(size=input_size)``. Defaults to (256, 256).
        pipeline, batch_size, num_workers, evaluate: see
            :class:`PseudoLabelStage`.
    """

    def __init__(self, name: str, context: PipelineContext, localizer: str,
                 fg_threshold: float = 0.5, bg_threshold: float = 0.004,
                 input_size: Tuple[int, int] = (256, 256), **kwargs):
        super().__init__(name, context, localizer, input_size=input_size,
                         **kwargs)
        if bg_threshold > fg_threshold:
            raise ValueError(f'stage "{name}": bg_threshold ({bg_threshold}) '
                             f'is above fg_threshold ({fg_threshold})')
        self.fg_threshold = fg_threshold
        self.bg_threshold = bg_threshold

    def settings(self) -> dict:
        return dict(super().settings(), fg_threshold=self.fg_threshold,
                    bg_threshold=self.bg_threshold)

    @property
    def mask_dir(self) -> str:
        return osp.join(self.work_dir, 'masks')

    @property
    def artifact_path(self) -> str:
        return self.mask_dir

    # ------------------------------------------------------------------ #
    # what subclasses provide
    # ------------------------------------------------------------------ #
    @abstractmethod
    def score_maps(self, model: nn.Module, data: dict
                   ) -> Tuple[list, List[torch.Tensor]]:
        """The data samples of a batch (with predictions) and, per image,
        (K, h, w) maps in [0, 1] on its ``img_shape`` grid (K >= 1 channels
        that :meth:`label_map` and :meth:`evaluation_map` read)."""

    def label_map(self, maps: torch.Tensor) -> torch.Tensor:
        """The uint8 (H, W) pseudo label of an image's (K, H, W) maps on the
        original image: the double threshold of the first map."""
        return double_threshold(maps[0], self.fg_threshold,
                                self.bg_threshold)

    def evaluation_map(self, maps: torch.Tensor) -> torch.Tensor:
        """The (h, w) map of an image's (K, h, w) maps that the test
        evaluator scores: the first."""
        return maps[0]

    @staticmethod
    def max_normalized_grids(model: nn.Module, maps: torch.Tensor,
                             inputs: torch.Tensor, samples: list
                             ) -> List[torch.Tensor]:
        """Raw (B, K, h, w) maps -> per image (K, H, W) maps on its grid,
        negative values cut off and each map divided by its maximum (an
        all-zero map stays zero).

        Not the protocol's min-max normalisation: that maps every image's
        weakest pixel to 0, so no region would fall below a background
        threshold such as 0.004; here only pixels without any activation do,
        as with the ReLU-ed CAMs of SPOL.
        """
        grids = model._maps_on_image_grids(
            maps, inputs, samples, normalize=False)
        normalized = []
        for grid in grids:
            grid = grid.clamp(min=0)
            peak = grid.amax(dim=(1, 2), keepdim=True)
            normalized.append(grid / peak.clamp(
                min=torch.finfo(grid.dtype).tiny))
        return normalized

    # ------------------------------------------------------------------ #
    # the work
    # ------------------------------------------------------------------ #
    def pseudo_labels(self, maps: List[torch.Tensor], samples: list
                      ) -> List[np.ndarray]:
        """Each image's (K, h, w) maps brought back to the original image
        through the inverse of its transforms and labelled by
        :meth:`label_map`; pixels the input did not see are ignored."""
        labels = []
        for score_maps, sample in zip(maps, samples):
            on_image, seen = maps_to_original(
                score_maps.float(), homography_of(sample.metainfo),
                sample.metainfo['ori_shape'])
            label = self.label_map(on_image)
            label[~seen] = IGNORE_INDEX
            labels.append(label.cpu().numpy())
        return labels

    def write_labels(self, model: nn.Module, dataset, loader_args: dict
                     ) -> dict:
        return dict(num_masks=self.write_masks(model, dataset, loader_args))

    def write_masks(self, model: nn.Module, dataset, loader_args: dict
                    ) -> int:
        """Write every training image's mask; returns their number."""
        partial = self.mask_dir + '.partial'
        if is_main_process():
            for folder in (partial, self.mask_dir):
                shutil.rmtree(folder, ignore_errors=True)
            os.makedirs(partial)
        barrier()
        img_ids = [dataset.get_data_info(i)['img_id']
                   for i in range(len(dataset))]
        indices = self.rank_indices(dataset)
        counts = np.zeros(256, dtype=np.int64)
        for data in progress(
                self.loader(dataset, indices, loader_args), len(indices),
                f'{self.name}: pseudo masks', 'images', _batch_size,
                logger=self.logger):
            samples, maps = self.score_maps(model, data)
            labels = self.pseudo_labels(maps, samples)
            for sample, label in zip(samples, labels):
                counts += np.bincount(label.ravel(), minlength=256)
                path = pseudo_mask_path(partial, sample.metainfo['img_id'])
                os.makedirs(osp.dirname(path), exist_ok=True)
                if not cv2.imwrite(path, label):
                    raise OSError(f'cannot write the pseudo mask {path}')
        self.log_label_shares(counts)
        barrier()
        if is_main_process():
            with open(osp.join(partial, INDEX_NAME), 'w',
                      encoding='utf-8') as f:
                f.writelines(f'{img_id}\n' for img_id in img_ids)
            os.replace(partial, self.mask_dir)
        barrier()
        return len(img_ids)

    def log_label_shares(self, counts: np.ndarray) -> None:
        """Log the shares of foreground, background and ignored pixels of
        the masks (of all ranks)."""
        counts = torch.as_tensor(counts)
        all_reduce(counts)
        total = max(int(counts.sum()), 1)
        shares = [100. * int(counts[v]) / total for v in (1, 0, IGNORE_INDEX)]
        self.logger.info(
            f'{self.name}: pseudo-mask pixels {shares[0]:.1f}% foreground, '
            f'{shares[1]:.1f}% background, {shares[2]:.1f}% ignored')

    def evaluation_samples(self, model: nn.Module, data: dict) -> list:
        samples, maps = self.score_maps(model, data)
        for sample, score_maps in zip(samples, maps):
            sample.gt_score_map = self.evaluation_map(score_maps)
        return samples

    def artifact_problem(self, manifest: StageManifest) -> Optional[str]:
        index = osp.join(self.mask_dir, INDEX_NAME)
        if not osp.isfile(index):
            return f'{index} is missing'
        with open(index, encoding='utf-8') as f:
            img_ids = f.read().split('\n')[:-1]
        if len(img_ids) != manifest.extra.get('num_masks'):
            return (f'{index} lists {len(img_ids)} masks, the stage wrote '
                    f'{manifest.extra.get("num_masks")}')
        missing = [i for i in img_ids if not osp.isfile(
            pseudo_mask_path(self.mask_dir, i))]
        if missing:
            return (f'{len(missing)} masks are missing from {self.mask_dir} '
                    f'(e.g. {pseudo_mask_path(self.mask_dir, missing[0])})')
        return None
