"""Evaluate the frozen teacher once, before training (RepDistiller style)."""
import json
import os.path as osp
from typing import Optional

import torch
from mmengine.dist import is_main_process
from mmengine.hooks import Hook

from mmlogitkd.registry import HOOKS

from .utils import runner_model

#: Metric used for the near-chance warning.
TOP1_KEY = 'accuracy/top1'
RESULT_FILE = 'teacher_eval.json'


@HOOKS.register_module()
class TeacherEvalHook(Hook):
    """Run the teacher over the validation set once before the first epoch.

    The metrics are logged, added to the visualizer's scalars as
    ``teacher/<metric>`` and written to ``<work_dir>/teacher_eval.json``
    together with the teacher checkpoint and its SHA-256, which
    ``tools/analysis/summarize_results.py`` reads. The teacher is never
    evaluated again (MMRazor's per-validation teacher evaluation costs a full
    pass each time for a number that cannot change).

    Args:
        chance_factor: warn loudly when the teacher's top-1 is below
            ``chance_factor`` × chance level (100 / num_classes %): its
            checkpoint is then almost certainly wrong.
    """

    priority = 'LOW'

    def __init__(self, chance_factor: float = 2.0):
        self.chance_factor = chance_factor

    def before_train(self, runner) -> None:
        model = runner_model(runner)
        if not hasattr(model, 'teacher') or runner.val_loop is None:
            return
        result_path = osp.join(runner.work_dir, RESULT_FILE)
        if runner.iter > 0 and osp.exists(result_path):
            runner.logger.info('Teacher already evaluated for this run '
                               f'({result_path}); not evaluating again.')
            return
        metrics = self.evaluate_teacher(model, runner.val_loop.dataloader,
                                        runner.val_loop.evaluator)
        text = ', '.join(f'{k}: {v:.4f}' for k, v in metrics.items()
                         if isinstance(v, (int, float)))
        runner.logger.info(f'Teacher (evaluated once, before training): '
                           f'{text}')
        runner.visualizer.add_scalars(
            {f'teacher/{k}': v for k, v in metrics.items()
             if isinstance(v, (int, float))}, step=0)
        self._warn_if_near_chance(runner, model, metrics)
        if is_main_process():
            record = dict(metrics)
            record.update(checkpoint=getattr(model, 'teacher_ckpt', None),
                          sha256=getattr(model, 'teacher_ckpt_sha256', None))
            with open(result_path, 'w') as f:
                json.dump(record, f, indent=2)

    @staticmethod
    @torch.no_grad()
    def evaluate_teacher(model, dataloader, evaluator) -> dict:
        """Teacher metrics on ``dataloader`` with ``evaluator``."""
        for data_batch in dataloader:
            data = model.data_preprocessor(data_batch, False)
            inputs = data['inputs']
            if isinstance(inputs, (list, tuple)):
                inputs = inputs[0]
            if getattr(model, 'channels_last', False):
                inputs = inputs.contiguous(memory_format=torch.channels_last)
            outputs = model.teacher(inputs, data['data_samples'],
                                    mode='predict')
            evaluator.process(data_samples=outputs, data_batch=data_batch)
        return evaluator.evaluate(len(dataloader.dataset))

    def _warn_if_near_chance(self, runner, model, metrics: dict) -> None:
        top1: Optional[float] = metrics.get(TOP1_KEY)
        num_classes = getattr(getattr(model.teacher, 'head', None),
                              'num_classes', None)
        if top1 is None or not num_classes:
            return
        chance = 100.0 / num_classes
        if top1 < self.chance_factor * chance:
            runner.logger.warning(
                '!' * 72 + f'\nThe teacher reaches only {top1:.2f}% top-1 '
                f'before training (chance: {chance:.2f}%). Its checkpoint '
                f'(model.teacher_ckpt={getattr(model, "teacher_ckpt", None)}) '
                'is probably wrong or missing: distilling from it will not '
                'help the student.\n' + '!' * 72)
