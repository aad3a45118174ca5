# `make bench`: the teacher -> student pair of every distillation run, a
# CIFAR resnet20 (0.28 M parameters) distilled into a resnet8 (0.08 M), the
# smallest CRD-zoo models (METHODS.md §14.2), as in the embedded-dataset
# measurements of docs/embedded_dataset.md.
student = dict(cfg_path='mmlogitkd::_base_/models/cifar100/resnet8.py')
teacher = dict(cfg_path='mmlogitkd::_base_/models/cifar100/resnet20.py')
# The bench's own teacher (resnet20_teacher_bench.py); run_bench.py points
# this at the checkpoint that run wrote.
teacher_ckpt = 'work_dirs/bench/teacher/epoch_10.pth'
