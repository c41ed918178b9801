"""Markdown report and figures of a label-granularity study (Cole et al.,
ECCV 2022: Table 2, Figs. 3-5).

``write_granularity_report(results, out_dir)`` reads the study's results
dict (the runner's ``results.json``) and writes ``out_dir/report.md`` with
the figures as relative PNG links; beside each PNG its numbers as ``.json``
(a list of records) and ``.csv`` (the same records). Every section is
optional: one without data says "Not in this study." Figures are drawn on
``matplotlib.figure.Figure`` with the Agg canvas (no display, no pyplot
state).
"""
import csv
import json
import math
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

NOT_IN_STUDY = 'Not in this study.'
FIG3_LOCALIZATION = 'fig3_localization'
FIG3_CLASSIFICATION = 'fig3_classification'
FIG4_DATA_EFFICIENCY = 'fig4_data_efficiency'
FIG5_MAP_STATISTICS = 'fig5_map_statistics'


def _fmt(value) -> str:
    """A number with 2 decimals, '-' for a missing one."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return '-'
    return f'{float(value):.2f}'


def _nan(value) -> float:
    return float('nan') if value is None else float(value)


def _markdown_table(header: Sequence[str], rows: List[Sequence[str]]) -> str:
    lines = ['| ' + ' | '.join(header) + ' |',
             '|' + '|'.join('---' for _ in header) + '|']
    lines += ['| ' + ' | '.join(str(c) for c in row) + ' |' for row in rows]
    return '\n'.join(lines)


def _save_figure(fig: Figure, out_dir: str, name: str,
                 records: List[dict]) -> str:
    """Write ``name.png``, ``name.json`` and ``name.csv``; return the PNG's
    markdown link."""
    FigureCanvasAgg(fig)
    fig.tight_layout()
    fig.savefig(osp.join(out_dir, f'{name}.png'), dpi=100)
    with open(osp.join(out_dir, f'{name}.json'), 'w', encoding='utf-8') as f:
        json.dump(records, f, indent=2)
    columns: List[str] = []
    for record in records:
        columns += [k for k in record if k not in columns]
    with open(osp.join(out_dir, f'{name}.csv'), 'w', newline='',
              encoding='utf-8') as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        for record in records:
            writer.writerow({
                k: ' '.join(str(v) for v in value) if isinstance(
                    value, (list, tuple)) else ('' if value is None else value)
                for k, value in record.items()
            })
    return f'![{name}]({name}.png)\n\n' \
           f'Numbers: [{name}.json]({name}.json), [{name}.csv]({name}.csv)'


class _Study:
    """Accessors of the results dict; every section may be missing."""

    def __init__(self, results: dict) -> None:
        if not isinstance(results, dict):
            raise TypeError(f'results must be a dict, got {type(results)}')
        levels = results.get('levels')
        if not levels or not isinstance(levels, (list, tuple)):
            raise ValueError("results['levels'] must be the non-empty list of "
                             f'trained levels, fine to coarse; got {levels!r}')
        self.results = results
        self.levels = list(levels)
        self.leaf = self.levels[0]
        self.num_classes: Dict[str, int] = results.get('num_classes') or {}
        self.fixed: Dict[str, dict] = results.get('fixed_granularity') or {}

    def label(self, level: str) -> str:
        count = self.num_classes.get(level)
        return level if count is None else f'{level} ({count})'

    def fixed_value(self, method: str, level: str, key: str):
        return (self.fixed.get(method, {}).get(level) or {}).get(key)

    def best_level(self, method: str) -> Optional[str]:
        scored = [(self.fixed_value(method, lv, 'max_box_acc_v2'), lv)
                  for lv in self.levels]
        scored = [(v, lv) for v, lv in scored if v is not None]
        return max(scored, key=lambda s: s[0])[1] if scored else None


def _paper_value(paper: dict, method: str):
    value = paper.get(method)
    if isinstance(value, dict):
        value = value.get('max_box_acc_v2')
    return value


def _table2(study: _Study) -> str:
    baselines = study.results.get('baselines') or {}
    if not study.fixed and not baselines:
        return NOT_IN_STUDY
    paper = study.results.get('paper_table2') or {}
    entries = [(m, {
        'max_box_acc_v2': study.fixed_value(m, study.leaf, 'max_box_acc_v2'),
        'pxap': study.fixed_value(m, study.leaf, 'pxap')
    }, study.best_level(m)) for m in study.fixed]
    entries += [(m, values or {}, None) for m, values in baselines.items()]
    with_pxap = any(v.get('pxap') is not None for _, v, _ in entries)
    header = ['Method', f'MaxBoxAccV2 ({study.leaf})']
    header += ['PxAP'] if with_pxap else []
    header += ['Best level (MaxBoxAccV2 there)']
    header += ['Paper MaxBoxAccV2'] if paper else []
    rows = []
    for method, values, best in entries:
        row = [method, _fmt(values.get('max_box_acc_v2'))]
        row += [_fmt(values.get('pxap'))] if with_pxap else []
        best_value = None if best is None else study.fixed_value(
            method, best, 'max_box_acc_v2')
        row += ['-' if best is None else f'{best} ({_fmt(best_value)})']
        row += [_fmt(_paper_value(paper, method))] if paper else []
        rows.append(row)
    return (f'Methods trained at the finest level ({study.leaf}); baselines '
            'need no training labels of a level.\n\n' +
            _markdown_table(header, rows))


def _per_level_figure(study: _Study, out_dir: str, name: str, key: str,
                      ylabel: str, with_cam_agg: bool) -> str:
    series = {m: [study.fixed_value(m, lv, key) for lv in study.levels]
              for m in study.fixed}
    cam_agg = study.results.get('cam_agg') or {}
    if with_cam_agg and cam_agg:
        # Aggregating the species-trained CAM at the leaf level is the CAM
        # itself.
        series['CAM-Agg'] = [
            study.fixed_value('CAM', lv, key) if lv == study.leaf else
            (cam_agg.get(lv) or {}).get(key) for lv in study.levels
        ]
    fig = Figure(figsize=(6, 4))
    ax = fig.add_subplot()
    positions = list(range(len(study.levels)))
    for method, values in series.items():
        ax.plot(positions, [_nan(v) for v in values], marker='o',
                linestyle='--' if method == 'CAM-Agg' else '-', label=method)
    ax.set_xticks(positions, [study.label(lv) for lv in study.levels])
    ax.set_xlabel('training level' + (' (CAM-Agg: aggregation level)'
                                      if 'CAM-Agg' in series else ''))
    ax.set_ylabel(ylabel)
    ax.legend()
    records = [dict({'level': lv, 'num_classes': study.num_classes.get(lv)},
                    **{m: values[i] for m, values in series.items()})
               for i, lv in enumerate(study.levels)]
    return _save_figure(fig, out_dir, name, records)


def _fig3(study: _Study, out_dir: str) -> str:
    if not study.fixed:
        return NOT_IN_STUDY
    left = _per_level_figure(study, out_dir, FIG3_LOCALIZATION,
                             'max_box_acc_v2', 'MaxBoxAccV2 (test)', True)
    right = _per_level_figure(study, out_dir, FIG3_CLASSIFICATION,
                              'top1_cls', 'top-1 classification (test)', False)
    return ('Left: MaxBoxAccV2 per training level (CAM-Agg: the '
            f'{study.leaf}-trained CAM aggregated at each level).\n\n' + left +
            '\n\nRight: top-1 classification accuracy at the training level.'
            '\n\n' + right)


def _fig4(study: _Study, out_dir: str) -> str:
    efficiency = study.results.get('data_efficiency') or {}
    levels = efficiency.get('levels') or {}
    if not levels:
        return NOT_IN_STUDY
    reference = study.results.get('species_reference')
    full_images = efficiency.get('num_train_images')
    fig = Figure(figsize=(6, 4))
    ax = fig.add_subplot()
    records, colors = [], {}
    largest = 0
    for level, data in levels.items():
        count = study.num_classes.get(level)
        if count is None:
            raise ValueError(f"results['num_classes'] has no entry for "
                             f"data_efficiency level {level!r}")
        subsets = sorted((data.get('subsets') or {}).items(),
                         key=lambda item: int(item[0]))
        xs, means, stds = [], [], []
        for num_per_class, subset in subsets:
            xs.append(int(num_per_class) * count)
            means.append(_nan(subset.get('mean')))
            stds.append(_nan(subset.get('std')))
            records.append(dict(level=level, num_per_class=int(num_per_class),
                                num_images=xs[-1], mean=subset.get('mean'),
                                std=subset.get('std'),
                                values=subset.get('values'),
                                seeds=subset.get('seeds')))
        largest = max([largest] + xs)
        line = ax.errorbar(xs, means, yerr=[0 if math.isnan(s) else s
                                            for s in stds],
                           marker='s', capsize=3, label=study.label(level))
        records.append(dict(level=level, num_per_class='all',
                            num_images=full_images, mean=data.get('full'),
                            std=None, values=None, seeds=None))
        colors[level] = line.lines[0].get_color()
    # Full data: circles on the right (at the training set size when known).
    full_x = full_images if full_images else max(largest, 1) * 1.5
    for level, data in levels.items():
        ax.plot([full_x], [_nan(data.get('full'))], marker='o',
                linestyle='none', color=colors[level])
    if reference is not None:
        ax.axhline(reference, color='gray', linestyle='--',
                   label=f'{study.leaf}, all data')
    if not full_images:
        ticks = [t for t in ax.get_xticks() if 0 <= t < largest * 1.25]
        ax.set_xticks(ticks + [full_x],
                      [f'{t:g}' for t in ticks] + ['all'])
    ax.set_xlabel('training images')
    ax.set_ylabel('MaxBoxAccV2 (test)')
    ax.legend()
    link = _save_figure(fig, out_dir, FIG4_DATA_EFFICIENCY, records)
    method = efficiency.get('method', 'CAM')
    return (f'{method}: MaxBoxAccV2 against the number of training images '
            '(images per class x classes of the level); squares: subsets '
            '(error bars: std over seeds), circles: all training data, '
            f'dashed: {study.leaf}-level {method} on all data '
            f'({_fmt(reference)}).\n\n' + link)


def _fig5(study: _Study, out_dir: str) -> str:
    statistics = study.results.get('map_statistics') or {}
    per_level = statistics.get('levels') or {}
    if not per_level:
        return NOT_IN_STUDY
    levels = [lv for lv in study.levels if lv in per_level]
    levels += [lv for lv in per_level if lv not in levels]
    rows = [per_level[lv] for lv in levels]
    fig = Figure(figsize=(10, 4))
    left, right = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    positions = list(range(len(levels)))
    labels = [study.label(lv) for lv in levels]
    left.plot(positions, [_nan(r.get('box_area_ratio_median')) for r in rows],
              color='black', marker='o')
    left.set_ylabel('median area(predicted box) / area(GT box)',
                    color='black')
    twin = left.twinx()
    twin.plot(positions, [_nan(r.get('in_out_ratio_median')) for r in rows],
              color='red', marker='o')
    twin.set_ylabel('median activation inside / outside GT box', color='red')
    left.set_xticks(positions, labels)
    right.boxplot([r.get('components') or [] for r in rows],
                  positions=positions)
    right.set_xticks(positions, labels)
    right.set_ylabel('connected components')
    records = [dict(level=lv, threshold=r.get('threshold'),
                    box_area_ratio_median=r.get('box_area_ratio_median'),
                    in_out_ratio_median=r.get('in_out_ratio_median'),
                    components=r.get('components'))
               for lv, r in zip(levels, rows)]
    link = _save_figure(fig, out_dir, FIG5_MAP_STATISTICS, records)
    thresholds = ', '.join(f"{lv} {_fmt(r.get('threshold'))}"
                           for lv, r in zip(levels, rows))
    method = statistics.get('method', 'CAM')
    split = statistics.get('split', 'train-fullsup')
    return (f'{method} per training level. Maps binarised (8-connected '
            'components, largest-contour box) at the CAM threshold with the '
            f'best multi-contour box accuracy at IoU 50 on {split} '
            f'({thresholds}). Left, black: median predicted/GT box area; '
            'red: median mean activation inside / outside the GT boxes. '
            'Right: connected components of the binarised maps.\n\n' + link)


def _runs(study: _Study) -> str:
    runs = study.results.get('runs') or []
    if not runs:
        return NOT_IN_STUDY
    rows = [[r.get('name', '-'), r.get('method', '-'), r.get('level', '-'),
             '-' if r.get('lr') is None else r['lr'],
             'all' if r.get('num_per_class') is None else r['num_per_class'],
             r.get('seed', '-'),
             _fmt((r.get('val') or {}).get('max_box_acc_v2')),
             _fmt((r.get('test') or {}).get('max_box_acc_v2')),
             'yes' if r.get('selected') else '']
            for r in runs]
    return _markdown_table(['Run', 'Method', 'Level', 'lr', 'Images/class',
                            'Seed', 'Val MaxBoxAccV2', 'Test MaxBoxAccV2',
                            'Selected'], rows)


def write_granularity_report(results: dict, out_dir: str) -> str:
    """Write ``out_dir/report.md``, its PNGs and their numbers; return the
    report's path.

    Files: ``fig3_localization``, ``fig3_classification``,
    ``fig4_data_efficiency``, ``fig5_map_statistics`` (each ``.png``,
    ``.json``, ``.csv``; only those with data). Fig. 4 puts its full-data
    circles at ``data_efficiency['num_train_images']`` when given, else at
    an x tick 'all' right of the largest subset. Fig. 5's text names
    ``map_statistics['split']`` (default 'train-fullsup').
    """
    study = _Study(results)
    os.makedirs(out_dir, exist_ok=True)
    header = [f"# Label granularity study: {results.get('study', '')}", '']
    header.append(f"Dataset: {results.get('dataset', '-')}. Training levels "
                  '(fine to coarse, classes): ' +
                  ', '.join(study.label(lv) for lv in study.levels) + '.')
    if results.get('lrs'):
        header.append('Learning rates: ' +
                      ', '.join(f'{lr:g}' for lr in results['lrs']) + '.')
    if results.get('selection'):
        header.append(f"Selection: {results['selection']}.")
    sections = [
        ('Table 2: methods at the finest level and baselines', _table2(study)),
        ('Fig. 3: localization and classification per training level',
         _fig3(study, out_dir)),
        ('Fig. 4: data efficiency', _fig4(study, out_dir)),
        ('Fig. 5: CAM map statistics', _fig5(study, out_dir)),
        ('Runs', _runs(study)),
    ]
    text = '\n'.join(header) + '\n\n' + '\n\n'.join(
        f'## {title}\n\n{body}' for title, body in sections) + '\n'
    path = osp.join(out_dir, 'report.md')
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text)
    return path
