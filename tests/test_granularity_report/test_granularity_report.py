"""write_granularity_report: report.md, PNGs and their numbers."""
import copy
import csv
import json
import os.path as osp
import re

import pytest

from wsol_mm.studies import write_granularity_report

PNG_MAGIC = b'\x89PNG\r\n\x1a\n'
FIGURES = ('fig3_localization', 'fig3_classification',
           'fig4_data_efficiency', 'fig5_map_statistics')


def _level_values(v2, cls):
    return {'max_box_acc_v2': v2, 'top1_cls': cls, 'pxap': None}


def full_results():
    return {
        'study': 'granularity_demo',
        'dataset': 'synthetic iNatLoc500',
        'levels': ['species', 'genus', 'family'],
        'num_classes': {'species': 6, 'genus': 3, 'family': 2},
        'lrs': [0.01, 0.001],
        'selection': 'best val (train-fullsup) MaxBoxAccV2',
        'runs': [
            {'name': 'cam_species_lr0.01_all_seed0', 'method': 'CAM',
             'level': 'species', 'lr': 0.01, 'num_per_class': None,
             'seed': 0, 'selected': True,
             'val': {'max_box_acc_v2': 55.556}, 'test':
             {'max_box_acc_v2': 51.234, 'top1_cls': 70.0}},
            {'name': 'cam_species_lr0.001_all_seed0', 'method': 'CAM',
             'level': 'species', 'lr': 0.001, 'num_per_class': None,
             'seed': 0, 'selected': False,
             'val': {'max_box_acc_v2': 40.0}, 'test':
             {'max_box_acc_v2': 41.0, 'top1_cls': 60.0}},
        ],
        'fixed_granularity': {
            'CAM': {'species': dict(_level_values(51.234, 70.0), lr=0.01),
                    'genus': dict(_level_values(60.5, 80.0), lr=0.01),
                    'family': dict(_level_values(58.125, 90.0), lr=0.001)},
            'HaS': {'species': dict(_level_values(49.999, 65.0), lr=0.01),
                    'genus': dict(_level_values(47.0, 75.0), lr=0.01),
                    'family': dict(_level_values(None, None), lr=None)},
        },
        'cam_agg': {'genus': {'max_box_acc_v2': 50.0},
                    'family': {'max_box_acc_v2': 45.5}},
        'data_efficiency': {'method': 'CAM', 'levels': {
            'genus': {'full': 60.5, 'subsets': {
                '20': {'mean': 55.0, 'std': 1.5, 'values': [53.5, 56.5],
                       'seeds': [0, 1]},
                '5': {'mean': 40.0, 'std': None, 'values': [40.0],
                      'seeds': [0]}}},
            'family': {'full': 58.125, 'subsets': {
                '20': {'mean': 57.0, 'std': 0.5, 'values': [56.5, 57.5],
                       'seeds': [0, 1]}}}}},
        'species_reference': 51.234,
        'map_statistics': {'method': 'CAM', 'levels': {
            'species': {'threshold': 0.25, 'box_area_ratio_median': 1.8,
                        'in_out_ratio_median': 2.5,
                        'components': [1, 2, 2, 3]},
            'genus': {'threshold': 0.3, 'box_area_ratio_median': 1.3,
                      'in_out_ratio_median': 3.25,
                      'components': [1, 1, 2, 4]}}},
        'baselines': {'Center': {'max_box_acc_v2': 22.5, 'pxap': None},
                      'FSL-Seg': {'max_box_acc_v2': 80.125, 'pxap': None}},
        'paper_table2': {'CAM': 60.2, 'HaS': 60.0, 'Center': 42.8},
    }


def _read_csv(path):
    with open(path, newline='') as f:
        return list(csv.DictReader(f))


def _table_rows(report: str, first_cell: str):
    """Cells of the markdown rows whose first cell is ``first_cell``."""
    rows = []
    for line in report.splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if line.startswith('|') and cells[0] == first_cell:
            rows.append(cells)
    return rows


@pytest.fixture
def full_report(tmp_path):
    results = full_results()
    before = copy.deepcopy(results)
    path = write_granularity_report(results, str(tmp_path / 'report'))
    assert results == before  # the input is not modified
    with open(path) as f:
        return path, f.read()


def test_report_links_every_valid_png(full_report):
    path, report = full_report
    assert path.endswith('report.md') and osp.isfile(path)
    out_dir = osp.dirname(path)
    linked = re.findall(r'\]\(([^)]+\.png)\)', report)
    assert sorted(linked) == sorted(f'{name}.png' for name in FIGURES)
    for name in FIGURES:
        with open(osp.join(out_dir, f'{name}.png'), 'rb') as f:
            assert f.read(8) == PNG_MAGIC
        assert f'({name}.json)' in report and f'({name}.csv)' in report
    assert 'Not in this study' not in report


def test_table2_values_with_two_decimals(full_report):
    _, report = full_report
    # Method, leaf MaxBoxAccV2, best level (its value), paper.
    assert _table_rows(report, 'CAM')[0] == [
        'CAM', '51.23', 'genus (60.50)', '60.20']
    assert _table_rows(report, 'HaS')[0] == [
        'HaS', '50.00', 'species (50.00)', '60.00']
    assert _table_rows(report, 'Center')[0] == ['Center', '22.50', '-',
                                                '42.80']
    assert _table_rows(report, 'FSL-Seg')[0] == ['FSL-Seg', '80.12', '-',
                                                 '-']
    # No PxAP column without PxAP values.
    assert 'PxAP' not in report.split('## Fig. 3')[0]


def test_runs_section(full_report):
    _, report = full_report
    row = _table_rows(report, 'cam_species_lr0.01_all_seed0')[0]
    assert row == ['cam_species_lr0.01_all_seed0', 'CAM', 'species', '0.01',
                   'all', '0', '55.56', '51.23', 'yes']
    row = _table_rows(report, 'cam_species_lr0.001_all_seed0')[0]
    assert row[-1] == '' and row[-2] == '41.00'


def test_fig3_numbers_equal_the_input(full_report):
    path, _ = full_report
    out_dir = osp.dirname(path)
    with open(osp.join(out_dir, 'fig3_localization.json')) as f:
        records = json.load(f)
    assert records == [
        {'level': 'species', 'num_classes': 6, 'CAM': 51.234, 'HaS': 49.999,
         'CAM-Agg': 51.234},
        {'level': 'genus', 'num_classes': 3, 'CAM': 60.5, 'HaS': 47.0,
         'CAM-Agg': 50.0},
        {'level': 'family', 'num_classes': 2, 'CAM': 58.125, 'HaS': None,
         'CAM-Agg': 45.5},
    ]
    rows = _read_csv(osp.join(out_dir, 'fig3_localization.csv'))
    assert [float(r['CAM']) for r in rows] == [51.234, 60.5, 58.125]
    assert rows[2]['HaS'] == ''
    with open(osp.join(out_dir, 'fig3_classification.json')) as f:
        records = json.load(f)
    assert [(r['level'], r['CAM'], r['HaS']) for r in records] == [
        ('species', 70.0, 65.0), ('genus', 80.0, 75.0),
        ('family', 90.0, None)]
    assert all('CAM-Agg' not in r for r in records)


def test_fig4_numbers_equal_the_input(full_report):
    path, report = full_report
    out_dir = osp.dirname(path)
    with open(osp.join(out_dir, 'fig4_data_efficiency.json')) as f:
        records = json.load(f)
    # Subsets sorted by images per class; images = per class x classes.
    assert [(r['level'], r['num_per_class'], r['num_images'], r['mean'],
             r['std']) for r in records] == [
        ('genus', 5, 15, 40.0, None), ('genus', 20, 60, 55.0, 1.5),
        ('genus', 'all', None, 60.5, None),
        ('family', 20, 40, 57.0, 0.5), ('family', 'all', None, 58.125, None)]
    assert records[1]['values'] == [53.5, 56.5]
    rows = _read_csv(osp.join(out_dir, 'fig4_data_efficiency.csv'))
    assert rows[1]['values'] == '53.5 56.5' and rows[1]['seeds'] == '0 1'
    assert float(rows[3]['mean']) == 57.0
    assert '(51.23)' in report


def test_fig5_numbers_and_threshold_text(full_report):
    path, report = full_report
    out_dir = osp.dirname(path)
    with open(osp.join(out_dir, 'fig5_map_statistics.json')) as f:
        records = json.load(f)
    assert records == [
        {'level': 'species', 'threshold': 0.25, 'box_area_ratio_median': 1.8,
         'in_out_ratio_median': 2.5, 'components': [1, 2, 2, 3]},
        {'level': 'genus', 'threshold': 0.3, 'box_area_ratio_median': 1.3,
         'in_out_ratio_median': 3.25, 'components': [1, 1, 2, 4]},
    ]
    rows = _read_csv(osp.join(out_dir, 'fig5_map_statistics.csv'))
    assert rows[1]['components'] == '1 1 2 4'
    assert float(rows[1]['in_out_ratio_median']) == 3.25
    assert 'IoU 50 on train-fullsup (species 0.25, genus 0.30)' in report


def test_only_fixed_granularity(tmp_path):
    full = full_results()
    results = {'levels': full['levels'], 'num_classes': full['num_classes'],
               'fixed_granularity': full['fixed_granularity']}
    path = write_granularity_report(results, str(tmp_path))
    with open(path) as f:
        report = f.read()
    # Fig. 4, Fig. 5 and the runs are missing.
    assert report.count('Not in this study.') == 3
    assert sorted(re.findall(r'\]\(([^)]+\.png)\)', report)) == [
        'fig3_classification.png', 'fig3_localization.png']
    assert not osp.exists(tmp_path / 'fig4_data_efficiency.png')
    with open(tmp_path / 'fig3_localization.json') as f:
        assert all('CAM-Agg' not in r for r in json.load(f))
    assert _table_rows(report, 'CAM')[0] == ['CAM', '51.23', 'genus (60.50)']


def test_pxap_column_when_present(tmp_path):
    results = full_results()
    results['fixed_granularity']['CAM']['species']['pxap'] = 63.456
    path = write_granularity_report(results, str(tmp_path))
    with open(path) as f:
        report = f.read()
    assert _table_rows(report, 'CAM')[0] == [
        'CAM', '51.23', '63.46', 'genus (60.50)', '60.20']
    assert _table_rows(report, 'HaS')[0][2] == '-'


def test_missing_levels_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="results\\['levels'\\]"):
        write_granularity_report({'fixed_granularity': {}}, str(tmp_path))
