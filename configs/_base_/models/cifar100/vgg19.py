# CRD model zoo vgg19 with BN (RepDistiller models/vgg.py, vgg19_bn),
# docs/model_zoo.md. Same neck, head and reference classifier init as vgg8;
# only the arch differs.
_base_ = ['./vgg8.py']
model = dict(backbone=dict(arch='vgg19'))
