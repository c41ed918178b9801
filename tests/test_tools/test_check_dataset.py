"""tools/misc/check_dataset.py on synthetic layouts of real datasets: the
counts it prints, and exit status 1 naming the file at fault when an image
is missing, a metadata line is corrupt, an image or a mask does not decode,
or a box lies outside its decoded image; logged warnings are counted."""
import importlib.util
import os
import os.path as osp
import re
import shutil

import pytest

from wsol_mm.datasets.synthetic import generate_synthetic_dataset
from wsol_mm.datasets.synthetic_inatloc import generate_synthetic_inatloc
from wsol_mm.datasets.synthetic_wsol_layouts import (write_ilsvrc_layout,
                                                     write_openimages_layout)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture(scope='module')
def tool():
    path = osp.join(REPO_ROOT, 'tools', 'misc', 'check_dataset.py')
    spec = importlib.util.spec_from_file_location('check_dataset', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def layouts(tmp_path_factory):
    """Pristine synthetic layouts; each test corrupts its own copy."""
    root = tmp_path_factory.mktemp('layouts')
    generate_synthetic_dataset(
        str(root / 'cub'), num_classes=3, train_per_class=4, test_per_class=3,
        min_size=64, max_size=80, seed=1)
    write_openimages_layout(str(root / 'wsol'))
    write_ilsvrc_layout(str(root / 'wsol'))
    generate_synthetic_inatloc(
        str(root / 'inat'), num_genera=1, species_per_genus=2,
        genera_per_family=1, train_per_class=2, val_per_class=2,
        test_per_class=2, min_size=64, max_size=80)
    return root


def copy_layout(layouts, name, tmp_path):
    target = str(tmp_path / name)
    shutil.copytree(str(layouts / name), target)
    return target


def check(tool, capsys, config, *options):
    code = tool.main([osp.join(REPO_ROOT, 'configs', config), *options])
    return code, capsys.readouterr().out


def sections(out):
    """``{split: its lines}`` of the report."""
    parts = re.split(r'^\[(\w+)\] \w+$', out, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def test_cub_layout_is_fine_with_its_counts(tool, layouts, capsys):
    data_root = str(layouts / 'cub')
    code, out = check(tool, capsys, 'cam/cam_r50_cub.py', '--cfg-options',
                      f'data_root={data_root}')
    assert code == 0, out
    split = sections(out)
    assert set(split) == {'train', 'val', 'test'}
    assert 'dataset:    CUB\n' in split['train']
    assert f'data_root:  {data_root}\n' in split['train']
    assert 'images:     12\n' in split['train']
    assert 'classes:    3 (red_cyan_stripes_000deg,' in split['train']
    assert 'with boxes: 12 images, 12 boxes' in split['train']
    assert 'with masks: 0 images' in split['train']
    assert 'read:       12 of the first 12 images, 0 masks; 0 ' \
           'unreadable' in split['train']
    assert 'boxes:      12 checked against the decoded images, 0 ' \
           'outside' in split['train']
    # CUB's configs validate and test on the release's test split.
    assert 'images:     9\n' in split['val']
    assert 'the same dataset as val' in split['test']
    assert re.search(r'train: reading: 12/12 images', out)
    assert out.rstrip().endswith('fine (checked: train, val)')

    code, out = check(tool, capsys, 'cam/cam_r50_cub.py', '--cfg-options',
                      f'data_root={data_root}', '--splits', 'test',
                      '--max-images', '2')
    assert code == 0, out
    assert list(sections(out)) == ['test']
    assert 'read:       2 of the first 2 images' in out
    assert 'boxes:      2 checked' in out


def test_missing_image_names_the_line_that_lists_it(tool, layouts, capsys,
                                                    tmp_path):
    data_root = copy_layout(layouts, 'cub', tmp_path)
    with open(osp.join(data_root, 'images.txt')) as f:
        image_id, relpath = f.read().splitlines()[4].split()
    os.remove(osp.join(data_root, 'images', relpath))
    code, out = check(tool, capsys, 'cam/cam_r50_cub.py', '--cfg-options',
                      f'data_root={data_root}')
    assert code == 1, out
    expected = (f'FileNotFoundError: {data_root}/images.txt:5: image file '
                f'not found: {data_root}/images/{relpath}')
    # Image 5 is the first test image (4 training images per class): the
    # test split (val_dataloader) is wrong, train is still checked, fine.
    assert expected in sections(out)['val']
    assert 'fine' in sections(out)['train']
    assert out.rstrip().splitlines()[-1].endswith(
        f'wrong data in val (1 problem); the first: {expected}')


def test_corrupt_metadata_line_names_file_and_line(tool, layouts, capsys,
                                                   tmp_path):
    data_root = copy_layout(layouts, 'cub', tmp_path)
    boxes_txt = osp.join(data_root, 'bounding_boxes.txt')
    with open(boxes_txt) as f:
        lines = f.read().splitlines()
    lines[2] = ' '.join(lines[2].split()[:4])
    with open(boxes_txt, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    code, out = check(tool, capsys, 'cam/cam_r50_cub.py', '--cfg-options',
                      f'data_root={data_root}')
    assert code == 1, out
    assert f'ValueError: {boxes_txt}:3: expected 5 fields, got 4' in out
    assert 'wrong data in train (1 problem), val (1 problem)' in out


def test_openimages_masks_counted_and_undecodable_files_named(
        tool, layouts, capsys, tmp_path):
    data_root = osp.join(copy_layout(layouts, 'wsol', tmp_path), 'OpenImages')
    options = ('--cfg-options', f'data_root={data_root}')
    code, out = check(tool, capsys, 'cam/cam_r50_openimages30k.py', *options)
    assert code == 0, out
    split = sections(out)
    # write_openimages_layout: 3 classes, 2 val / 3 test images each; image
    # k has 1 + k % 2 instances, (k + label) even an ignore mask.
    assert 'images:     6\n' in split['val']
    assert 'with masks: 6 images, 9 instance masks, 3 ignore masks' in \
        split['val']
    assert 'with masks: 9 images, 12 instance masks, 5 ignore masks' in \
        split['test']
    assert 'read:       6 of the first 6 images, 12 masks' in split['val']
    assert 'boxes:      9 checked' in split['val']  # one per instance
    assert 'with masks: 0 images' in split['train']

    image = osp.join(data_root, 'val', '0c0001', '0100000100000000.jpg')
    mask = osp.join(data_root, 'test', '0c0000',
                    '0200000000000000_m0c0000_0.png')
    for path in (image, mask):
        with open(path, 'wb') as f:
            f.write(b'not an image')
    code, out = check(tool, capsys, 'cam/cam_r50_openimages30k.py', *options)
    assert code == 1, out
    split = sections(out)
    assert f'unreadable image: cannot read the image {image}' in split['val']
    assert 'read:       5 of the first 6 images' in split['val']
    assert f'unreadable mask: cannot read the mask {mask}' in split['test']
    assert 'wrong data in val (1 problem), test (1 problem)' in out


def test_box_outside_the_decoded_image(tool, layouts, capsys, tmp_path):
    # image_sizes.txt claims a larger image than the file: the dataset
    # accepts the box, the decoded image does not contain it.
    data_root = osp.join(copy_layout(layouts, 'wsol', tmp_path), 'ILSVRC')
    test_meta = osp.join(data_root, '..', 'metadata', 'ILSVRC', 'test')
    with open(osp.join(test_meta, 'image_ids.txt')) as f:
        first = f.readline().strip()
    for name, fields in (('image_sizes.txt', '1000,1000'),
                         ('localization.txt', '0,0,900,900')):
        path = osp.join(test_meta, name)
        with open(path) as f:
            lines = [line for line in f.read().splitlines()
                     if not line.startswith(first + ',')]
        with open(path, 'w') as f:
            f.write('\n'.join([f'{first},{fields}'] + lines) + '\n')
    code, out = check(tool, capsys, 'cam/cam_r50_ilsvrc.py', '--cfg-options',
                      f'data_root={data_root}', '--splits', 'test')
    assert code == 1, out
    assert re.search(
        rf'box \[0.0, 0.0, 900.0, 900.0\] of {re.escape(data_root)}/'
        rf'{re.escape(first)} is outside the decoded image of width \d+ and '
        r'height \d+', out)
    assert '1 outside' in out


def test_inatloc_size_warning_is_counted_not_an_error(tool, layouts, capsys,
                                                     tmp_path):
    data_root = copy_layout(layouts, 'inat', tmp_path)
    sizes_txt = osp.join(data_root, 'metadata', 'val', 'image_sizes.txt')
    with open(sizes_txt) as f:
        lines = f.read().splitlines()
    path, height, width = lines[1].rsplit(',', 2)
    lines[1] = f'{path},{int(height) + 1},{width}'
    with open(sizes_txt, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    code, out = check(tool, capsys, 'cam/cam_r50_inatloc500.py',
                      '--cfg-options', f'data_root={data_root}',
                      '--max-images', '0')
    assert code == 0, out
    split = sections(out)
    assert 'warnings:   1\n' in split['val']
    assert f'1 x {sizes_txt}:2: recorded size height {int(height) + 1}' in \
        split['val']
    assert 'warnings:   0\n' in split['test']
    assert 'read:       no image read (--max-images 0)' in split['val']
