"""The papers' separate classifiers (SPOL / ISIC): the EfficientNet-B7 and
DenseNet161 configs load ImageNet weights in MMPretrain's format through
their init_cfg, their model-zoo URLs leave a warning and the random
initialisation offline, SPOL's official classifier recipe, and the pipeline
configs that use them."""
import os.path as osp
import urllib.error

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope

import wsol_mm.utils.offline_weights as offline
from wsol_mm.registry import MODELS, PARAM_SCHEDULERS

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MODELS_DIR = osp.join(REPO_ROOT, 'configs', '_base_', 'models')
B7 = osp.join(MODELS_DIR, 'efficientnet_b7_classifier.py')
D161 = osp.join(MODELS_DIR, 'densenet161_classifier.py')
ARCHS = {'efficientnet_b7': B7, 'densenet161': D161}


def _stage_model(arch, dataset):
    """The model config of ``<arch>_stage_<dataset>`` (a plain dict)."""
    cfg = Config.fromfile(ARCHS[arch])
    model = cfg[f'{arch}_stage_{dataset}'].cfg.model.to_dict()
    model.pop('_delete_')
    return model


def _build(model_cfg, **changes):
    init_default_scope('wsol_mm')
    model = MODELS.build(dict(model_cfg, **changes))
    model.init_weights()
    return model


@pytest.fixture(scope='module', params=sorted(ARCHS))
def imagenet_checkpoint(request, tmp_path_factory):
    """A 1000-class model of the arch, randomly initialised, its values
    replaced by ones no initialiser produces, saved as MMPretrain saves its
    model-zoo weights (``meta`` + ``state_dict`` with ``backbone.`` and
    ``head.`` keys)."""
    arch = request.param
    model_cfg = _stage_model(arch, 'imagenet')
    torch.manual_seed(0)
    init_default_scope('wsol_mm')
    state = MODELS.build(dict(model_cfg, init_cfg=None)).state_dict()
    for value in state.values():
        if value.is_floating_point():
            value.normal_()
    path = str(tmp_path_factory.mktemp(arch) / f'{arch}_in1k.pth')
    torch.save(dict(meta=dict(mmpretrain_version='1.2.0'), state_dict=state),
               path)
    return arch, path, state


def test_imagenet_stage_model_loads_every_weight(imagenet_checkpoint):
    arch, path, state = imagenet_checkpoint
    model_cfg = _stage_model(arch, 'imagenet')
    assert model_cfg['head']['num_classes'] == 1000
    assert model_cfg['init_cfg']['type'] == 'Pretrained'
    model = _build(model_cfg, init_cfg=dict(model_cfg['init_cfg'],
                                            checkpoint=path))
    loaded = model.state_dict()
    assert set(loaded) == set(state)
    assert [k for k in state if not torch.equal(loaded[k], state[k])] == []


def test_cub_stage_model_loads_the_backbone_not_the_fc(imagenet_checkpoint,
                                                       log_records):
    arch, path, state = imagenet_checkpoint
    model_cfg = _stage_model(arch, 'cub')
    assert model_cfg['head']['num_classes'] is None  # the dataset's
    model = _build(
        model_cfg, head=dict(model_cfg['head'], num_classes=7),
        init_cfg=dict(model_cfg['init_cfg'], checkpoint=path))
    loaded = model.state_dict()
    backbone = [k for k in state if k.startswith('backbone.')]
    assert len(backbone) > 100
    assert [k for k in backbone if not torch.equal(loaded[k], state[k])] == []
    assert loaded['head.fc.weight'].shape[0] == 7
    assert not torch.equal(loaded['head.fc.bias'],
                           state['head.fc.bias'][:7])
    assert any('size mismatch for head.fc.weight' in m
               for m in log_records.warnings())


def _tiny_b7_config_model(num_classes=3):
    """The config's EfficientNet classifier with its init_cfg (the model-zoo
    URL), at arch b0 to be quick."""
    model_cfg = _stage_model('efficientnet_b7', 'cub')
    return dict(model_cfg,
                backbone=dict(model_cfg['backbone'], arch='b0'),
                head=dict(model_cfg['head'], num_classes=num_classes,
                          in_channels=1280))


def test_offline_model_zoo_url_warns_and_keeps_random_init(monkeypatch,
                                                           log_records):
    url = Config.fromfile(B7).efficientnet_b7_checkpoint
    assert url.startswith('https://download.openmmlab.com/')
    requested = []

    def no_network(filename, map_location=None):
        requested.append(filename)
        raise urllib.error.URLError('Name or service not known')

    monkeypatch.setattr(offline, 'load_from_http', no_network)
    model_cfg = _tiny_b7_config_model()
    assert model_cfg['init_cfg']['checkpoint'] == url
    torch.manual_seed(1)
    offline_model = _build(model_cfg)
    torch.manual_seed(1)
    random_model = _build(model_cfg, init_cfg=None)
    assert requested == [url]
    state, random_state = offline_model.state_dict(), random_model.state_dict()
    assert [k for k in state if not torch.equal(state[k],
                                                random_state[k])] == []
    assert any(url in m and 'random initialisation' in m
               for m in log_records.warnings()), log_records.warnings()


def test_reachable_model_zoo_url_loads(monkeypatch, tmp_path):
    model_cfg = _tiny_b7_config_model()
    torch.manual_seed(2)
    state = _build(model_cfg, init_cfg=None).state_dict()
    for value in state.values():
        if value.is_floating_point():
            value.normal_()
    requested = []

    def download(filename, map_location=None):
        requested.append(filename)
        return dict(meta=dict(), state_dict=state)

    monkeypatch.setattr(offline, 'load_from_http', download)
    loaded = _build(model_cfg).state_dict()
    assert requested == [model_cfg['init_cfg']['checkpoint']]
    assert [k for k in state if not torch.equal(loaded[k], state[k])] == []


@pytest.mark.parametrize('code', [404, 410])
def test_missing_file_on_the_server_is_an_error(monkeypatch, code):
    def not_found(filename, map_location=None):
        raise urllib.error.HTTPError(filename, code, 'Not Found', {}, None)

    monkeypatch.setattr(offline, 'load_from_http', not_found)
    with pytest.raises(FileNotFoundError, match=f'HTTP {code}'):
        _build(_tiny_b7_config_model())


def test_other_http_errors_are_taken_for_no_network(monkeypatch,
                                                    log_records):
    """A proxy that refuses the download (403) is an offline machine."""
    def refused(filename, map_location=None):
        raise urllib.error.HTTPError(filename, 403, 'Forbidden', {}, None)

    monkeypatch.setattr(offline, 'load_from_http', refused)
    _build(_tiny_b7_config_model())
    assert any('HTTP Error 403' in m and 'random initialisation' in m
               for m in log_records.warnings()), log_records.warnings()


def test_missing_local_checkpoint_stays_an_error(tmp_path):
    model_cfg = _tiny_b7_config_model()
    missing = str(tmp_path / 'no_such_b7.pth')
    with pytest.raises(FileNotFoundError, match='no_such_b7.pth'):
        _build(model_cfg, init_cfg=dict(type='Pretrained',
                                        checkpoint=missing))


def test_efficientnet_b7_cub_recipe_of_the_official_code():
    """cub200-cls/train.py: lr 0.05 for the fc bias and the last BN weight,
    0.005 for every other tensor, both times (1 - epoch / 20); SGD momentum
    0.9, Nesterov, wd 1e-4."""
    stage = Config.fromfile(B7).efficientnet_b7_stage_cub.cfg
    model = _build(_stage_model('efficientnet_b7', 'cub'), init_cfg=None,
                   head=dict(_stage_model('efficientnet_b7', 'cub')['head'],
                             num_classes=200))
    optim_cfg = stage.optim_wrapper.to_dict()
    optim_cfg.pop('_delete_')
    optim_wrapper = build_optim_wrapper(model, optim_cfg)
    optimizer = optim_wrapper.optimizer
    assert isinstance(optimizer, torch.optim.SGD)
    name_of = {id(p): n for n, p in model.named_parameters()}
    lrs = {}
    for group in optimizer.param_groups:
        assert (group['momentum'], group['nesterov'],
                group['weight_decay']) == (0.9, True, 1e-4)
        for param in group['params']:
            lrs[name_of[id(param)]] = group['lr']
    assert set(lrs) == set(name_of.values())
    fast = {name for name, lr in lrs.items() if lr == pytest.approx(0.05)}
    assert fast == {'head.fc.bias', 'backbone.layers.6.bn.weight'}
    assert all(lr == pytest.approx(0.005) for name, lr in lrs.items()
               if name not in fast)
    # The last 1x1 conv block, 2560 channels: efficientnet_pytorch's _bn1.
    assert model.backbone.layers[6].bn.weight.shape == (2560, )

    schedulers = [PARAM_SCHEDULERS.build(dict(s, optimizer=optimizer))
                  for s in stage.param_scheduler]
    by_epoch = []
    for _ in range(stage.train_cfg.max_epochs):
        by_epoch.append((optimizer.param_groups[0]['lr'],
                         max(g['lr'] for g in optimizer.param_groups)))
        for scheduler in schedulers:
            scheduler.step()
    assert stage.train_cfg.max_epochs == 20
    for epoch, (base_lr, head_lr) in enumerate(by_epoch):
        assert base_lr == pytest.approx((1 - epoch / 20) * 0.005)
        assert head_lr == pytest.approx((1 - epoch / 20) * 0.05)

    assert stage.train_dataloader.batch_size == 16
    train = [(t['type'], t.get('size')) for t in
             stage.train_dataloader.dataset.pipeline]
    assert train == [('LoadWSOLImageFromFile', None), ('Resize', (685, 685)),
                     ('RandomCrop', 600), ('RandomFlip', None),
                     ('mmpretrain.PackInputs', None)]
    test = [(t['type'], t.get('size')) for t in
            stage.test_dataloader.dataset.pipeline]
    assert test == [('LoadWSOLImageFromFile', None), ('Resize', (685, 685)),
                    ('mmpretrain.PackInputs', None)]  # no crop at test


def _classifier_stage(config):
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', config))
    return cfg.stages.classifier


@pytest.mark.parametrize('config,arch,train', [
    ('spol/spol_r50_cub.py', 'b7', True),
    ('spol/spol_r50_imagenet.py', 'b7', False),
    ('isic/isic_r50_cub.py', 'b7', True),
    ('isic/isic_r50_imagenet.py', 'b7', False),
    ('spol/spol_r50_cub_densenet161.py', '161', True),
    ('spol/spol_r50_imagenet_densenet161.py', '161', False),
])
def test_pipeline_configs_use_the_papers_classifiers(config, arch, train):
    stage = _classifier_stage(config)
    assert stage.get('train', True) is train
    model = stage.cfg.model
    assert model.backbone.arch == arch
    assert model.init_cfg.checkpoint.startswith(
        'https://download.openmmlab.com/mmclassification/')
    if train:
        assert model.head.num_classes is None
        assert stage.cfg.train_cfg.max_epochs == 20
        assert stage.cfg.optim_wrapper.optimizer.nesterov
    else:
        # Only tested: nothing of a training recipe is left over.
        assert model.head.num_classes == 1000
        assert set(stage.cfg) == {'model', 'test_dataloader',
                                  'test_evaluator'}


def test_demo_configs_keep_their_resnet18_classifier():
    for config in ('spol/spol_r18_demo.py', 'isic/isic_r18_demo.py'):
        stage = _classifier_stage(config)
        assert stage.cfg.model.backbone.type == 'mmpretrain.ResNet'
        assert stage.cfg.model.backbone.depth == 18
        assert stage.cfg.model.backbone.init_cfg is None
        assert 'optim_wrapper' not in stage.cfg  # the demo's own

