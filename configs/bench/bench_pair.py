# `make bench` and `make demo`: the teacher -> student pair of every
# distillation run, a CIFAR resnet20 (0.28 M parameters) distilled into a
# resnet8 (0.08 M), the smallest models of the CRD CIFAR-100 zoo
# (docs/model_zoo.md). Leaves put these into `model`; run_bench.py points
# teacher_ckpt at the checkpoint of the bench's own teacher run
# (configs/bench/teacher.py).
student = dict(cfg_path='mmlogitkd::_base_/models/cifar100/resnet8.py')
teacher = dict(cfg_path='mmlogitkd::_base_/models/cifar100/resnet20.py')
teacher_ckpt = 'work_dirs/bench/teacher/epoch_30.pth'
