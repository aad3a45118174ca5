# CRD model zoo vgg13 with BN (RepDistiller models/vgg.py, vgg13_bn),
# docs/model_zoo.md. Same neck, head and reference classifier init as vgg8;
# only the arch differs.
_base_ = ['./vgg8.py']
model = dict(backbone=dict(arch='vgg13'))
