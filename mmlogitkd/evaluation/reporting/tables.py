"""Rendering aggregated results as Markdown and CSV tables."""
import csv
from typing import Optional, Sequence, Tuple

from .aggregate import GroupSummary, stat_of
from .runs import RunResult

def _hours(seconds: Optional[float]) -> str:
    if seconds is None:
        return '–'
    seconds = int(round(seconds))
    return f'{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}'


def _teacher_text(group: GroupSummary) -> Tuple[str, str]:
    top1 = stat_of(group.runs, 'teacher_top1')
    sha = group.first.teacher_sha256
    # one teacher for all seeds: its number once, not "± 0.00"
    text = f'{top1.mean:.2f}' if top1.n and len(set(top1.values)) == 1 \
        else top1.format()
    return text, (sha[:12] if sha else '–')


#: Columns of the Markdown table and the CSV file.
MARKDOWN_HEADER = ('dataset', 'pair', 'method', 'config', 'schedule',
                   'batch × GPUs', 'seeds', 'top-1 last', 'top-1 best',
                   'ECE last (%)', 'ECE after TS (%)', 'T',
                   'teacher top-1', 'teacher sha256', 'wall time')
CSV_HEADER = ('dataset', 'pair', 'method', 'config', 'config_id',
              'schedule', 'batch_size_per_gpu', 'gpus', 'seeds', 'num_runs',
              'num_seeds', 'top1_last_mean', 'top1_last_std',
              'top1_best_mean', 'top1_best_std', 'best_epochs',
              'ece_last_pct_mean', 'ece_last_pct_std',
              'ece_after_ts_pct_mean', 'ece_after_ts_pct_std',
              'temperature_mean', 'teacher_top1', 'teacher_sha256',
              'wall_time_s_mean', 'work_dirs')


def _config_label(group: GroupSummary, groups: Sequence[GroupSummary]) -> str:
    """Config name, with its fingerprint when another group shares it."""
    name = group.first.config_name
    same_name = [g for g in groups if g.first.config_name == name]
    return f'{name} ({group.first.fingerprint})' if len(same_name) > 1 \
        else name


def to_markdown(groups: Sequence[GroupSummary],
                skipped: Sequence[RunResult] = ()) -> str:
    """The results table in Markdown, with a note on the protocol."""
    lines = [
        '| ' + ' | '.join(MARKDOWN_HEADER) + ' |',
        '|' + '|'.join('---' for _ in MARKDOWN_HEADER) + '|',
    ]
    for group in groups:
        run = group.first
        teacher_top1, teacher_sha = _teacher_text(group)
        cells = (run.dataset, run.pair, run.method,
                 _config_label(group, groups), run.schedule, group.batch,
                 group.seeds_text, group.top1_last.format(),
                 group.top1_best.format(), group.ece_last.format(scale=100),
                 group.ece_after_ts.format(scale=100),
                 group.temperature.format(), teacher_top1, teacher_sha,
                 _hours(group.wall_time.mean))
        lines.append('| ' + ' | '.join(str(c) for c in cells) + ' |')
    lines += [
        '',
        'top-1 in %, mean ± sample std over seeds (std needs two or more '
        'seeds). "top-1 last": the last epoch, the number to compare '
        'methods by; "top-1 best": the best epoch of each run (selected on '
        'the evaluation set, optimistic), only for comparison with papers '
        'that report it. ECE: 15-bin expected calibration error at the '
        'last epoch; "ECE after TS": on the same test set after post-hoc '
        'temperature scaling with the temperature T fitted on images held '
        'out of training, or on training images where none were held out '
        '(tools/analysis/temperature_scaling.py; – if the run was '
        'not calibrated). Wall time: mean per run. See docs/reporting.md.',
    ]
    if any(group.has_repeated_seeds for group in groups):
        lines += [
            '',
            'Seeds repeat: "0 (×3)" is three runs with seed 0. Repeats of a '
            'seed are not independent; they are averaged into one value '
            'per seed, and ± is over distinct seeds only.',
        ]
    unfinished = [r for r in skipped if r.trained]
    test_only = [r for r in skipped if not r.trained]
    if unfinished:
        lines += ['', 'Not aggregated (unfinished: last validated epoch < '
                  'schedule):', '']
        lines += [f'- `{r.work_dir}`: epoch {r.last_epoch} of '
                  f'{r.max_epochs}' for r in unfinished]
    if test_only:
        lines += ['', 'Not training runs (no training session, e.g. '
                  'tools/test.py output):', '']
        lines += [f'- `{r.work_dir}`' for r in test_only]
    return '\n'.join(lines) + '\n'


def _number(value: Optional[float], scale: float = 1.0) -> str:
    return '' if value is None else f'{value * scale:.6g}'


def write_csv(groups: Sequence[GroupSummary], path: str) -> str:
    """The results table as CSV (raw numbers, one row per experiment)."""
    with open(path, 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(CSV_HEADER)
        for group in groups:
            run = group.first
            last, best, ece = group.top1_last, group.top1_best, \
                group.ece_last
            writer.writerow([
                run.dataset, run.pair, run.method, run.config_name,
                run.fingerprint, run.schedule,
                '' if run.batch_size is None else run.batch_size,
                '' if run.world_size is None else run.world_size,
                ' '.join('?' if s is None else str(s) for s in group.seeds),
                len(group.runs), len(group.seed_counts),
                _number(last.mean), _number(last.std),
                _number(best.mean), _number(best.std),
                ' '.join(str(r.best_epoch) for r in group.runs),
                _number(ece.mean, 100), _number(ece.std, 100),
                _number(group.ece_after_ts.mean, 100),
                _number(group.ece_after_ts.std, 100),
                _number(group.temperature.mean),
                _number(stat_of(group.runs, 'teacher_top1').mean),
                run.teacher_sha256 or '',
                _number(group.wall_time.mean),
                ' '.join(r.work_dir for r in group.runs),
            ])
    return path
