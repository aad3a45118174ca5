# ImageNet-1k pair ResNet-34 (teacher) -> ResNet-18 (student) of mdistiller's
# ImageNet benchmark: a torchvision ResNet-34 teacher and the torchvision
# ResNet-18 student. Architectures and teachers: docs/model_zoo.md. A leaf puts
# the four values below into `model`; the method base brings the dataset (64
# per GPU x 8 GPUs = 512), the schedule base the optimizer.
_base_ = ['../default_runtime.py']

student = dict(cfg_path='mmlogitkd::_base_/models/imagenet/resnet18.py')
teacher = dict(cfg_path='mmlogitkd::_base_/models/imagenet/resnet34.py')
# The torchvision weights the original code bases load (resnet34-333f7ec4.pth),
# converted with tools/model_converters/torchvision2mmpretrain.py. MMPretrain's
# own model-zoo ResNet-34 is a different teacher (docs/model_zoo.md).
teacher_ckpt = 'checkpoints/in1k/resnet34_torchvision.pth'
# SHA-256 of the converted file: None until the file is pinned (never invent a
# hash); once set, loading any other file fails.
teacher_ckpt_sha256 = None
