"""Smoke test of tools/analysis/benchmark_losses.py at a tiny size: every
declared method (mmlogitkd.methods) runs with its CIFAR-100 settings, and
ours, the plain-formula baseline and MMRazor agree on the loss value (so the
timings compare the same quantity)."""
import importlib.util
import json
import sys
from pathlib import Path


SCRIPT = Path(__file__).resolve().parents[3] / 'tools' / 'analysis' / \
    'benchmark_losses.py'


def load_script():
    spec = importlib.util.spec_from_file_location('benchmark_losses', SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_script_runs_and_values_agree(tmp_path, monkeypatch, capsys):
    script = load_script()
    out = tmp_path / 'bench.json'
    monkeypatch.setattr(sys, 'argv', [
        'benchmark_losses.py', '--sizes', '8x10', '--warmup', '1', '--repeats',
        '2', '--out',
        str(out)
    ])
    script.main()
    table = capsys.readouterr().out
    results = json.loads(out.read_text())['results']
    from mmlogitkd.methods import METHODS
    names = [result['loss'] for result in results]
    assert names == [method.name for method in METHODS]
    assert {'ours', 'baseline', 'mmrazor'} <= set(results[0]['median_ms'])
    # every declared method has a plain-formula baseline to be timed against
    assert all('baseline' in result['median_ms'] for result in results)
    for result in results:
        assert script.value_difference(result) < 1e-5, result
        assert f"| {result['loss']} | 8 x 10 |" in table
