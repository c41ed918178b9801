"""NumClassCheckHook: a class-count mismatch stops training; a test of a
model with more outputs than the test set has classes only warns."""
import logging
from types import SimpleNamespace

import pytest

from wsol_mm.engine.hooks import NumClassCheckHook, num_class_check_hook


def _runner(num_classes, num_dataset_classes):
    loader = SimpleNamespace(dataset=SimpleNamespace(
        metainfo=dict(classes=[str(i) for i in range(num_dataset_classes)]),
        data_root='data/x'))
    model = SimpleNamespace(head=SimpleNamespace(num_classes=num_classes))
    return SimpleNamespace(model=model, train_dataloader=loader,
                           val_dataloader=loader, test_dataloader=loader)


def test_mismatch_in_training_or_fewer_outputs_is_an_error():
    hook = NumClassCheckHook()
    with pytest.raises(ValueError, match='num_classes is 1000 but the train'):
        hook.before_train(_runner(1000, 5))
    with pytest.raises(ValueError, match='num_classes is 1000 but the val'):
        hook.before_val(_runner(1000, 5))
    with pytest.raises(ValueError, match='num_classes=5'):
        hook.before_test(_runner(3, 5))


def test_test_with_more_outputs_than_classes_warns(monkeypatch):
    logged = []
    monkeypatch.setattr(
        num_class_check_hook, 'print_log',
        lambda message, logger, level: logged.append((message, level)))
    hook = NumClassCheckHook()
    hook.before_test(_runner(1000, 5))
    assert logged == [(
        "model.head.num_classes is 1000 but the test dataset SimpleNamespace "
        "(data_root='data/x') has 5 classes: its labels index the first 5 "
        'outputs', logging.WARNING)]
    hook.before_test(_runner(5, 5))
    hook.before_train(_runner(5, 5))
    assert len(logged) == 1
