"""LabelHierarchy: the coarsening operator c_k, label mapping, mapping files
and datasets, and inconsistent hierarchies."""
import re

import numpy as np
import pytest

from wsol_mm.datasets.label_hierarchy import LabelHierarchy

# species -> genus -> family -> order (a single root).
MAPPING = '''species,genus,family,order
Corvus corax,Corvus,Corvidae,Passeriformes
Pica pica,Pica,Corvidae,Passeriformes
Parus major,Parus,Paridae,Passeriformes
Corvus corone,Corvus,Corvidae,Passeriformes
"Parus minor, Japan",Parus,Paridae,Passeriformes
'''
SPECIES = ('Corvus corax', 'Pica pica', 'Parus major', 'Corvus corone',
           'Parus minor, Japan')
GENUS = [0, 1, 2, 0, 2]  # of each species; genera in first-seen order
FAMILY = [0, 0, 1, 0, 1]


@pytest.fixture
def mapping(tmp_path):
    path = tmp_path / 'hierarchy.csv'
    path.write_text(MAPPING)
    return str(path)


@pytest.fixture
def hierarchy(mapping):
    return LabelHierarchy.from_file(mapping)


def test_from_file_levels_and_classes(hierarchy):
    assert hierarchy.levels == ('species', 'genus', 'family', 'order')
    assert hierarchy.classes('species') == SPECIES
    assert hierarchy.classes('genus') == ('Corvus', 'Pica', 'Parus')
    assert hierarchy.classes('family') == ('Corvidae', 'Paridae')
    assert hierarchy.classes('order') == ('Passeriformes', )
    assert hierarchy.num_classes('genus') == 3
    assert hierarchy.depth('family') == 2


def test_map_labels_and_parent(hierarchy):
    leaves = np.arange(5)
    mapped = hierarchy.map_labels(leaves, 'species', 'genus')
    assert mapped.dtype == np.int64
    assert mapped.tolist() == GENUS
    assert hierarchy.map_labels(leaves, 'species', 'family').tolist() == \
        FAMILY
    assert hierarchy.map_labels([[3, 2], [1, 0]], 'species',
                                'family').tolist() == [[0, 1], [0, 0]]
    # From an inner level: Corvus, Pica, Parus -> Corvidae, Corvidae, Paridae
    assert hierarchy.map_labels([0, 1, 2], 'genus', 'family').tolist() == \
        [0, 0, 1]
    assert hierarchy.map_labels([2, 0], 'genus', 'genus').tolist() == [2, 0]
    assert hierarchy.parent(4, 'species', 'genus') == 2
    assert hierarchy.parent(1, 'genus', 'order') == 0


def test_coarsening_operator(hierarchy):
    # c_0 is the identity, c_1 the parent, c_2 the grandparent, and c_k is
    # the root for every k >= 3 (the depth of the leaves).
    assert [hierarchy.coarsen(label, 0) for label in range(5)] == \
        list(range(5))
    assert [hierarchy.coarsen(label, 1) for label in range(5)] == GENUS
    assert [hierarchy.coarsen(label, 2) for label in range(5)] == FAMILY
    for k in (3, 4, 10):
        assert hierarchy.coarsen_level(k) == 'order'
        assert [hierarchy.coarsen(label, k) for label in range(5)] == [0] * 5
    assert hierarchy.coarsen_level(1) == 'genus'
    with pytest.raises(ValueError, match='non-negative'):
        hierarchy.coarsen(0, -1)


def test_leaves(hierarchy):
    assert hierarchy.leaves(0, 'genus').tolist() == [0, 3]
    assert hierarchy.leaves(1, 'family').tolist() == [2, 4]
    assert hierarchy.leaves(0, 'order').tolist() == [0, 1, 2, 3, 4]


def test_bad_queries(hierarchy):
    with pytest.raises(ValueError, match='finer level species'):
        hierarchy.map_labels([0], 'genus', 'species')
    with pytest.raises(ValueError, match='species label 5 is outside the 5'):
        hierarchy.map_labels([0, 5], 'species', 'genus')
    with pytest.raises(ValueError, match="unknown level 'tribe'"):
        hierarchy.classes('tribe')


@pytest.mark.parametrize('text,line,fragment', [
    ('species,genus\nA,X\nB,Y,Z\n', 3, 'expected 2 fields, got 3'),
    ('species,genus\nA,X\nA,Y\n', 3, "species 'A' appears twice"),
    ('species,genus\nA,\n', 2, 'empty class name'),
    ('species,genus,family\nA,X,F\nB,X,G\n', 3,
     "inconsistent hierarchy for species 'B': genus 'X' has family 'G' here "
     "but 'F' on line 2"),
    ('species,species\nA,B\n', 1, 'the header must name distinct levels'),
])
def test_bad_mapping_file(tmp_path, text, line, fragment):
    path = tmp_path / 'bad.csv'
    path.write_text(text)
    with pytest.raises(ValueError,
                       match=re.escape(f'{path}:{line}: {fragment}')):
        LabelHierarchy.from_file(str(path))


def test_missing_and_empty_mapping_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='nothere.csv'):
        LabelHierarchy.from_file(str(tmp_path / 'nothere.csv'))
    path = tmp_path / 'header_only.csv'
    path.write_text('species,genus\n')
    with pytest.raises(ValueError, match='no leaves below the header'):
        LabelHierarchy.from_file(str(path))


class FakeDataset:
    """The hierarchical-dataset interface: metainfo levels / level_classes
    and items with level_labels."""

    def __init__(self, rows, leaves=3):
        self.rows = rows
        self.metainfo = dict(
            levels=('species', 'genus', 'family'),
            level_classes=dict(
                species=tuple(f's{i}' for i in range(leaves)),
                genus=('g0', 'g1'),
                family=('f0', 'f1')))

    def full_init(self):
        pass

    def __len__(self):
        return len(self.rows)

    def get_data_info(self, idx):
        species, genus, family = self.rows[idx]
        return dict(img_id=f'img{idx}.jpg',
                    level_labels=dict(species=species, genus=genus,
                                      family=family))


def test_from_dataset():
    dataset = FakeDataset([(2, 1, 1), (0, 0, 0), (1, 0, 0), (2, 1, 1)])
    hierarchy = LabelHierarchy.from_dataset(dataset)
    assert hierarchy.levels == ('species', 'genus', 'family')
    assert hierarchy.classes('genus') == ('g0', 'g1')
    assert hierarchy.map_labels([0, 1, 2], 'species', 'genus').tolist() == \
        [0, 0, 1]
    assert hierarchy.coarsen(2, 2) == 1


def test_from_dataset_unseen_leaf_has_no_ancestor():
    hierarchy = LabelHierarchy.from_dataset(
        FakeDataset([(0, 0, 0), (2, 1, 1)]))
    assert hierarchy.coarsen(2, 1) == 1
    with pytest.raises(ValueError, match="species 's1' has no known genus"):
        hierarchy.coarsen(1, 1)


def test_from_dataset_leaf_with_two_parents():
    dataset = FakeDataset([(0, 0, 0), (1, 0, 0), (0, 1, 0)])
    with pytest.raises(ValueError, match=re.escape(
            "inconsistent hierarchy: species 's0' has genus label 0 in "
            "image 'img0.jpg' but 1 in image 'img2.jpg'")):
        LabelHierarchy.from_dataset(dataset)


def test_from_dataset_genus_with_two_families():
    # Each species is consistent, but genus g0 sits in f0 and f1.
    dataset = FakeDataset([(0, 0, 0), (1, 0, 1)])
    with pytest.raises(ValueError, match=re.escape(
            "inconsistent hierarchy: genus 'g0' has two family parents, "
            "'f0' via species 's0' (image 'img0.jpg') and 'f1' via species "
            "'s1' (image 'img1.jpg')")):
        LabelHierarchy.from_dataset(dataset)


def test_from_dataset_needs_levels():
    class Flat(FakeDataset):
        def __init__(self):
            super().__init__([])
            self.metainfo = dict(classes=('a', 'b'))

    with pytest.raises(ValueError, match='not hierarchical'):
        LabelHierarchy.from_dataset(Flat())
