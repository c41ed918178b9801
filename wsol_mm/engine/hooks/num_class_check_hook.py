"""Fail early when the classifier and the dataset disagree on classes."""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from wsol_mm.registry import HOOKS


@HOOKS.register_module()
class NumClassCheckHook(Hook):
    """Checks ``model.head.num_classes`` against the dataset's ``classes``
    before training, validation and testing."""

    def _check(self, runner, dataloader, split: str) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        num_classes = getattr(getattr(model, 'head', None), 'num_classes',
                              None)
        classes = dataloader.dataset.metainfo.get('classes')
        if num_classes is None or classes is None:
            return
        if len(classes) != num_classes:
            dataset = dataloader.dataset
            raise ValueError(
                f'model.head.num_classes is {num_classes} but the {split} '
                f'dataset {type(dataset).__name__} '
                f'(data_root={getattr(dataset, "data_root", None)!r}) has '
                f'{len(classes)} classes; set --cfg-options '
                f'model.head.num_classes={len(classes)}')

    def before_train(self, runner) -> None:
        self._check(runner, runner.train_dataloader, 'train')

    def before_val(self, runner) -> None:
        self._check(runner, runner.val_dataloader, 'val')

    def before_test(self, runner) -> None:
        self._check(runner, runner.test_dataloader, 'test')
