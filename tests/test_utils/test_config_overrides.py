"""apply_common_overrides: --cfg-options merging and data_root propagation."""
import copy

from mmengine.config import Config

from wsol_mm.utils import apply_common_overrides


def _cfg():
    return Config(dict(
        data_root='data/CUB_200_2011/',
        model=dict(type='CAM', head=dict(num_classes=200)),
        train_dataloader=dict(
            batch_size=32,
            dataset=dict(type='CUB', data_root='data/CUB_200_2011/',
                         split='train')),
        val_dataloader=dict(
            batch_size=8,
            dataset=dict(
                type='RepeatDataset', times=2,
                dataset=dict(type='CUB', data_root='data/CUB_200_2011/',
                             split='val'))),
        test_dataloader=dict(
            batch_size=8,
            dataset=dict(type='ConcatDataset', datasets=[
                dict(type='CUB', data_root='data/a/', split='test'),
                dict(type='WSOLMetadataDataset', data_root='data/b/'),
                dict(type='NoRoot', ann_file='x.txt'),
            ])),
        val_evaluator=dict(type='WSOLMetric'),
    ))


def test_data_root_reaches_every_dataset():
    cfg = _cfg()
    apply_common_overrides(cfg, {'data_root': '/mnt/cub',
                                 'train_dataloader.batch_size': 4})
    assert cfg.data_root == '/mnt/cub'
    assert cfg.train_dataloader.batch_size == 4
    assert cfg.train_dataloader.dataset.data_root == '/mnt/cub'
    assert cfg.train_dataloader.dataset.split == 'train'
    wrapped = cfg.val_dataloader.dataset
    assert wrapped.type == 'RepeatDataset' and wrapped.times == 2
    assert 'data_root' not in wrapped  # not added where there was none
    assert wrapped.dataset.data_root == '/mnt/cub'
    concat = cfg.test_dataloader.dataset.datasets
    assert [d.get('data_root') for d in concat] == ['/mnt/cub', '/mnt/cub',
                                                   None]
    assert cfg.val_dataloader.batch_size == 8
    assert cfg.model.head.num_classes == 200


def test_options_without_data_root_change_nothing_else():
    cfg = _cfg()
    before = copy.deepcopy(cfg.to_dict())
    apply_common_overrides(cfg, {'model.head.num_classes': 3,
                                 'val_evaluator.iou_thresholds': [30, 50]})
    after = cfg.to_dict()
    assert after['model']['head']['num_classes'] == 3
    assert after['val_evaluator'] == dict(type='WSOLMetric',
                                          iou_thresholds=[30, 50])
    after['model']['head']['num_classes'] = 200
    after['val_evaluator'] = before['val_evaluator']
    assert after == before


def test_no_options_is_a_no_op():
    for options in (None, {}):
        cfg = _cfg()
        before = copy.deepcopy(cfg.to_dict())
        apply_common_overrides(cfg, options)
        assert cfg.to_dict() == before


def test_missing_or_empty_dataloaders_are_skipped():
    cfg = Config(dict(data_root='a/', train_dataloader=dict(
        dataset=dict(type='CUB', data_root='a/')), test_dataloader=None))
    apply_common_overrides(cfg, {'data_root': 'b/'})
    assert cfg.train_dataloader.dataset.data_root == 'b/'
    assert cfg.test_dataloader is None
    assert 'val_dataloader' not in cfg


def _cub_config(data_root, num_classes):
    from mmengine.config import Config
    return Config(dict(
        default_scope='wsol_mm',
        model=dict(type='CAM', head=dict(type='CAMHead',
                                         num_classes=num_classes)),
        train_dataloader=dict(dataset=dict(
            type='CUB', data_root=data_root, split='train', pipeline=[]))))


def test_num_classes_none_follows_the_train_dataset(tmp_path):
    from wsol_mm.datasets.synthetic import generate_synthetic_dataset
    from wsol_mm.utils.config import resolve_num_classes
    generate_synthetic_dataset(str(tmp_path), num_classes=3,
                               train_per_class=1, test_per_class=1,
                               min_size=32, max_size=40)
    cfg = _cub_config(str(tmp_path), None)
    resolve_num_classes(cfg)
    assert cfg.model.head.num_classes == 3

    explicit = _cub_config(str(tmp_path), 7)
    resolve_num_classes(explicit)
    assert explicit.model.head.num_classes == 7


def test_num_classes_none_without_data_is_an_error():
    import pytest
    from mmengine.config import Config

    from wsol_mm.utils.config import resolve_num_classes
    cfg = Config(dict(model=dict(head=dict(num_classes=None))))
    with pytest.raises(ValueError, match='model.head.num_classes is None'):
        resolve_num_classes(cfg)


def test_top_level_level_reaches_datasets_that_have_it():
    from mmengine.config import Config

    from wsol_mm.utils.config import apply_common_overrides
    cfg = Config(dict(
        train_dataloader=dict(dataset=dict(
            type='SubsampleDataset', num_per_class=2,
            dataset=dict(type='INatLoc500', level='species'))),
        val_dataloader=dict(dataset=dict(type='CUB', data_root='x')),
        test_dataloader=dict(dataset=dict(type='INatLoc500',
                                          level='species'))))
    apply_common_overrides(cfg, {'level': 'genus'})
    assert cfg.train_dataloader.dataset.dataset.level == 'genus'
    assert cfg.test_dataloader.dataset.level == 'genus'
    assert 'level' not in cfg.train_dataloader.dataset
    assert 'level' not in cfg.val_dataloader.dataset


def test_subsample_per_class_wraps_the_train_set(tmp_path):
    from mmengine.config import Config

    from wsol_mm.datasets.synthetic import generate_synthetic_dataset
    from wsol_mm.registry import DATASETS
    from wsol_mm.utils.config import apply_common_overrides
    generate_synthetic_dataset(str(tmp_path), num_classes=2,
                               train_per_class=5, test_per_class=1,
                               min_size=32, max_size=40)
    cfg = Config(dict(
        default_scope='wsol_mm',
        train_dataloader=dict(dataset=dict(type='CUB', data_root='elsewhere',
                                           split='train', pipeline=[])),
        test_dataloader=dict(dataset=dict(type='CUB', data_root='elsewhere',
                                          split='test', pipeline=[]))))
    apply_common_overrides(cfg, {'subsample_per_class': 2,
                                 'subsample_seed': 3,
                                 'data_root': str(tmp_path)})
    wrapped = cfg.train_dataloader.dataset
    assert (wrapped.type, wrapped.num_per_class, wrapped.seed) == (
        'SubsampleDataset', 2, 3)
    assert wrapped.dataset.data_root == str(tmp_path)
    assert cfg.test_dataloader.dataset.type == 'CUB'
    dataset = DATASETS.build(wrapped)
    labels = [dataset[i]['gt_label'] for i in range(len(dataset))]
    assert sorted(labels) == [0, 0, 1, 1]


def test_shared_options_reach_the_stages_that_set_the_key():
    cfg = Config(dict(
        data_root='data/cub',
        train_cfg=dict(max_epochs=32),
        custom_hooks=[dict(type='A', interval=3)],
        train_dataloader=dict(dataset=dict(type='CUB', data_root='data/cub')),
        stages=dict(
            cam=dict(type='TrainStage'),
            seg=dict(type='TrainStage', cfg=dict(
                train_cfg=dict(max_epochs=2),
                train_dataloader=dict(dataset=dict(
                    type='CUB', data_root='data/cub', pipeline=[])))),
            classifier=dict(type='TrainStage', cfg=dict(
                train_cfg=dict(max_epochs=20),
                custom_hooks=[dict(type='A', interval=3)])),
            evaluate=dict(type='EvaluateStage', localizer='seg'),
        )))
    apply_common_overrides(cfg, {
        'train_cfg.max_epochs': 1, 'data_root': '/mnt/cub',
        'custom_hooks.0.interval': 5,
        'stages.classifier.cfg.train_cfg.max_epochs': 4})
    assert cfg.train_cfg.max_epochs == 1
    assert cfg.custom_hooks[0]['interval'] == 5
    assert cfg.stages.seg.cfg.train_cfg.max_epochs == 1
    # an option for one stage wins over the shared one
    assert cfg.stages.classifier.cfg.train_cfg.max_epochs == 4
    assert cfg.stages.classifier.cfg.custom_hooks[0]['interval'] == 5
    assert cfg.stages.seg.cfg.train_dataloader.dataset.data_root == \
        '/mnt/cub'
    # keys a stage does not set are not added to it
    assert 'cfg' not in cfg.stages.cam and 'cfg' not in cfg.stages.evaluate
    assert 'custom_hooks' not in cfg.stages.seg.cfg


def test_num_classes_none_anywhere_in_the_model(tmp_path):
    """A batch augmentation's num_classes (CutMix) follows the dataset too,
    and the error names the first unset path."""
    import pytest
    from mmengine.config import Config

    from wsol_mm.datasets.synthetic import generate_synthetic_dataset
    from wsol_mm.utils.config import resolve_num_classes
    generate_synthetic_dataset(str(tmp_path), num_classes=3,
                               train_per_class=1, test_per_class=1,
                               min_size=32, max_size=40)
    cfg = _cub_config(str(tmp_path), None)
    cfg.model.data_preprocessor = dict(
        type='WSOLDataPreprocessor',
        batch_augments=dict(type='CutMix', num_classes=None))
    cfg.model.plugins = [dict(cfg=dict(type='X', num_classes=None))]
    resolve_num_classes(cfg)
    assert cfg.model.head.num_classes == 3
    assert cfg.model.data_preprocessor.batch_augments.num_classes == 3
    assert cfg.model.plugins[0]['cfg']['num_classes'] == 3
    with pytest.raises(ValueError,
                       match=r'model.data_preprocessor.batch_augments'
                             r'.num_classes is None'):
        resolve_num_classes(Config(dict(model=dict(
            data_preprocessor=dict(batch_augments=dict(num_classes=None))))))
