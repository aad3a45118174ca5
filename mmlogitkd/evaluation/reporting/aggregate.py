"""Aggregation of runs over seeds: mean ± sample standard deviation of
the last epoch (``docs/reporting.md``).

Runs that share a seed are repeats of one seed, not independent samples:
their values are first averaged into one value per seed, and the mean ±
std is taken over the distinct seeds (three runs of seed 0 give one value,
without ±). Runs whose seed is unknown count as distinct seeds.
"""
from collections import OrderedDict
from dataclasses import dataclass
from statistics import mean, stdev
from typing import Dict, List, Optional, Sequence, Tuple

from .runs import RunResult

@dataclass
class Stat:
    """Mean and sample standard deviation (n - 1) of the available values."""
    values: List[float]

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def mean(self) -> Optional[float]:
        return mean(self.values) if self.values else None

    @property
    def std(self) -> Optional[float]:
        return stdev(self.values) if len(self.values) > 1 else None

    def format(self, scale: float = 1.0, digits: int = 2) -> str:
        if not self.values:
            return '–'
        text = f'{self.mean * scale:.{digits}f}'
        if self.std is not None:
            text += f' ± {self.std * scale:.{digits}f}'
        return text


def _by_seed(runs: Sequence[RunResult]) -> List[List[RunResult]]:
    """The runs grouped by seed, in order (unknown seeds stay alone)."""
    groups: Dict[object, List[RunResult]] = OrderedDict()
    for index, run in enumerate(runs):
        key = run.seed if run.seed is not None else ('unknown', index)
        groups.setdefault(key, []).append(run)
    return list(groups.values())


def stat_of(runs: Sequence[RunResult], name: str) -> Stat:
    """``name`` over the distinct seeds of ``runs`` (repeats of a seed
    averaged first; runs without the value left out)."""
    values = []
    for same_seed in _by_seed(runs):
        known = [getattr(r, name) for r in same_seed
                 if getattr(r, name) is not None]
        if known:
            values.append(mean(known))
    return Stat(values)


@dataclass
class GroupSummary:
    """Runs of one experiment that differ only in their seed."""
    runs: List[RunResult]

    @property
    def first(self) -> RunResult:
        return self.runs[0]

    @property
    def seeds(self) -> List[Optional[int]]:
        """The seed of every run (repeats included)."""
        return [r.seed for r in self.runs]

    @property
    def seed_counts(self) -> List[Tuple[Optional[int], int]]:
        """``(seed, number of runs)`` per distinct seed."""
        return [(same[0].seed, len(same)) for same in _by_seed(self.runs)]

    @property
    def has_repeated_seeds(self) -> bool:
        return any(count > 1 for _, count in self.seed_counts)

    @property
    def seeds_text(self) -> str:
        """``0, 1, 2``, or ``0 (×3)`` for repeats of a seed."""
        return ', '.join(('?' if seed is None else str(seed)) +
                         (f' (×{count})' if count > 1 else '')
                         for seed, count in self.seed_counts)

    @property
    def top1_last(self) -> Stat:
        return stat_of(self.runs, 'top1_last')

    @property
    def top1_best(self) -> Stat:
        return stat_of(self.runs, 'top1_best')

    @property
    def ece_last(self) -> Stat:
        return stat_of(self.runs, 'ece_last')

    @property
    def ece_after_ts(self) -> Stat:
        """Test ECE after temperature scaling (runs calibrated with
        ``tools/analysis/temperature_scaling.py``)."""
        return stat_of(self.runs, 'ece_after_ts')

    @property
    def temperature(self) -> Stat:
        return stat_of(self.runs, 'temperature')

    @property
    def wall_time(self) -> Stat:
        return stat_of(self.runs, 'wall_time')

    @property
    def batch(self) -> str:
        batch = self.first.batch_size
        gpus = self.first.world_size
        return f'{batch if batch is not None else "?"} × ' \
            f'{gpus if gpus is not None else "?"}'


def group_key(run: RunResult) -> tuple:
    """Runs with equal keys are seeds of one experiment."""
    return (run.method, run.pair, run.dataset, run.schedule, run.batch_size,
            run.world_size, run.teacher_sha256, run.fingerprint)


def summarize_runs(runs: Sequence[RunResult],
                   include_unfinished: bool = False
                   ) -> Tuple[List[GroupSummary], List[RunResult]]:
    """Group runs into experiments.

    Args:
        runs: the runs to summarise.
        include_unfinished: also aggregate runs whose last validation is
            before the end of their schedule (their "last epoch" is not the
            last epoch of the recipe).

    Returns:
        tuple: the groups (sorted by dataset, pair, method) and the runs left
        out: unfinished ones and folders without a training session
        (``tools/test.py`` output; ``run.trained`` is False).
    """
    groups: Dict[tuple, List[RunResult]] = {}
    skipped = []
    for run in runs:
        if not run.trained or (not run.finished and not include_unfinished):
            skipped.append(run)  # test-only folders are never aggregated
            continue
        groups.setdefault(group_key(run), []).append(run)
    summaries = [GroupSummary(sorted(members, key=lambda r: (
        r.seed is None, r.seed if r.seed is not None else 0, r.work_dir)))
                 for members in groups.values()]
    summaries.sort(key=lambda g: (g.first.dataset, g.first.pair,
                                  g.first.method != 'baseline',
                                  g.first.method, g.first.config_name))
    return summaries, skipped

