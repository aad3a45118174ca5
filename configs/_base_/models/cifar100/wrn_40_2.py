# CRD model zoo wrn_40_2 (RepDistiller models/wrn.py), docs/model_zoo.md. Same
# neck, head and reference classifier init as wrn_16_1; only the arch and the
# head's input width differ.
_base_ = ['./wrn_16_1.py']
model = dict(backbone=dict(arch='wrn_40_2'), head=dict(in_channels=128))
