# CIFAR-100 pair VGG13 (teacher) -> MobileNetV2 (student): one of the 13 pairs
# of the CRD benchmark (Tian et al., ICLR 2020). Architectures (RepDistiller
# models/) and teachers: docs/model_zoo.md. A leaf puts the four values below
# into `model`; the method base brings the dataset, the schedule base the
# optimizer.
_base_ = ['../default_runtime.py']

student = dict(cfg_path='mmlogitkd::_base_/models/cifar100/mobilenetv2.py')
teacher = dict(cfg_path='mmlogitkd::_base_/models/cifar100/vgg13.py')
# The published teacher, vgg13_vanilla/ckpt_epoch_240.pth of RepDistiller's
# cifar_teachers.tar (mdistiller ships the same files), converted with
# tools/model_converters/repdistiller2mmpretrain.py. Without the original,
# train one with configs/teachers/vgg13_240e_cifar100.py and report its
# accuracy next to every result (docs/methods/open_questions.md#open-2).
teacher_ckpt = 'checkpoints/cifar100/vgg13.pth'
# SHA-256 of the converted file: None until the file is pinned (never invent a
# hash); once set, loading any other file fails.
teacher_ckpt_sha256 = None
