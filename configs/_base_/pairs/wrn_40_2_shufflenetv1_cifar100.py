# CIFAR-100 pair WRN-40-2 (teacher) -> ShuffleNetV1 (student): one of the 13
# pairs of the CRD benchmark (Tian et al., ICLR 2020). Architectures
# (RepDistiller models/) and teachers: docs/model_zoo.md. A leaf puts the four
# values below into `model`; the method base brings the dataset, the schedule
# base the optimizer.
_base_ = ['../default_runtime.py']

student = dict(cfg_path='mmlogitkd::_base_/models/cifar100/shufflenetv1.py')
teacher = dict(cfg_path='mmlogitkd::_base_/models/cifar100/wrn_40_2.py')
# The published teacher, wrn_40_2_vanilla/ckpt_epoch_240.pth of RepDistiller's
# cifar_teachers.tar (mdistiller ships the same files), converted with
# tools/model_converters/repdistiller2mmpretrain.py. Without the original,
# train one with configs/teachers/wrn_40_2_240e_cifar100.py and report its
# accuracy next to every result (docs/methods/open_questions.md#open-2).
teacher_ckpt = 'checkpoints/cifar100/wrn_40_2.pth'
# SHA-256 of the converted file: None until the file is pinned (never invent a
# hash); once set, loading any other file fails.
teacher_ckpt_sha256 = None
