"""Run a trained WSOL model on images: classes, score maps and boxes in
original-image pixels (MMEngine's ``BaseInferencer``, as MMPretrain's
``ImageClassificationInferencer``).

The images go through the config's test pipeline (the same resize / crop as
``tools/test.py``, without the transforms that read annotations); the maps
and boxes the model predicts on the network input are brought back to the
original image through the homography every geometric transform records
(:mod:`wsol_mm.structures.geometry`).
"""
import copy
import difflib
import glob
import os
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Union

import cv2
import numpy as np
import torch
from mmengine.config import Config, ConfigDict
from mmengine.dataset import pseudo_collate
from mmengine.device import get_device
from mmengine.infer import BaseInferencer
from mmengine.logging import MMLogger, print_log
from mmengine.registry import init_default_scope
from mmengine.runner import find_latest_checkpoint
from mmengine.runner.checkpoint import (_load_checkpoint,
                                        _load_checkpoint_to_model)

from wsol_mm.models.wsol.base_localizer import BaseLocalizer
from wsol_mm.pipelines import PipelineContext, StageManifest
from wsol_mm.registry import MODELS, STAGES, TRANSFORMS
from wsol_mm.structures.geometry import (boxes_to_original, homography_of,
                                         maps_to_original)
from wsol_mm.utils.config import fill_num_classes, resolve_num_classes

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG_ROOT = osp.join(REPO_ROOT, 'configs')
IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')
# Test-pipeline transforms that read or convert annotations: an image given
# to the inferencer has none.
ANNOTATION_TRANSFORMS = ('LoadWSOLMask', 'LoadPseudoMask', 'LoadPseudoBox',
                         'BoxesToMask', 'ToDetInstances', 'LoadAnnotations')
IMAGE_LOADERS = ('LoadWSOLImageFromFile', 'LoadImageFromFile')


def _type_name(transform: dict) -> str:
    """``'mmpretrain.PackInputs'`` -> ``'PackInputs'``."""
    name = transform.get('type', '')
    return name.rsplit('.', 1)[-1] if isinstance(name, str) else \
        getattr(name, '__name__', '')


def find_config(name: str) -> str:
    """The path of a config given by path or by name (``'cam_r18_demo'``
    -> ``configs/cam/cam_r18_demo.py``); an unknown name raises
    ``FileNotFoundError`` listing the closest names."""
    if osp.isfile(name):
        return name
    stem = osp.splitext(osp.basename(name))[0]
    paths = sorted(glob.glob(osp.join(CONFIG_ROOT, '**', '*.py'),
                             recursive=True))
    names = {}
    for path in paths:
        if f'{osp.sep}_base_{osp.sep}' not in path:
            names.setdefault(osp.splitext(osp.basename(path))[0],
                             []).append(path)
    found = names.get(stem, [])
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise ValueError(f'config name "{name}" is ambiguous: '
                         f'{", ".join(found)}; give the path')
    close = difflib.get_close_matches(stem, names, n=5, cutoff=0.5)
    hint = f'; close matches: {", ".join(close)}' if close else ''
    raise FileNotFoundError(
        f'config "{name}" is neither a file nor the name of a config under '
        f'{CONFIG_ROOT}{hint}')


def _test_pipeline_cfg(cfg: Config, what: str) -> list:
    """The pipeline of the test (else val) dataset, through wrappers."""
    for key in ('test_dataloader', 'val_dataloader'):
        dataset = (cfg.get(key) or {}).get('dataset')
        while isinstance(dataset, dict):
            if dataset.get('pipeline') is not None:
                return list(copy.deepcopy(dataset['pipeline']))
            dataset = dataset.get('dataset')
    raise KeyError(f'{what} has no test_dataloader.dataset.pipeline (nor a '
                   'val one): the inferencer processes images with it')


class _ImagePipeline:
    """A test pipeline for inputs that are paths or BGR arrays.

    A path goes through the config's image loader (its decoder and colour
    type), an array starts after it; the transforms that read annotations
    are left out, the resize / crop / packing are the config's.
    """

    def __init__(self, pipeline_cfg: list, what: str):
        transforms = [t for t in pipeline_cfg
                      if _type_name(t) not in ANNOTATION_TRANSFORMS]
        if not transforms or _type_name(transforms[0]) not in IMAGE_LOADERS:
            first = transforms[0].get('type') if transforms else None
            raise ValueError(
                f'the test pipeline of {what} must start with an image '
                f'loader ({", ".join(IMAGE_LOADERS)}), got {first!r}')
        self.load = TRANSFORMS.build(transforms[0])
        self.transforms = [TRANSFORMS.build(t) for t in transforms[1:]]

    def __call__(self, image: Union[str, np.ndarray]) -> dict:
        if isinstance(image, str):
            results = self.load(dict(img_path=image))
        else:
            results = dict(img=image, img_shape=image.shape[:2],
                           ori_shape=image.shape[:2])
        for transform in self.transforms:
            results = transform(results)
        return results


def _checkpoint_of(weights: str) -> str:
    """A checkpoint file, or the last checkpoint of a work dir."""
    if osp.isdir(weights):
        checkpoint = find_latest_checkpoint(weights)
        if checkpoint is None or not osp.isfile(checkpoint):
            raise FileNotFoundError(f'the work dir {weights} has no '
                                    'last_checkpoint: give a .pth file')
        return checkpoint
    if not osp.isfile(weights):
        raise FileNotFoundError(f'checkpoint not found: {weights}')
    return weights


def _build_model(cfg: Config, checkpoint: Optional[str], device: str,
                 what: str):
    """``cfg.model`` with the weights of ``checkpoint``; returns the model
    and the checkpoint's class names (or None)."""
    state = None if checkpoint is None else _load_checkpoint(
        checkpoint, map_location='cpu')
    meta = (state or {}).get('meta') or {}
    classes = (meta.get('dataset_meta') or {}).get('classes')
    model_cfg = copy.deepcopy(cfg.model)
    if classes is not None:
        # num_classes=None means "the dataset's": the checkpoint knows it.
        fill_num_classes(model_cfg, len(classes))
    else:
        holder = Config(dict(cfg.to_dict(), model=model_cfg))
        resolve_num_classes(holder)
        model_cfg = holder.model
    model = MODELS.build(model_cfg)
    if state is None:
        print_log(f'{what}: no checkpoint given, the model keeps its initial '
                  'weights', logger='current', level=30)
    else:
        _load_checkpoint_to_model(model, state, strict=True)
    return model.to(device).eval(), classes


class _Predictor:
    """One model with its pipeline; ``tta`` wraps it in the config's
    ``tta_model`` and uses its ``tta_pipeline``."""

    def __init__(self, cfg: Config, checkpoint: Optional[str], device: str,
                 what: str, tta: bool = False):
        self.model, self.classes = _build_model(cfg, checkpoint, device, what)
        pipeline = _test_pipeline_cfg(cfg, what)
        if tta:
            self.model = MODELS.build(
                dict(copy.deepcopy(cfg.tta_model), module=self.model))
            self.model.eval()
            pipeline = list(copy.deepcopy(cfg.tta_pipeline))
        self.pipeline = _ImagePipeline(pipeline, what)

    def set_topk(self, topk: Optional[int]) -> None:
        for module in self.model.modules():
            if isinstance(module, BaseLocalizer):
                if not hasattr(module, '_config_topk'):
                    module._config_topk = module.test_cfg.get('topk', 1)
                module.test_cfg['topk'] = module._config_topk \
                    if topk is None else int(topk)


class WSOLResult(dict):
    """The prediction of one image (a dict) that prints briefly: classes,
    boxes and the shape of the maps instead of their values."""

    def __repr__(self) -> str:
        parts = []
        if self.get('img_path') is not None:
            parts.append(f"img_path='{self['img_path']}'")
        parts.append(f"ori_shape={tuple(self['ori_shape'])}")
        labels = self.get('pred_labels')
        if labels is not None:
            names = self.get('pred_classes')
            scores = self['pred_scores']
            classes = [
                (int(label), names[i] if names else None,
                 round(float(scores[label]), 4))
                for i, label in enumerate(labels)
            ]
            parts.append('classes (label, name, score)=[' + ', '.join(
                f'({c[0]}, {c[1]!r}, {c[2]})' if c[1] is not None else
                f'({c[0]}, {c[2]})' for c in classes) + ']')
        boxes = np.round(self['pred_bboxes'], 1).tolist()
        parts.append(f'pred_bboxes (x0 y0 x1 y1, original pixels)={boxes}')
        parts.append(f"score_maps shape={tuple(self['score_maps'].shape)}")
        return 'WSOLResult(' + ', '.join(parts) + ')'

    __str__ = __repr__


class WSOLInferencer(BaseInferencer):
    """Classes, score maps and boxes of a WSOL model on images.

    Args:
        model (str | Config): a config path, a config name from
            ``configs/`` (``'cam_r18_demo'``) or a Config. A multi-stage
            config (``stages`` with an ``EvaluateStage``, e.g. SPOL, ISIC,
            SLT-Net) takes ``weights`` = its finished work dir.
        weights (str, optional): the checkpoint, or a work dir (its
            ``last_checkpoint``; for a multi-stage config the stage
            folders' manifests). None keeps the initial weights (models
            without learnt weights, e.g. the Center baseline).
        device (str, optional): e.g. ``'cpu'``, ``'cuda:0'``; by default
            MMEngine's ``get_device()``.
        classes (sequence of str, optional): class names; by default those
            the checkpoint recorded (``meta.dataset_meta.classes``).
        show_progress (bool): a progress bar over the batches. Defaults to
            False.

    Calling it on an image path, a BGR ``uint8`` array (as ``cv2.imread``
    returns), a folder (its image files, sorted) or a list of these returns
    a list with one :class:`WSOLResult` per image, a dict of

    - ``pred_scores`` (ndarray, (num_classes,)): class probabilities;
    - ``pred_labels`` (ndarray, (k,)), ``pred_classes`` (list of names or
      None) and ``pred_score`` (float, the best probability): the top-k
      classes;
    - ``score_maps`` (ndarray float32, (k, H, W)): the normalised map of
      each top-k class on the original image (0 where the network input did
      not see the image, e.g. outside a centre crop);
    - ``pred_bboxes`` (ndarray, (k, 4)): one box ``x0 y0 x1 y1`` per map,
      in original-image pixels (continuous: pixel ``i`` spans
      ``[i, i + 1)``);
    - ``img_shape`` (the network input's (h, w)), ``ori_shape`` ((H, W)),
      ``img_path`` (None for arrays).

    A class-agnostic localizer of a multi-stage method (a segmentor, a box
    regressor) gives one map and one box whatever the class; the classes
    come from the separate classifier, as ``EvaluateStage`` scores them.

    Call options: ``batch_size`` (1), ``topk`` (the config's
    ``test_cfg.topk``), ``show`` (a window per image), ``out_dir`` (draw
    each image there as ``<name>.jpg``), ``wait_time`` (of ``show``),
    ``return_datasamples`` (the model's data samples instead).
    """

    forward_kwargs: set = {'topk'}
    visualize_kwargs: set = {'show', 'out_dir', 'wait_time'}

    def __init__(self,
                 model: Union[str, Config, ConfigDict],
                 weights: Optional[str] = None,
                 device: Optional[str] = None,
                 classes: Optional[Sequence[str]] = None,
                 show_progress: bool = False) -> None:
        if isinstance(model, str):
            model = find_config(model)
        init_default_scope('wsol_mm')
        super().__init__(model, weights, device, scope='wsol_mm',
                         show_progress=show_progress)
        if classes is not None:
            self.classes = list(classes)

    # ------------------------------------------------------------------ #
    # models
    # ------------------------------------------------------------------ #
    def _init_model(self, cfg: Config, weights: Optional[str],
                    device: str = 'cpu'):
        if device is None:
            device = get_device()
        if cfg.get('stages'):
            self.localizer, self.classifier = self._stage_predictors(
                cfg, weights, device)
        else:
            checkpoint = None if weights is None else _checkpoint_of(weights)
            self.localizer = _Predictor(cfg, checkpoint, device,
                                        'the config')
            self.classifier = None
        names = (self.classifier or self.localizer).classes or \
            self.localizer.classes
        self.classes = None if names is None else list(names)
        return self.localizer.model

    def _stage_predictors(self, cfg: Config, weights: Optional[str],
                          device: str):
        """The localizer and classifier of a finished multi-stage work dir,
        as its ``EvaluateStage`` combines them."""
        if weights is None or not osp.isdir(weights):
            raise ValueError(
                'a multi-stage config needs weights=<its work dir> (the '
                f'folder holding one folder per stage), got {weights!r}')
        stages = cfg.stages
        evaluate = [name for name, spec in stages.items()
                    if spec and spec.get('type') == 'EvaluateStage']
        if not evaluate:
            raise KeyError('the multi-stage config has no EvaluateStage: '
                           'nothing says which stage localizes and which '
                           'classifies')
        spec = stages[evaluate[-1]]
        shared = Config({k: v for k, v in cfg.to_dict().items()
                         if k != 'stages'}, filename=cfg.filename)
        context = PipelineContext(osp.abspath(weights), shared,
                                  MMLogger.get_current_instance())
        for name in stages:
            manifest = StageManifest.read(osp.join(weights, name))
            if manifest is not None:
                context.manifests[name] = manifest

        def trained(name: str, role: str):
            stage_spec = stages.get(name)
            if not stage_spec or stage_spec.get('type') != 'TrainStage':
                raise KeyError(f'the {role} "{name}" of stage '
                               f'"{evaluate[-1]}" is not a TrainStage')
            if name not in context.manifests:
                raise FileNotFoundError(
                    f'stage "{name}" has not finished in {weights} (no '
                    f'{osp.join(name, "stage_manifest.json")})')
            stage = STAGES.build(dict(stage_spec), default_args=dict(
                name=name, context=context))
            return stage, context.manifests[name].artifact

        stage, checkpoint = trained(spec['localizer'], 'localizer')
        stage_cfg = stage.runner_cfg()
        if spec.get('model_test_cfg'):
            stage_cfg.model.test_cfg = {
                **(stage_cfg.model.get('test_cfg') or {}),
                **spec['model_test_cfg']}
        localizer = _Predictor(stage_cfg, checkpoint, device,
                               f'stage "{stage.name}"')
        classifier = None
        name = spec.get('classifier')
        if name is not None and name in stages:
            stage, checkpoint = trained(name, 'classifier')
            classifier = _Predictor(stage.runner_cfg(), checkpoint, device,
                                    f'stage "{name}"', tta=stage.tta)
        elif name is not None:
            print_log(f'the classifier of stage "{evaluate[-1]}" is a file '
                      f'of class scores ({name}), which holds no new image: '
                      'the classes are the localizer\'s', logger='current',
                      level=30)
        return localizer, classifier

    def _init_pipeline(self, cfg: Config) -> Callable:
        predictors = [p for p in (self.localizer, self.classifier) if p]

        def pipeline(image):
            return tuple(p.pipeline(image) for p in predictors)

        return pipeline

    def _init_collate(self, cfg: Config) -> Callable:
        # The runner's default for the configs of wsol_mm, which set no
        # collate_fn (the data preprocessors take lists).
        return pseudo_collate

    def _init_visualizer(self, cfg: Config):
        return None

    # ------------------------------------------------------------------ #
    # inputs
    # ------------------------------------------------------------------ #
    def _inputs_to_list(self, inputs) -> list:
        if isinstance(inputs, str) and osp.isdir(inputs):
            found = sorted(
                osp.join(inputs, name) for name in os.listdir(inputs)
                if name.lower().endswith(IMAGE_SUFFIXES))
            if not found:
                raise FileNotFoundError(
                    f'no image ({", ".join(IMAGE_SUFFIXES)}) in the folder '
                    f'{inputs}')
            return found
        if not isinstance(inputs, (list, tuple)):
            inputs = [inputs]
        for index, item in enumerate(inputs):
            if isinstance(item, str):
                if not osp.isfile(item):
                    raise FileNotFoundError(f'input {index}: no such image '
                                            f'file {item}')
            elif not (isinstance(item, np.ndarray) and item.ndim in (2, 3)
                      and item.dtype == np.uint8):
                raise TypeError(
                    f'input {index}: expected an image path or a (H, W, 3) '
                    'uint8 BGR array (as cv2.imread returns), got '
                    f'{type(item).__name__} '
                    f'{getattr(item, "shape", "")} '
                    f'{getattr(item, "dtype", "")}')
        return list(inputs)

    def preprocess(self, inputs: list, batch_size: int = 1, **kwargs):
        for chunk in self._get_chunk_data(map(self.pipeline, inputs),
                                          batch_size):
            yield tuple(self.collate_fn(list(per_model))
                        for per_model in zip(*chunk))

    # ------------------------------------------------------------------ #
    # prediction
    # ------------------------------------------------------------------ #
    @torch.no_grad()
    def forward(self, inputs: tuple, topk: Optional[int] = None) -> list:
        self.localizer.set_topk(topk)
        samples = self.localizer.model.test_step(inputs[0])
        if self.classifier is None:
            return samples
        classified = self.classifier.model.test_step(inputs[1])
        k = 1 if topk is None else int(topk)
        for sample, other in zip(samples, classified):
            # ClassScores' rule: the classifier's scores replace the
            # localizer's.
            score = other.pred_score.detach().float()
            sample.pred_score = score
            sample.pred_labels = score.topk(min(k, score.numel())).indices
        return samples

    def postprocess(self, preds: list, visualization=None,
                    return_datasamples: bool = False) -> list:
        if return_datasamples:
            return preds
        return [self._result(sample) for sample in preds]

    def _result(self, sample) -> WSOLResult:
        meta = sample.metainfo
        ori_shape = tuple(int(s) for s in meta['ori_shape'][:2])
        homography = homography_of(meta)
        maps = sample.get('pred_score_maps')
        if maps is None:
            maps = sample.gt_score_map[None]
        maps, seen = maps_to_original(maps.float().cpu(), homography,
                                      ori_shape)
        maps = torch.where(seen, maps, torch.zeros_like(maps))
        boxes = sample.get('pred_bboxes')
        boxes = np.zeros((0, 4)) if boxes is None else boxes_to_original(
            boxes, homography, ori_shape)
        result = WSOLResult(
            img_path=meta.get('img_path'),
            ori_shape=ori_shape,
            img_shape=tuple(int(s) for s in meta['img_shape'][:2]),
            score_maps=maps.numpy().astype(np.float32),
            pred_bboxes=boxes,
            pred_scores=None, pred_labels=None, pred_classes=None,
            pred_score=None)
        score = sample.get('pred_score')
        if score is not None:
            score = score.detach().float().cpu().numpy()
            labels = sample.get('pred_labels')
            labels = np.argsort(-score)[:1] if labels is None else \
                labels.detach().cpu().numpy().reshape(-1)
            result.update(
                pred_scores=score, pred_labels=labels,
                pred_score=float(score.max()),
                pred_classes=None if self.classes is None else
                [self.classes[int(i)] for i in labels])
        return result

    # ------------------------------------------------------------------ #
    # drawing
    # ------------------------------------------------------------------ #
    def visualize(self, inputs: list, preds: list, show: bool = False,
                  out_dir: Optional[str] = None,
                  wait_time: float = 0) -> Optional[List[np.ndarray]]:
        if not show and out_dir is None:
            return None
        drawings = []
        for index, (image, sample) in enumerate(zip(inputs, preds)):
            result = self._result(sample)
            if isinstance(image, str):
                name = osp.splitext(osp.basename(image))[0]
                image = cv2.imread(image, cv2.IMREAD_COLOR)
            else:
                name = f'{index:06d}'
            drawn = draw_result(image, result)
            if show:
                cv2.imshow(name, drawn)
                cv2.waitKey(int(wait_time * 1000))
            if out_dir is not None:
                os.makedirs(out_dir, exist_ok=True)
                path = osp.join(out_dir, f'{name}.jpg')
                if not cv2.imwrite(path, drawn):
                    raise OSError(f'could not write {path}')
            drawings.append(drawn)
        return drawings


def draw_result(image: np.ndarray, result: Dict,
                gt_bboxes: Optional[np.ndarray] = None) -> np.ndarray:
    """A BGR image (uint8) with the first score map of ``result`` as a JET
    overlay, its boxes in red (labelled with class and score), and
    ``gt_bboxes`` (k, 4) in green (``WSOLVisualizer``'s drawing)."""
    from wsol_mm.visualization import draw_localization
    image = np.asarray(image)
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    boxes = np.asarray(result['pred_bboxes']).reshape(-1, 4)
    texts = None
    if result.get('pred_labels') is not None:
        names = result.get('pred_classes')
        texts = [
            f'{names[i] if names else f"class {label}"} '
            f'{result["pred_scores"][label]:.2f}'
            for i, label in enumerate(result['pred_labels'])
        ][:len(boxes)]
        texts += [''] * (len(boxes) - len(texts))
    maps = result['score_maps']
    drawn = draw_localization(
        np.ascontiguousarray(image[..., ::-1]),
        maps[0] if len(maps) else None, gt_bboxes, boxes, texts)
    return np.ascontiguousarray(drawn[..., ::-1])
