"""Fail early when the classifier and the dataset disagree on classes."""
import logging

from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper

from wsol_mm.registry import HOOKS


@HOOKS.register_module()
class NumClassCheckHook(Hook):
    """Checks ``model.head.num_classes`` against the dataset's ``classes``
    before training, validation and testing.

    A model tested with more outputs than the test set has classes (an
    ImageNet classifier used as it is, e.g. SLT-Net's or SPOL's on ILSVRC,
    tested on a subset of its classes) only gets a warning: its scores
    still cover every label.
    """

    def _check(self, runner, dataloader, split: str) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        num_classes = getattr(getattr(model, 'head', None), 'num_classes',
                              None)
        classes = dataloader.dataset.metainfo.get('classes')
        if num_classes is None or classes is None:
            return
        if len(classes) == num_classes:
            return
        dataset = dataloader.dataset
        message = (f'model.head.num_classes is {num_classes} but the {split} '
                   f'dataset {type(dataset).__name__} '
                   f'(data_root={getattr(dataset, "data_root", None)!r}) has '
                   f'{len(classes)} classes')
        if split == 'test' and num_classes > len(classes):
            print_log(f'{message}: its labels index the first '
                      f'{len(classes)} outputs', logger='current',
                      level=logging.WARNING)
            return
        raise ValueError(f'{message}; set --cfg-options '
                         f'model.head.num_classes={len(classes)}')

    def before_train(self, runner) -> None:
        self._check(runner, runner.train_dataloader, 'train')

    def before_val(self, runner) -> None:
        self._check(runner, runner.val_dataloader, 'val')

    def before_test(self, runner) -> None:
        self._check(runner, runner.test_dataloader, 'test')
