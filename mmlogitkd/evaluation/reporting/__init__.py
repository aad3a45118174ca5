"""Reporting results: reading work directories (:mod:`.workdir`), one run's
result (:mod:`.runs`), aggregation over seeds (:mod:`.aggregate`) and
Markdown/CSV tables (:mod:`.tables`). The protocol is described in
``docs/reporting.md``: last epoch, mean ± sample standard deviation over at
least three seeds; the best epoch only to compare with papers that report
it.

Examples:
    >>> from mmlogitkd.evaluation.reporting import (discover_work_dirs,
    ...     read_run, summarize_runs, to_markdown)
    >>> runs = [read_run(d) for d in discover_work_dirs(['work_dirs'])]
    >>> print(to_markdown(summarize_runs(runs)))  # doctest: +SKIP
"""
from .aggregate import GroupSummary, Stat, group_key, stat_of, summarize_runs
from .runs import (RunResult, config_fingerprint, describe_backbone,
                   describe_dataset, describe_method, read_run)
from .tables import CSV_HEADER, MARKDOWN_HEADER, to_markdown, write_csv
from .workdir import (ECE_KEY, TEACHER_EVAL_FILE, TEACHER_PREFIX, TOP1_KEY,
                      RunHistory, Session, default_curve_keys,
                      discover_work_dirs, find_config, find_sessions,
                      is_work_dir, load_history, parse_log, read_scalars,
                      read_teacher_eval, training_curves)

__all__ = [
    'GroupSummary', 'Stat', 'group_key', 'stat_of', 'summarize_runs',
    'RunResult', 'config_fingerprint', 'describe_backbone',
    'describe_dataset', 'describe_method', 'read_run', 'CSV_HEADER',
    'MARKDOWN_HEADER', 'to_markdown', 'write_csv', 'ECE_KEY',
    'TEACHER_EVAL_FILE', 'TEACHER_PREFIX', 'TOP1_KEY', 'RunHistory',
    'Session', 'default_curve_keys', 'discover_work_dirs', 'find_config',
    'find_sessions', 'is_work_dir', 'load_history', 'parse_log',
    'read_scalars', 'read_teacher_eval', 'training_curves'
]
