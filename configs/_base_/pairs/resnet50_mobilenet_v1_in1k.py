# ImageNet-1k pair ResNet-50 (teacher) -> MobileNetV1 (student) of mdistiller's
# ImageNet benchmark: a torchvision ResNet-50 teacher and mdistiller's
# MobileNetV1 student. Architectures and teachers: docs/model_zoo.md. A leaf
# puts the four values below into `model`; the method base brings the dataset
# (64 per GPU x 8 GPUs = 512), the schedule base the optimizer.
_base_ = ['../default_runtime.py']

student = dict(cfg_path='mmlogitkd::_base_/models/imagenet/mobilenet_v1.py')
teacher = dict(cfg_path='mmlogitkd::_base_/models/imagenet/resnet50.py')
# The torchvision weights the original code bases load (resnet50-19c8e357.pth),
# converted with tools/model_converters/torchvision2mmpretrain.py. MMPretrain's
# own model-zoo ResNet-50 is a different teacher (docs/model_zoo.md).
teacher_ckpt = 'checkpoints/in1k/resnet50_torchvision.pth'
# SHA-256 of the converted file: None until the file is pinned (never invent a
# hash); once set, loading any other file fails.
teacher_ckpt_sha256 = None
