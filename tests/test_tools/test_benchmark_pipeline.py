"""tools/analysis/benchmark_pipeline.py end to end on a tiny budget.

The timings themselves are not checked (speed targets are read from the
script's output on an idle machine, docs/benchmark.md); what is checked is
that every row runs the real ``tools/train.py`` with the profiling hook, that
the ratios are the ones the table claims, and that the warm-cache rows read
the teacher's logits instead of computing them.
"""
import glob
import json
import os.path as osp
import re

import pytest

from conftest import REPO_ROOT, run_tool

TOOL = osp.join(REPO_ROOT, 'tools', 'analysis', 'benchmark_pipeline.py')


def test_every_row_runs_and_the_warm_cache_skips_the_teacher(tmp_path):
    work_dir = tmp_path / 'pipe'
    out = tmp_path / 'pipeline.json'
    result = run_tool([TOOL, '--iters', '2', '--skip', '0', '--repeats', '1',
                       '--cache', '--work-dir', str(work_dir), '--out',
                       str(out)], cwd=str(tmp_path))
    with open(out) as f:
        measured = json.load(f)
    assert measured['workers'] == 0  # the default, as make bench loads
    rows = {row['run']: row for row in measured['results']}
    assert list(rows) == ['student alone', 'KD', 'CRLD', 'KD, warm cache',
                          'CRLD, warm cache']
    alone = rows['student alone']['total']
    for name, row in rows.items():
        assert row['floor'] > 0 and row['total'] > 0, name
        assert row['ratio'] == pytest.approx(row['total'] / row['floor'])
        assert row['vs_alone'] == pytest.approx(row['total'] / alone)
        # the parts of an iteration are medians of parts of it
        for part in ('data', 'preprocess', 'step', 'hooks'):
            assert 0 <= row[part] <= row['total'] * 1.5, (name, part)
        assert f"| {name} | {1e3 * row['total']:.1f} |" in result.stdout
    # The last run (CRLD on the warm cache) stays in the run folder: every
    # batch came from the cache that the cold runs filled.
    log = open(glob.glob(str(work_dir / 'run' / '*' / '*.log'))[0]).read()
    read = re.search(r'Teacher-logit cache, epoch 1: (\d+) batches read, '
                     r'(\d+) computed by the teacher', log)
    assert read and int(read.group(1)) > 0 and int(read.group(2)) == 0
