"""RelabelDataset and SubsampleDataset: labels, class names, exact
per-class counts, seeds, nesting and configs."""
import logging
import os.path as osp

import numpy as np
import pytest
from mmengine.dataset import BaseDataset
from mmengine.logging import MMLogger
from mmengine.registry import init_default_scope

from wsol_mm.datasets.dataset_wrappers import RelabelDataset, SubsampleDataset
from wsol_mm.datasets.label_hierarchy import LabelHierarchy
from wsol_mm.datasets.synthetic_inatloc import generate_synthetic_inatloc
from wsol_mm.registry import DATASETS

SPECIES = ('Corvus corax', 'Corvus corone', 'Pica pica', 'Parus major')
GENUS_OF = (0, 0, 1, 2)   # Corvus, Corvus, Pica, Parus
FAMILY_OF = (0, 0, 0, 1)  # Corvidae, Corvidae, Corvidae, Paridae
# Species label of each item: 7 x species 0, 3 x species 1, 5 x species 2,
# 2 x species 3, interleaved.
LABELS = [0, 2, 0, 1, 0, 2, 3, 0, 2, 1, 0, 0, 2, 3, 1, 2, 0]
MAPPING = '''species,genus,family
Parus major,Parus,Paridae
Pica pica,Pica,Corvidae
Corvus corax,Corvus,Corvidae
Corvus corone,Corvus,Corvidae
'''


class Toy(BaseDataset):
    """Items with a species gt_label; hierarchical unless ``flat``."""

    def __init__(self, flat=False, **kwargs):
        self.flat = flat
        super().__init__(serialize_data=False, **kwargs)

    def load_data_list(self):
        self._metainfo['classes'] = SPECIES
        if not self.flat:
            self._metainfo.update(
                levels=('species', 'genus', 'family'),
                level_classes=dict(species=SPECIES,
                                   genus=('Corvus', 'Pica', 'Parus'),
                                   family=('Corvidae', 'Paridae')))
        items = []
        for i, label in enumerate(LABELS):
            item = dict(img_id=f'{i}.jpg', gt_label=label)
            if not self.flat:
                item['level_labels'] = dict(species=label,
                                            genus=GENUS_OF[label],
                                            family=FAMILY_OF[label])
            items.append(item)
        return items


def counts(dataset, num_classes):
    labels = [dataset.get_cat_ids(i)[0] for i in range(len(dataset))]
    return np.bincount(labels, minlength=num_classes).tolist()


def info_log(func):
    """Run ``func``; return its result and the messages logged."""
    logger = MMLogger.get_current_instance()
    messages = []

    class Handler(logging.Handler):
        def emit(self, record):
            messages.append(record.getMessage())

    handler = Handler()
    logger.addHandler(handler)
    try:
        return func(), messages
    finally:
        logger.removeHandler(handler)


def test_registered():
    assert DATASETS.get('RelabelDataset') is RelabelDataset
    assert DATASETS.get('SubsampleDataset') is SubsampleDataset


@pytest.mark.parametrize('level,classes,expected', [
    ('genus', ('Corvus', 'Pica', 'Parus'), [10, 5, 2]),
    ('family', ('Corvidae', 'Paridae'), [15, 2]),
    ('species', SPECIES, [7, 3, 5, 2]),
])
def test_relabel_from_level_labels(level, classes, expected):
    dataset = RelabelDataset(Toy(), level=level)
    assert len(dataset) == len(LABELS)
    assert dataset.metainfo['classes'] == classes
    assert len(dataset.metainfo['classes']) == len(expected)
    assert dataset.metainfo['level'] == level
    assert counts(dataset, len(classes)) == expected
    info = dataset.get_data_info(6)  # Parus major
    assert info['gt_label'] == classes.index(
        dict(species='Parus major', genus='Parus', family='Paridae')[level])
    assert info['img_id'] == '6.jpg'
    # The wrapped dataset keeps its labels.
    assert dataset.dataset.get_data_info(6)['gt_label'] == 3


def test_relabel_from_mapping_file(tmp_path):
    path = tmp_path / 'hierarchy.csv'
    path.write_text(MAPPING)
    dataset = RelabelDataset(Toy(flat=True), level='genus',
                             hierarchy=str(path))
    # Genus labels in first-seen order of the file: Parus, Pica, Corvus.
    assert dataset.metainfo['classes'] == ('Parus', 'Pica', 'Corvus')
    assert dataset.metainfo['levels'] == ('species', 'genus', 'family')
    assert dataset.metainfo['level_classes']['family'] == ('Paridae',
                                                           'Corvidae')
    assert counts(dataset, 3) == [2, 5, 10]
    info = dataset.get_data_info(1)  # Pica pica
    assert info['gt_label'] == 1
    # Leaf labels of the file's order, not the dataset's.
    assert info['level_labels'] == dict(species=1, genus=1, family=1)
    # A LabelHierarchy works as well.
    again = RelabelDataset(Toy(flat=True), level='family',
                           hierarchy=LabelHierarchy.from_file(str(path)))
    assert counts(again, 2) == [2, 15]


def test_relabel_errors(tmp_path):
    with pytest.raises(ValueError, match='give RelabelDataset a hierarchy'):
        RelabelDataset(Toy(flat=True), level='genus')
    with pytest.raises(ValueError, match="unknown level 'tribe'"):
        RelabelDataset(Toy(), level='tribe')
    path = tmp_path / 'partial.csv'
    path.write_text('species,genus\nPica pica,Pica\n')
    with pytest.raises(ValueError, match="not found: \\['Corvus corax'"):
        RelabelDataset(Toy(flat=True), level='genus', hierarchy=str(path))


def test_relabel_runs_the_pipeline_on_the_new_label():
    dataset = RelabelDataset(
        Toy(pipeline=[lambda results: dict(label=results['gt_label'])]),
        level='family')
    assert [dataset[i]['label'] for i in (0, 6)] == [0, 1]


def test_relabel_lazy_init():
    inner = Toy(lazy_init=True)
    dataset = RelabelDataset(inner, level='genus', lazy_init=True)
    assert not dataset._fully_initialized and not inner._fully_initialized
    assert len(dataset) == len(LABELS)
    assert dataset._fully_initialized and inner._fully_initialized


def test_subsample_exact_counts_and_order():
    dataset, log = info_log(lambda: SubsampleDataset(Toy(), num_per_class=4))
    # 7, 3, 5, 2 images per species -> 4, 3, 4, 2.
    assert counts(dataset, 4) == [4, 3, 4, 2]
    assert len(dataset) == 13
    indices = dataset.indices.tolist()
    assert indices == sorted(indices) and len(set(indices)) == 13
    for i, index in enumerate(indices):
        assert dataset.get_data_info(i)['img_id'] == f'{index}.jpg'
    # Classes with 4 or fewer images keep all of them.
    assert [i for i in indices if LABELS[i] in (1, 3)] == \
        [i for i, label in enumerate(LABELS) if label in (1, 3)]
    assert any('kept 13 of 17 images, at most 4 per class (seed 0); 2 of 4 '
               'classes have fewer' in m for m in log), log


def test_subsample_seeds():
    def draw(seed):
        return SubsampleDataset(Toy(), num_per_class=2, seed=seed).indices

    assert draw(0).tolist() == draw(0).tolist()
    assert draw(7).tolist() == draw(7).tolist()
    assert draw(0).tolist() != draw(1).tolist()
    for seed in range(5):
        subset = SubsampleDataset(Toy(), num_per_class=2, seed=seed)
        assert counts(subset, 4) == [2, 2, 2, 2]


def test_subsample_at_a_level():
    # Per genus (10, 5, 2 images), read from level_labels.
    by_level = SubsampleDataset(Toy(), num_per_class=3, level='genus')
    genera = [by_level.get_data_info(i)['level_labels']['genus']
              for i in range(len(by_level))]
    assert np.bincount(genera).tolist() == [3, 3, 2]
    # The same through a RelabelDataset (gt_label is the genus).
    relabelled = SubsampleDataset(
        RelabelDataset(Toy(), level='genus'), num_per_class=3)
    assert counts(relabelled, 3) == [3, 3, 2]
    assert relabelled.metainfo['classes'] == ('Corvus', 'Pica', 'Parus')
    with pytest.raises(ValueError, match="no 'tribe' label"):
        SubsampleDataset(Toy(), num_per_class=3, level='tribe')


def test_subsample_bad_count():
    for bad in (0, -1, 2.5):
        with pytest.raises(ValueError, match='positive integer'):
            SubsampleDataset(Toy(), num_per_class=bad)


def test_nested_configs_on_inatloc_layout(tmp_path):
    root = str(tmp_path / 'inat')
    generate_synthetic_inatloc(
        root, num_genera=3, species_per_genus=2, train_per_class=3,
        val_per_class=1, test_per_class=1, min_size=40, max_size=48)
    init_default_scope('wsol_mm')
    subset = DATASETS.build(
        dict(
            type='SubsampleDataset',
            num_per_class=4,
            seed=3,
            dataset=dict(
                type='RelabelDataset',
                level='family',
                dataset=dict(
                    type='INatLoc500',
                    data_root=root,
                    split='train',
                    pipeline=[
                        dict(type='LoadWSOLImageFromFile'),
                        dict(type='Resize', size=(32, 32)),
                        dict(type='PackWSOLInputs')
                    ]))))
    # 18 species-labelled images; families hold 12 and 6 of them.
    assert subset.metainfo['classes'] == ('Corvidae', 'Paridae')
    assert counts(subset, 2) == [4, 4]
    packed = subset[0]
    assert packed['inputs'].shape == (3, 32, 32)
    info = subset.get_data_info(0)
    assert packed['data_samples'].gt_label.tolist() == [info['gt_label']]
    assert info['gt_label'] == info['level_labels']['family']
    assert osp.isfile(info['img_path']) and ' ' in info['img_path']
