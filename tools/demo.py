"""`make demo`: distillation on the embedded dataset, end to end on a CPU.

1. generate the embedded CIFAR-100-format dataset (no download);
2. train a resnet20 teacher, then the resnet8 student alone;
3. distil the resnet8 student from the teacher with KD, KD+LS and CRLD;
4. print a table: top-1, top-5 and ECE of every run (last epoch), and write
   a reliability diagram (teacher and KD student) and the training curves
   next to it.

Every step is an ordinary ``tools/train.py`` run of a config in
``configs/demo/``, so the demo exercises exactly what users run. Finished
steps are reused when the demo is run again (delete the work dir to redo).
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEMO_CONFIGS = osp.join(REPO, 'configs', 'demo')

#: (name, config, needs the teacher checkpoint)
RUNS = [
    ('teacher resnet20', 'resnet20_embedded.py', False),
    ('student resnet8 alone', 'resnet8_embedded.py', False),
    ('student resnet8 + KD', 'kd_resnet20_resnet8_embedded.py', True),
    ('student resnet8 + KD+LS', 'kd-ls_resnet20_resnet8_embedded.py', True),
    ('student resnet8 + CRLD', 'crld_resnet20_resnet8_embedded.py', True),
]
#: The run whose student and teacher go into the reliability diagram.
DIAGRAM_RUN = 'kd_resnet20_resnet8_embedded.py'
ANALYSIS = osp.join(REPO, 'tools', 'analysis')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--data-root', default='data/embedded_cifar100')
    parser.add_argument('--train-per-class', type=int, default=50)
    parser.add_argument('--test-per-class', type=int, default=30)
    parser.add_argument('--epochs', type=int, default=None,
                        help='override max_epochs of every run (quick look)')
    return parser.parse_args()


def run(cmd, log_path=None):
    print('$ ' + ' '.join(cmd), flush=True)
    if log_path is None:
        subprocess.run(cmd, check=True, cwd=REPO)
        return
    with open(log_path, 'w') as log:
        process = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        for line in process.stdout:
            log.write(line)
            # Visible progress: validation summaries and errors only.
            if 'accuracy/top1' in line or 'Error' in line or \
                    'Teacher (evaluated' in line:
                print('    ' + line.rstrip()[-150:], flush=True)
        if process.wait() != 0:
            raise SystemExit(f'step failed, see {log_path}')


def last_val(work_dir):
    """The last validation line of a run's scalars.json."""
    lines = []
    for path in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data',
                                          'scalars.json'))):
        with open(path) as f:
            lines += [json.loads(line) for line in f]
    val = [line for line in lines if 'accuracy/top1' in line]
    return val[-1] if val else None


def main():
    args = parse_args()
    os.makedirs(args.work_dir, exist_ok=True)
    start = time.time()
    run([sys.executable,
         osp.join(REPO, 'tools', 'dataset_converters',
                  'generate_embedded_cifar100.py'),
         '--out', args.data_root, '--train-per-class',
         str(args.train_per_class), '--test-per-class',
         str(args.test_per_class)])
    teacher_dir = osp.join(args.work_dir, 'teacher')
    rows, work_dirs, options_of = [], [], {}
    for index, (name, config, needs_teacher) in enumerate(RUNS):
        work_dir = teacher_dir if index == 0 else osp.join(
            args.work_dir, osp.splitext(config)[0])
        options = [f'{loader}.dataset.data_root={args.data_root}'
                   for loader in ('train_dataloader', 'val_dataloader',
                                  'test_dataloader')]
        if args.epochs:
            options.append(f'train_cfg.max_epochs={args.epochs}')
        if needs_teacher:
            checkpoint = open(osp.join(teacher_dir,
                                       'last_checkpoint')).read().strip()
            options.append(f'model.teacher_ckpt={checkpoint}')
        print(f'\n[{time.time() - start:6.0f}s] {name}: {config}',
              flush=True)
        if osp.exists(osp.join(work_dir, 'last_checkpoint')) and \
                last_val(work_dir) is not None:
            print('    already trained, reusing', flush=True)
        else:
            run([sys.executable, osp.join(REPO, 'tools', 'train.py'),
                 osp.join(DEMO_CONFIGS, config), '--work-dir', work_dir,
                 '--cfg-options'] + options,
                log_path=osp.join(args.work_dir,
                                  osp.splitext(config)[0] + '.log'))
        rows.append((name, last_val(work_dir)))
        work_dirs.append(work_dir)
        options_of[config] = (work_dir, options)

    print(f'\n[{time.time() - start:6.0f}s] plots', flush=True)
    work_dir, options = options_of[DIAGRAM_RUN]
    checkpoint = open(osp.join(work_dir, 'last_checkpoint')).read().strip()
    diagram = osp.join(args.work_dir, 'reliability_kd.png')
    curves = osp.join(args.work_dir, 'curves.png')
    run([sys.executable, osp.join(ANALYSIS, 'reliability_diagram.py'),
         osp.join(DEMO_CONFIGS, DIAGRAM_RUN), checkpoint, '--model', 'both',
         '--out', diagram, '--cfg-options'] + options)
    run([sys.executable, osp.join(ANALYSIS, 'plot_curves.py')] + work_dirs +
        ['--keys', 'loss', 'loss_ce', 'lr', 'accuracy/top1', '--out',
         curves])

    print(f'\nmmlogitkd demo: embedded CIFAR-100-format dataset '
          f'({args.train_per_class}/class train, {args.test_per_class}/class '
          f'test), last epoch, {time.time() - start:.0f}s in all\n')
    print('| run | top-1 (%) | top-5 (%) | ECE |')
    print('|---|---|---|---|')
    for name, val in rows:
        print(f'| {name} | {val["accuracy/top1"]:.2f} | '
              f'{val["accuracy/top5"]:.2f} | '
              f'{val.get("calibration/ece", float("nan")):.4f} |')
    print(f'\nreliability diagram: {diagram}\ntraining curves: {curves}')


if __name__ == '__main__':
    main()
