"""Aggregation of runs over seeds: mean ± sample standard deviation of
the last epoch (``docs/reporting.md``)."""
import warnings
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


def stat_of(runs: Sequence[RunResult], name: str) -> Stat:
    return Stat([getattr(r, name) for r in runs
                 if getattr(r, name) is not None])


@dataclass
class GroupSummary:
    """Runs of one experiment that differ only in their seed."""
    runs: List[RunResult]

    @property
    def first(self) -> RunResult:
        return self.runs[0]

    @property
    def seeds(self) -> List[Optional[int]]:
        return [r.seed for r in self.runs]

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
        out as unfinished.
    """
    groups: Dict[tuple, List[RunResult]] = {}
    skipped = []
    for run in runs:
        if not run.finished and not include_unfinished:
            skipped.append(run)
            continue
        groups.setdefault(group_key(run), []).append(run)
    summaries = [GroupSummary(sorted(members, key=lambda r: (
        r.seed is None, r.seed if r.seed is not None else 0, r.work_dir)))
                 for members in groups.values()]
    summaries.sort(key=lambda g: (g.first.dataset, g.first.pair,
                                  g.first.method != 'baseline',
                                  g.first.method, g.first.config_name))
    for summary in summaries:
        seeds = [s for s in summary.seeds if s is not None]
        if len(set(seeds)) != len(seeds):
            warnings.warn(
                f'{summary.first.config_name}: several runs share a seed '
                f'({seeds}); they are aggregated but are not independent.')
    return summaries, skipped

