"""Cost of one distillation step against the work it must do.

For each teacher→student pair and every method, prints images/s of a full
training step (forward, losses, backward, SGD) and the ratio

    distill step / (student train step + teacher forward)

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

#: method -> distill_losses (CIFAR-100 settings of METHODS.md).
METHODS = {
    'KD': dict(loss_kd=dict(type='KDLoss', temperature=4.0,
                            loss_weight=0.9)),
    'KD+LS': dict(loss_kd=dict(type='KDLoss', temperature=2.0,
                               loss_weight=9.0, standardize=True)),
    'DKD': dict(loss_dkd=dict(type='DKDLoss', temperature=4.0, alpha=1.0,
                              beta=8.0, warmup_epochs=20)),
    'CKD': dict(loss_ckd=dict(type='CKDLoss', temperature=1.0,
                              loss_weight=100.0)),
    'AEKT': dict(loss_aekt=dict(type='AEKTLoss', temperature=4.0, alpha=1.0,
                                beta=8.0, warmup_epochs=20)),
    'CRLD': dict(loss_crld=dict(type='CRLDLoss', temperature=4.0,
                                weak_threshold=0.9, strong_threshold=0.2,
                                within_view_weight=2.0,
                                cross_view_weight=0.5)),
    'MLKD': dict(loss_mlkd=dict(type='MLKDLoss', loss_weight=0.9)),
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--pairs', nargs='+',
                        default=['resnet32x4:resnet8x4', 'wrn_40_2:wrn_16_2'])
    parser.add_argument('--methods', nargs='+', default=list(METHODS))
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
        channels_last=args.channels_last,
        distill_head=dict(type='TaskSerialization', num_classes=100)
        if any(cfg['type'] == 'AEKTLoss' for cfg in losses.values())
        else None)).train()
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


def main():
    args = parse_args()
    init_default_scope('mmlogitkd')
    torch.manual_seed(0)
    results = []
    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads, '
          f'batch {args.batch_size}, median of {args.iters} iterations\n')
    print('| pair | method | img/s | ratio to its work | vs MMRazor KD |')
    print('|---|---|---|---|---|')
    for pair in args.pairs:
        teacher_name, student_name = pair.split(':')
        student_s, teacher_s = reference_times(teacher_name, student_name,
                                               args)
        razor_s = mmrazor_kd_time(teacher_name, student_name, args)
        print(f'| {pair} | (student step alone) | '
              f'{args.batch_size / student_s:.0f} | | |')
        print(f'| {pair} | (teacher forward alone) | '
              f'{args.batch_size / teacher_s:.0f} | | |')
        print(f'| {pair} | MMRazor SingleTeacherDistill KD | '
              f'{args.batch_size / razor_s:.0f} | '
              f'{razor_s / (student_s + teacher_s):.3f} | 1.000 |')
        results.append(dict(pair=pair, method='mmrazor-kd', seconds=razor_s,
                            student_step=student_s,
                            teacher_forward=teacher_s))
        for method in args.methods:
            views, seconds = distill_time(teacher_name, student_name,
                                          METHODS[method], args)
            work = views * (student_s + teacher_s)
            print(f'| {pair} | {method} | {args.batch_size / seconds:.0f} | '
                  f'{seconds / work:.3f} | {seconds / razor_s:.3f} |',
                  flush=True)
            results.append(dict(pair=pair, method=method, views=views,
                                seconds=seconds, ratio=seconds / work,
                                vs_mmrazor=seconds / razor_s))
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(results, f, indent=2)


if __name__ == '__main__':
    main()
