"""Helpers shared by the dataset tests: write and corrupt annotation files,
and the test pipeline of the wsolevaluation protocol."""
import os
import os.path as osp


def write_lines(path, lines):
    """Write ``lines`` to ``path``, one per line, creating its folder."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')


def replace_line(path, lineno, text):
    """Replace line ``lineno`` (1-based) of ``path`` with ``text``."""
    with open(path) as f:
        lines = f.read().splitlines()
    lines[lineno - 1] = text
    write_lines(path, lines)


def protocol_test_pipeline():
    """A fresh list of the protocol's test pipeline: load, warp to 224 x 224,
    pack."""
    return [
        dict(type='LoadImageFromFile'),
        dict(type='Resize', size=(224, 224)),
        dict(type='PackWSOLInputs')
    ]
