"""PNG figures for reports: reliability diagrams and training curves.

Used by ``tools/analysis/reliability_diagram.py`` and
``tools/analysis/plot_curves.py`` (and the demo/benchmark reports).
Matplotlib is an optional dependency (``requirements/optional.txt``); it is
imported on first use with the non-interactive Agg backend, so plotting works
on machines without a display.
"""
import os
import os.path as osp
from typing import List, Mapping, Optional, Sequence, Tuple

from .calibration import ReliabilityBins

#: One colour per overlaid series (matplotlib's default cycle, fixed here so
#: that e.g. the student is the same colour in every figure of a report).
_COLOURS = ('tab:blue', 'tab:orange', 'tab:green', 'tab:red', 'tab:purple',
            'tab:brown', 'tab:pink', 'tab:gray', 'tab:olive', 'tab:cyan')


def _pyplot():
    """Import pyplot with the Agg backend, or explain how to get it."""
    try:
        import matplotlib
    except ImportError as error:  # pragma: no cover - depends on the env
        raise ImportError(
            'Plotting needs matplotlib: pip install -r '
            'requirements/optional.txt') from error
    matplotlib.use('Agg', force=True)
    import matplotlib.pyplot as plt
    return plt


def _save(figure, out_file: str) -> str:
    if not out_file.lower().endswith('.png'):
        raise ValueError(f'the output file must be a .png, got "{out_file}".')
    folder = osp.dirname(osp.abspath(out_file))
    os.makedirs(folder, exist_ok=True)
    figure.savefig(out_file, dpi=120, bbox_inches='tight')
    return out_file


def plot_reliability_diagram(bins_by_model: Mapping[str, ReliabilityBins],
                             out_file: str,
                             title: Optional[str] = None) -> str:
    """Draw a reliability diagram of one or several models into a PNG.

    Top: accuracy of each confidence bin as a bar (the model's colour) next
    to the bin's mean confidence (a black tick), with the diagonal of perfect
    calibration; bars under the diagonal are over-confident bins. Bottom: the
    fraction of predictions per bin (the confidence histogram). Several
    models are drawn side by side within each bin. The ECE of every model is
    in the title.

    Args:
        bins_by_model: display name (e.g. ``'student'``, ``'teacher'``) ->
            the model's :class:`ReliabilityBins`; all with the same edges.
        out_file: path of the PNG to write (folders are created).
        title: first line of the title; the ECEs are appended.

    Returns:
        str: ``out_file``.
    """
    if not bins_by_model:
        raise ValueError('plot_reliability_diagram needs at least one model.')
    names = list(bins_by_model)
    edges = next(iter(bins_by_model.values())).edges
    for name, bins in bins_by_model.items():
        if bins.edges.shape != edges.shape or not bool(
                (bins.edges == edges).all()):
            raise ValueError(f'"{name}" was binned differently from '
                             f'"{names[0]}"; use the same num_bins.')
    plt = _pyplot()
    figure, (top, bottom) = plt.subplots(
        2, 1, figsize=(5.5, 6.5), sharex=True,
        gridspec_kw=dict(height_ratios=(3, 1.2), hspace=0.08))
    lefts = edges[:-1].tolist()
    width = float(edges[1] - edges[0])
    slot = width / len(names)
    for index, name in enumerate(names):
        bins = bins_by_model[name]
        colour = _COLOURS[index % len(_COLOURS)]
        filled = bins.count > 0
        x = [left + slot * (index + 0.5) for left in lefts]
        x_filled = [v for v, keep in zip(x, filled.tolist()) if keep]
        top.bar(x_filled, bins.accuracy[filled].tolist(), width=slot * 0.95,
                color=colour, alpha=0.75, edgecolor='black', linewidth=0.4,
                label=f'{name} (ECE {100 * bins.ece:.2f}%)')
        # mean confidence of the bin: where the bar would end if calibrated
        top.scatter(x_filled, bins.confidence[filled].tolist(), marker='_',
                    s=max(20.0, 400.0 * slot), color='black', zorder=3,
                    linewidths=1.2)
        fractions = (bins.count.double() / max(bins.num_samples, 1)).tolist()
        bottom.bar(x, fractions, width=slot * 0.95, color=colour, alpha=0.75,
                   edgecolor='black', linewidth=0.4)
    top.plot([0, 1], [0, 1], linestyle='--', color='gray',
             label='perfect calibration')
    top.scatter([], [], marker='_', color='black',
                label='mean confidence of the bin')
    top.set_xlim(0, 1)
    top.set_ylim(0, 1)
    top.set_ylabel('accuracy')
    top.legend(loc='upper left', fontsize=8)
    top.grid(alpha=0.3)
    bottom.set_xlabel(f'confidence ({len(lefts)} equal-width bins)')
    bottom.set_ylabel('fraction of\npredictions')
    bottom.grid(alpha=0.3)
    eces = ', '.join(f'{name} {100 * bins_by_model[name].ece:.2f}%'
                     for name in names)
    heading = f'{title}\n' if title else ''
    top.set_title(f'{heading}ECE: {eces}', fontsize=10)
    try:
        return _save(figure, out_file)
    finally:
        plt.close(figure)


Series = Sequence[Tuple[float, float]]


def plot_curves(curves: Mapping[str, Mapping[str, Series]],
                keys: Sequence[str],
                out_file: str,
                x_label: Mapping[str, str] = None,
                title: Optional[str] = None) -> str:
    """One subplot per key, one line per run, into a PNG.

    Args:
        curves: run name -> key -> sequence of ``(x, y)`` points. A run that
            lacks a key is simply absent from that subplot.
        keys: the keys to plot, in subplot order.
        out_file: path of the PNG to write.
        x_label: key -> label of its x axis (e.g. ``'epoch'``); ``'epoch'``
            when absent.
        title: title of the whole figure.

    Returns:
        str: ``out_file``.
    """
    if not keys:
        raise ValueError('plot_curves needs at least one key to plot.')
    present = [key for key in keys
               if any(run.get(key) for run in curves.values())]
    missing = [key for key in keys if key not in present]
    if not present:
        raise ValueError(f'none of the keys {list(keys)} was found in the '
                         'logs of these runs.')
    x_label = dict(x_label or {})
    plt = _pyplot()
    columns = min(3, len(present))
    rows = -(-len(present) // columns)
    figure, axes = plt.subplots(
        rows, columns, figsize=(4.2 * columns, 3.0 * rows), squeeze=False)
    flat_axes: List = [ax for row in axes for ax in row]
    for ax, key in zip(flat_axes, present):
        for index, (run, series) in enumerate(curves.items()):
            points = series.get(key)
            if not points:
                continue
            xs, ys = zip(*points)
            # the learning rate is piecewise constant between logged points
            ax.plot(xs, ys, color=_COLOURS[index % len(_COLOURS)],
                    label=run, linewidth=1.2,
                    drawstyle='steps-post' if key == 'lr' else 'default',
                    marker='o' if len(points) < 30 else None, markersize=3)
        ax.set_title(key, fontsize=10)
        ax.set_xlabel(x_label.get(key, 'epoch'))
        ax.grid(alpha=0.3)
        if key == 'lr':
            ax.ticklabel_format(axis='y', style='sci', scilimits=(-2, 2))
    for ax in flat_axes[len(present):]:
        ax.set_visible(False)
    handles, labels = flat_axes[0].get_legend_handles_labels()
    for ax in flat_axes[1:len(present)]:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    figure.legend(handles, labels, loc='lower center',
                  ncol=min(4, len(labels)), fontsize=8,
                  bbox_to_anchor=(0.5, 1.0 if not title else 0.97))
    heading = title or ''
    if missing:
        heading += ('\n' if heading else '') + \
            f'not in any log: {", ".join(missing)}'
    if heading:
        figure.suptitle(heading, fontsize=10, y=1.06)
    figure.tight_layout()
    try:
        return _save(figure, out_file)
    finally:
        plt.close(figure)
