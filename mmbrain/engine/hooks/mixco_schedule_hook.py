from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmbrain.registry import HOOKS


@HOOKS.register_module()
class MixCoScheduleHook(Hook):
    """MindEye's schedule: mix the brain inputs (BiMixCo) for the first
    ``mix_ratio`` of the training iterations, then stop (with
    ``BiMixCoLoss(unmixed_targets='softclip')`` the loss becomes SoftCLIP).

    Sets the model's ``mixing`` before every iteration from the runner's
    iteration, so a resumed run continues in the right phase.

    Args:
        mix_ratio (float): Share of the iterations with mixing, in [0, 1].
            Defaults to 1/3 (MindEye's ``mixup_pct``).
    """

    def __init__(self, mix_ratio: float = 1 / 3):
        if not 0 <= mix_ratio <= 1:
            raise ValueError(f'mix_ratio must be in [0, 1], got {mix_ratio}')
        self.mix_ratio = mix_ratio

    def before_train_iter(self, runner, batch_idx: int, data_batch=None):
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        if getattr(model, 'mixco', None) is None:
            raise ValueError('MixCoScheduleHook needs a model with mixco '
                             '(BrainGuidedPretrainer(mixco=dict(...)))')
        mixing = runner.iter < self.mix_ratio * runner.max_iters
        if model.mixing and not mixing:
            runner.logger.info(
                f'MixCo off from iteration {runner.iter} of '
                f'{runner.max_iters} (mix_ratio {self.mix_ratio:.3g})')
        model.mixing = mixing
