"""Forward+backward time of every mmlogitkd loss against plain baselines.

For each loss and each (B, C) it times, interleaved repeat by repeat (so
that load changes on a shared machine hit all columns alike):

* **ours**: the registered mmlogitkd module;
* **baseline**: a straightforward implementation of the published formula,
  written plainly below (the formulas of docs/methods/: one
  ``kl_div``/``log_softmax`` per term, ``softmax`` then ``log`` for DKD's
  binary masses, the -1000 offset for the non-target softmax, C x C class
  Gram matrices for MLKD);
* **MMRazor**: ``KLDivergence`` (next to KD) and ``DKDLoss`` with
  ``reduction='batchmean'`` (next to DKD), where MMRazor has the method.

It prints a Markdown table of median milliseconds and ratios, and writes the
raw numbers as JSON with ``--out``. No assertion is made on time.

Example::

    python tools/analysis/benchmark_losses.py --out work_dirs/loss_bench.json
"""
import argparse
import json
import platform
import statistics
import time
import warnings
from typing import Callable, Dict, List, Optional, Sequence

import torch
import torch.nn.functional as F

import mmlogitkd  # noqa: F401  (first: makes MMRazor importable)

TEMPS = (4.0, 3.0, 5.0, 2.0, 6.0)


# ---------------------------------------------------------------------------
# Straightforward baselines of the published formulas
# ---------------------------------------------------------------------------
def base_standardize(z):
    return (z - z.mean(1, keepdim=True)) / (z.std(1, keepdim=True) + 1e-7)


def base_kd(s, t, T, standardize=False):
    if standardize:
        s, t = base_standardize(s), base_standardize(t)
    return T**2 * F.kl_div(
        F.log_softmax(s / T, 1), F.softmax(t / T, 1), reduction='batchmean')


def base_dkd(s, t, y, T, alpha, beta, standardize=False):
    if standardize:
        s, t = base_standardize(s), base_standardize(t)
    gt = F.one_hot(y, s.shape[1]).bool()
    ps, pt = F.softmax(s / T, 1), F.softmax(t / T, 1)
    bs = torch.stack([(ps * gt).sum(1), (ps * ~gt).sum(1)], 1)
    bt = torch.stack([(pt * gt).sum(1), (pt * ~gt).sum(1)], 1)
    tckd = F.kl_div(bs.log(), bt, reduction='sum') * T**2 / s.shape[0]
    log_qs = F.log_softmax(s / T - 1000.0 * gt, 1)
    qt = F.softmax(t / T - 1000.0 * gt, 1)
    nckd = F.kl_div(log_qs, qt, reduction='sum') * T**2 / s.shape[0]
    return alpha * tckd + beta * nckd


def base_mlkd(s_views, t_views, standardize=False, temps=TEMPS):
    (s_w, s_s), (t_w, t_s) = s_views, t_views
    with torch.no_grad():
        pw = F.softmax(t_w, 1)
        conf, mass = pw.amax(1), pw.sum(0)
        m = (conf <= torch.quantile(conf, 0.5)).float().mean()
        n = (mass <= torch.quantile(mass, 0.5)).float().mean()

    def cc(a, b, T):
        pa, pb = F.softmax(a / T, 1), F.softmax(b / T, 1)
        return ((pb.T @ pb - pa.T @ pa)**2).sum() / a.shape[1]

    def bc(a, b, T):
        pa, pb = F.softmax(a / T, 1), F.softmax(b / T, 1)
        return ((pb @ pb.T - pa @ pa.T)**2).sum() / a.shape[0]

    loss = m * sum(base_kd(s_w, t_w, T, standardize) for T in temps)
    loss = loss + sum(base_kd(s_s, t_s, T, standardize) for T in temps[:3])
    loss = loss + sum(base_kd(s_w, t_w, T, standardize) for T in temps[3:])
    loss = loss + n * sum(cc(s_w, t_w, T) for T in temps)
    return loss + m * sum(bc(s_w, t_w, T) for T in temps)


def base_crld(s_views,
              t_views,
              T,
              tau_w,
              tau_s,
              w_wv,
              w_cv,
              standardize=False):
    (s_w, s_s), (t_w, t_s) = s_views, t_views
    m_w = (F.softmax(t_w, 1).amax(1) >= tau_w).float()
    m_s = (F.softmax(t_s, 1).amax(1) >= tau_s).float()
    if standardize:
        s_w, s_s = base_standardize(s_w), base_standardize(s_s)
        t_w, t_s = base_standardize(t_w), base_standardize(t_s)

    def kl(a, b):
        return T**2 * F.kl_div(F.log_softmax(a / T, 1),
                               F.softmax(b / T, 1),
                               reduction='none').sum(1)

    within = (kl(s_w, t_w) + kl(s_s, t_s)) * m_w
    cross = (kl(s_s, t_w) + kl(s_w, t_s)) * m_s
    return w_wv * within.mean() + w_cv * cross.mean()


def base_ckd(s, t, tau):
    sim = F.normalize(t, dim=1) @ F.normalize(s, dim=1).T
    return F.cross_entropy(sim / tau, torch.arange(s.shape[0]))


def base_aekt(u, t, y, T, alpha, beta, max_ratio, eps=1e-8):
    gt = F.one_hot(y, u.shape[1]).bool()
    pu, pt = F.softmax(u / T, 1), F.softmax(t / T, 1)
    bu = torch.stack([pu[gt], pu.masked_fill(gt, 0.0).sum(1)], 1)
    bt = torch.stack([pt[gt], pt.masked_fill(gt, 0.0).sum(1)], 1)
    r = (bt[:, 0] / bu[:, 0].clamp_min(eps)).clamp(0.0, max_ratio).detach()
    explicit = T**2 * (r * (bt * (bt.log() - bu.log())).sum(1)).mean()
    log_qu = F.log_softmax(u / T - 1000.0 * gt, 1)
    log_qt = F.log_softmax(t / T - 1000.0 * gt, 1)
    nckd = T**2 * (log_qt.exp() * (log_qt - log_qu)).sum(1).mean()
    return alpha * explicit + beta * nckd


# ---------------------------------------------------------------------------
# Cases: every declared method (mmlogitkd.methods), its loss built from its
# CIFAR-100 method base, next to the baseline of its loss type
# ---------------------------------------------------------------------------
def _baseline(loss: dict) -> Optional[Callable]:
    """The straightforward formula for a loss config, as a callable of
    (students, teachers, labels) taking per-view lists; None if none."""
    kind, ls = loss['type'], bool(loss.get('standardize', False))
    weight = loss.get('loss_weight', 1.0)
    if kind == 'KDLoss':
        return lambda s, t, y: weight * base_kd(s[0], t[0],
                                                loss['temperature'], ls)
    if kind == 'DKDLoss':
        return lambda s, t, y: weight * base_dkd(
            s[0], t[0], y, loss['temperature'], loss['alpha'],
            loss['beta'], ls)
    if kind == 'MLKDLoss' and loss.get('faithful', True):
        return lambda s, t, y: weight * base_mlkd(
            s, t, ls, tuple(loss['temperatures']))
    if kind == 'CRLDLoss':
        return lambda s, t, y: weight * base_crld(
            s, t, loss['temperature'], loss['weak_threshold'],
            loss['strong_threshold'], loss['within_view_weight'],
            loss['cross_view_weight'], ls)
    if kind == 'CKDLoss':
        return lambda s, t, y: weight * base_ckd(s[0], t[0],
                                                 loss['temperature'])
    if kind == 'AEKTLoss':
        return lambda s, t, y: weight * base_aekt(
            s[0], t[0], y, loss['temperature'], loss['alpha'],
            loss['beta'], loss.get('max_ratio', 4.0))
    return None


def method_loss_config(method) -> dict:
    """The method's loss config of its CIFAR-100 base, without warm-up."""
    loss = method.loss_config('cifar100')
    if 'warmup_epochs' in loss:
        loss['warmup_epochs'] = 0
    return loss


def build_cases(names: Optional[Sequence[str]] = None,
                razor: bool = True) -> List[Dict]:
    """Every case: name, views, ours (module), baseline and optional MMRazor
    callables, each taking (students, teachers, labels)."""
    from mmengine.registry import init_default_scope

    from mmlogitkd.methods import METHODS, get_method
    from mmlogitkd.registry import MODELS
    init_default_scope('mmlogitkd')
    methods = [get_method(n) for n in names] if names else list(METHODS)
    cases = []
    for method in methods:
        loss = method_loss_config(method)
        module = MODELS.build(loss)
        views = method.num_views
        one = views == 1
        case = dict(
            name=method.name,
            views=views,
            ours=(lambda m: (lambda s, t, y: m(s[0], t[0], y)))(module)
            if one else (lambda m: (lambda s, t, y: m(s, t, y)))(module))
        baseline = _baseline(loss)
        if baseline is not None:
            case['baseline'] = baseline
        if razor and loss['type'] in ('KDLoss', 'DKDLoss') and \
                not loss.get('standardize'):
            case['mmrazor'] = _razor(loss)
        cases.append(case)
    return cases


def _razor(loss: dict) -> Callable:
    from mmrazor.models.losses import DKDLoss as RazorDKD
    from mmrazor.models.losses import KLDivergence
    weight = loss.get('loss_weight', 1.0)
    if loss['type'] == 'KDLoss':
        kl_div = KLDivergence(tau=loss['temperature'], loss_weight=weight)
        return lambda s, t, y: kl_div(s[0], t[0])
    razor_dkd = RazorDKD(tau=loss['temperature'], alpha=loss['alpha'],
                         beta=loss['beta'], loss_weight=weight,
                         reduction='batchmean')
    return lambda s, t, y: razor_dkd(s[0], t[0], y)


def time_once(fn: Callable, students: Sequence[torch.Tensor],
              teachers: Sequence[torch.Tensor], labels: torch.Tensor,
              device: torch.device) -> float:
    for student in students:
        student.grad = None
    if device.type == 'cuda':
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    fn(students, teachers, labels).backward()
    if device.type == 'cuda':
        torch.cuda.synchronize(device)
    return (time.perf_counter() - start) * 1e3


def benchmark(case: Dict, batch: int, num_classes: int, device: torch.device,
              warmup: int, repeats: int, seed: int) -> Dict:
    generator = torch.Generator().manual_seed(seed)

    def draw():
        return (torch.randn(batch, num_classes, generator=generator) *
                3).to(device)

    students = [draw().requires_grad_() for _ in range(case['views'])]
    teachers = [draw() for _ in range(case['views'])]
    labels = torch.randint(0, num_classes, (batch, ),
                           generator=generator).to(device)
    columns = [key for key in ('ours', 'baseline', 'mmrazor') if key in case]
    teachers = [t.detach() for t in teachers]
    values = {
        key: float(case[key](students, teachers, labels).detach())
        for key in columns
    }
    times: Dict[str, List[float]] = {key: [] for key in columns}
    for index in range(warmup + repeats):
        for key in columns:
            elapsed = time_once(case[key], students, teachers, labels, device)
            if index >= warmup:
                times[key].append(elapsed)
    return dict(
        loss=case['name'],
        batch=batch,
        num_classes=num_classes,
        device=str(device),
        median_ms={key: statistics.median(times[key])
                   for key in columns},
        values=values)


def ratio(result: Dict, other: str) -> Optional[float]:
    medians = result['median_ms']
    if other not in medians:
        return None
    return medians['ours'] / medians[other]


def value_difference(result: Dict) -> Optional[float]:
    """Largest relative difference of the other columns' loss values from
    ours (all columns compute the same quantity); None without others."""
    values = result['values']
    ours = values['ours']
    others = [abs(value - ours) / max(abs(ours), 1e-12)
              for key, value in values.items() if key != 'ours']
    return max(others) if others else None


def markdown(results: List[Dict]) -> str:
    lines = [
        '| loss | B x C | device | ours (ms) | baseline (ms) | '
        'ours / baseline | MMRazor (ms) | ours / MMRazor | value rel. diff |',
        '|---|---|---|---:|---:|---:|---:|---:|---:|'
    ]
    def cell(value, digits):
        return '' if value is None else f'{value:.{digits}f}'

    for result in results:
        medians = result['median_ms']
        difference = value_difference(result)
        lines.append(
            f"| {result['loss']} | {result['batch']} x "
            f"{result['num_classes']} | {result['device']} | "
            f"{medians['ours']:.3f} | {cell(medians.get('baseline'), 3)} | "
            f"{cell(ratio(result, 'baseline'), 2)} | "
            f"{cell(medians.get('mmrazor'), 3)} | "
            f"{cell(ratio(result, 'mmrazor'), 2)} | "
            f"{'' if difference is None else f'{difference:.1e}'} |")
    return '\n'.join(lines)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sizes',
                        nargs='+',
                        default=['64x100', '256x1000'],
                        help='B x C pairs, e.g. 64x100 256x1000')
    parser.add_argument('--devices',
                        nargs='+',
                        default=None,
                        help='default: cpu, plus cuda when available')
    parser.add_argument('--warmup', type=int, default=5)
    parser.add_argument('--repeats', type=int, default=20)
    parser.add_argument('--threads',
                        type=int,
                        default=None,
                        help='torch.set_num_threads (default: unchanged)')
    parser.add_argument('--methods',
                        nargs='+',
                        default=None,
                        help='method names of mmlogitkd.methods, e.g. KD '
                        'DKD MLKD (default: every declared method)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--out', default=None, help='write JSON here')
    return parser.parse_args()


def main():
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    devices = args.devices or (['cpu', 'cuda']
                               if torch.cuda.is_available() else ['cpu'])
    sizes = [
        tuple(int(v) for v in size.lower().split('x')) for size in args.sizes
    ]
    warnings.filterwarnings('ignore', message='size_average')
    cases = build_cases(args.methods, razor=True)
    results = []
    for device_name in devices:
        device = torch.device(device_name)
        for batch, num_classes in sizes:
            for case in cases:
                results.append(
                    benchmark(case, batch, num_classes, device, args.warmup,
                              args.repeats, args.seed))
                print(
                    f"done {case['name']} {batch}x{num_classes} "
                    f'{device_name}',
                    flush=True)
    table = markdown(results)
    print()
    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads, '
          f'{platform.processor() or platform.machine()}; median of '
          f'{args.repeats} forward+backward after {args.warmup} warm-up')
    print(table)
    if args.out:
        with open(args.out, 'w') as file:
            json.dump(dict(torch=torch.__version__,
                           threads=torch.get_num_threads(),
                           warmup=args.warmup,
                           repeats=args.repeats,
                           results=results),
                      file,
                      indent=2)


if __name__ == '__main__':
    main()
