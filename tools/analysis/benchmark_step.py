"""Cost of one distillation step against the work it must do.

For each teacher→student pair and every method, prints images/s of a full
training step (forward, losses, backward, SGD) and the ratio

    distill step / (student train step + teacher forward)

The methods and their settings are those of ``mmlogitkd.methods`` and
their CIFAR-100 method bases.

where two-view methods are compared with two student steps + two teacher
forwards. MMRazor's ``SingleTeacherDistill`` + ``ConfigurableDistiller``
doing plain KD on the same models runs side by side in the same process.
All numbers are medians over ``--iters`` iterations after ``--warmup``.

    python tools/analysis/benchmark_step.py [--pairs resnet32x4:resnet8x4 ...]
        [--batch-size 64] [--iters 10] [--warmup 5] [--out results.json]
"""
import argparse
import json
import os.path as osp
import statistics
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
import mmlogitkd  # noqa: E402,F401  (compat first)
import torch  # noqa: E402
from mmengine.config import Config  # noqa: E402
from mmengine.optim import OptimWrapper  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmpretrain.structures import DataSample  # noqa: E402

from mmlogitkd.registry import MODELS  # noqa: E402

MODEL_CFG = 'mmlogitkd::_base_/models/cifar100/{}.py'



def method_losses(name: str) -> dict:
    """``distill_losses`` of a declared method (mmlogitkd.methods): its
    CIFAR-100 method base, warm-up off."""
    from mmlogitkd.methods import get_method
    method = get_method(name)
    loss = method.loss_config('cifar100')
    if 'warmup_epochs' in loss:
        loss['warmup_epochs'] = 0
    return {method.loss_name: loss}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--pairs', nargs='+',
                        default=['resnet32x4:resnet8x4', 'wrn_40_2:wrn_16_2'])
    parser.add_argument('--methods', nargs='+', default=None,
                        help='method names of mmlogitkd.methods (default: '
                        'every declared method)')
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=5)
    parser.add_argument('--channels-last', action='store_true')
    parser.add_argument('--out', help='write the results as JSON')
    return parser.parse_args()


def median_seconds(step, iters, warmup):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(iters):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def make_batch(batch_size, num_views):
    def images():
        return [torch.randint(0, 256, (3, 32, 32), dtype=torch.uint8)
                for _ in range(batch_size)]
    inputs = images() if num_views == 1 else [images()
                                              for _ in range(num_views)]
    samples = [DataSample().set_gt_label(i % 100) for i in range(batch_size)]
    return dict(inputs=inputs, data_samples=samples)


def sgd(model):
    params = [p for p in model.parameters() if p.requires_grad]
    return OptimWrapper(torch.optim.SGD(params, lr=0.01, momentum=0.9))


def classifier(name):
    from mmlogitkd.models.builder import build_classifier
    return build_classifier(dict(cfg_path=MODEL_CFG.format(name)))


def reference_times(teacher_name, student_name, args):
    """Student train step alone and teacher forward alone."""
    student = classifier(student_name).train()
    teacher = classifier(teacher_name).eval()
    preprocessor = MODELS.build(dict(type='MultiViewClsDataPreprocessor',
                                     num_classes=100))
    wrapper = sgd(student)
    data = make_batch(args.batch_size, 1)

    def student_step():
        batch = preprocessor(data, True)
        logits = student(batch['inputs'], mode='tensor')
        labels = torch.cat([s.gt_label for s in batch['data_samples']])
        wrapper.update_params(torch.nn.functional.cross_entropy(
            logits, labels))

    def teacher_forward():
        batch = preprocessor(data, False)
        with torch.no_grad():
            teacher(batch['inputs'], mode='tensor')

    return (median_seconds(student_step, args.iters, args.warmup),
            median_seconds(teacher_forward, args.iters, args.warmup))


def distill_time(teacher_name, student_name, losses, args):
    model = MODELS.build(dict(
        type='LogitDistiller',
        student=dict(cfg_path=MODEL_CFG.format(student_name)),
        teacher=dict(cfg_path=MODEL_CFG.format(teacher_name)),
        ce_weight=1.0, distill_losses=losses,
        channels_last=args.channels_last)).train()
    wrapper = sgd(model)
    data = make_batch(args.batch_size, model.num_views)
    return model.num_views, median_seconds(
        lambda: model.train_step(data, wrapper), args.iters, args.warmup)


def mmrazor_kd_time(teacher_name, student_name, args):
    from mmrazor.registry import MODELS as RAZOR_MODELS

    def model_cfg(name):
        cfg = Config.fromfile(osp.join(
            osp.dirname(mmlogitkd.__file__), '.mim', 'configs', '_base_',
            'models', 'cifar100', f'{name}.py')).model
        cfg['_scope_'] = 'mmlogitkd'
        return cfg.to_dict()

    algorithm = RAZOR_MODELS.build(dict(
        _scope_='mmrazor',
        type='SingleTeacherDistill',
        architecture=model_cfg(student_name),
        teacher=model_cfg(teacher_name),
        data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor',
                               num_classes=100),
        distiller=dict(
            type='ConfigurableDistiller',
            student_recorders=dict(fc=dict(type='ModuleOutputs',
                                           source='head.fc')),
            teacher_recorders=dict(fc=dict(type='ModuleOutputs',
                                           source='head.fc')),
            distill_losses=dict(loss_kl=dict(type='KLDivergence', tau=4,
                                             loss_weight=0.9)),
            loss_forward_mappings=dict(loss_kl=dict(
                preds_S=dict(from_student=True, recorder='fc'),
                preds_T=dict(from_student=False, recorder='fc'))))))
    algorithm.train()  # MMRazor's train() does not return the module
    wrapper = OptimWrapper(torch.optim.SGD(
        algorithm.architecture.parameters(), lr=0.01, momentum=0.9))
    data = make_batch(args.batch_size, 1)
    return median_seconds(lambda: algorithm.train_step(data, wrapper),
                          args.iters, args.warmup)


def markdown(results: list) -> str:
    """The table of a run's ``results`` (also what ``main`` prints)."""
    lines = ['| pair | method | img/s | ratio to its work | vs MMRazor KD |',
             '|---|---|---|---|---|']
    for row in results:
        batch = row['batch_size']
        if row['method'] == 'mmrazor-kd':
            lines += [
                f"| {row['pair']} | (student step alone) | "
                f"{batch / row['student_step']:.0f} | | |",
                f"| {row['pair']} | (teacher forward alone) | "
                f"{batch / row['teacher_forward']:.0f} | | |",
                f"| {row['pair']} | MMRazor SingleTeacherDistill KD | "
                f"{batch / row['seconds']:.0f} | {row['ratio']:.3f} | "
                '1.000 |']
        else:
            lines.append(
                f"| {row['pair']} | {row['method']} | "
                f"{batch / row['seconds']:.0f} | {row['ratio']:.3f} | "
                f"{row['vs_mmrazor']:.3f} |")
    return '\n'.join(lines)


def main():
    from mmlogitkd.methods import METHODS
    args = parse_args()
    init_default_scope('mmlogitkd')
    torch.manual_seed(0)
    methods = args.methods or [m.name for m in METHODS]
    results = []
    for pair in args.pairs:
        teacher_name, student_name = pair.split(':')
        student_s, teacher_s = reference_times(teacher_name, student_name,
                                               args)
        razor_s = mmrazor_kd_time(teacher_name, student_name, args)
        results.append(dict(pair=pair, method='mmrazor-kd', seconds=razor_s,
                            student_step=student_s,
                            teacher_forward=teacher_s,
                            ratio=razor_s / (student_s + teacher_s),
                            batch_size=args.batch_size))
        for method in methods:
            views, seconds = distill_time(teacher_name, student_name,
                                          method_losses(method), args)
            work = views * (student_s + teacher_s)
            results.append(dict(pair=pair, method=method, views=views,
                                seconds=seconds, ratio=seconds / work,
                                vs_mmrazor=seconds / razor_s,
                                batch_size=args.batch_size))
            print(f'done {pair} {method}', flush=True)
    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads, '
          f'batch {args.batch_size}, median of {args.iters} iterations\n')
    print(markdown(results))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(dict(torch=torch.__version__,
                           threads=torch.get_num_threads(),
                           batch_size=args.batch_size, iters=args.iters,
                           warmup=args.warmup, results=results), f, indent=2)


if __name__ == '__main__':
    main()
