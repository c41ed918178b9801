"""Configuration mistakes stop the tools with errors that name the culprit."""
from .conftest import NUM_CLASSES, python_tool, write_config


def test_class_count_mismatch_names_the_key(tiny_data, tmp_path):
    config = write_config(tmp_path / 'cfg.py', tiny_data, 1)
    done = python_tool('train.py', config, '--work-dir', str(tmp_path / 'w'),
                       '--cfg-options', 'model.head.num_classes=7')
    assert done.returncode != 0
    assert ('model.head.num_classes is 7 but the train dataset'
            in done.stderr)
    assert f'has {NUM_CLASSES} classes' in done.stderr


def test_missing_dataset_names_the_file(tmp_path):
    config = write_config(tmp_path / 'cfg.py', str(tmp_path / 'nowhere'), 1)
    done = python_tool('train.py', config, '--work-dir', str(tmp_path / 'w'))
    assert done.returncode != 0
    assert str(tmp_path / 'nowhere') in done.stderr
    assert 'images.txt' in done.stderr
