"""`make demo`: distillation on the embedded dataset, end to end on a CPU.

The demo is the ``demo`` preset of the bench (tools/analysis/run_bench.py):
it generates the embedded CIFAR-100-format dataset of the bench (no
download), takes the bench's converged resnet20 teacher as shipped in
checkpoints/embedded_cifar100/resnet20_120e (hash and data checked; like a
model-zoo teacher) and measures it on the training views, trains the
resnet8 student alone and distilled with KD, KD+LS and CRLD for 20 epochs
(every method sharing one teacher pass through the teacher-logit cache),
and prints a table of top-1 and calibration of every run (last epoch) next
to ``report.md`` with the training curves. Finished runs are reused when the
demo is run again (delete the work dir to redo); ``--teacher train`` trains
a teacher instead of using the shipped one.

    python tools/demo.py [--work-dir work_dirs/demo] [run_bench.py flags]
"""
import os.path as osp
import sys

ANALYSIS = osp.join(osp.dirname(osp.abspath(__file__)), 'analysis')
sys.path.insert(0, ANALYSIS)

import run_bench  # noqa: E402


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if '--work-dir' not in argv:
        argv += ['--work-dir', 'work_dirs/demo']
    return run_bench.main(['--preset', 'demo'] + argv)


if __name__ == '__main__':
    main()
